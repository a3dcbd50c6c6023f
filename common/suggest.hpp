#pragma once
// "did you mean ...?" for misspelled keys, functions and names.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace swarm {

// Edit distance: insert, delete, substitute or swap two adjacent characters, each 1.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a plausible
// typo (distance ≤ max(1, word length / 3)); ties go to the first candidate.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string_view>& candidates);

// ", did you mean 'x'?" or "" when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace swarm
