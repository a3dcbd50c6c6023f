#pragma once
// The built-in English word list behind /search and /api/items/{id}.

#include <span>
#include <string_view>

namespace swarm::target {

// A few hundred lowercase English words, sorted, distinct. Immutable; any thread.
std::span<const std::string_view> words();

}  // namespace swarm::target
