#pragma once
// Durations as users write them: "500ms", "0.05s", "2s", "1m30s", "1h", "250us";
// a bare number is seconds.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace swarm {

// nullopt for anything else (negative, empty, unknown unit, overflow).
std::optional<std::chrono::microseconds> parse_duration(std::string_view text);

// Short human form: "1m30s", "500ms", "0s".
std::string format_duration(std::chrono::microseconds d);

}  // namespace swarm
