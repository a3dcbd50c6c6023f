#pragma once
// Sizes as users write them (--max-body-size, a request's `max_body:`):
// "65536", "64KiB", "16MiB", "1GiB", or decimal "500kB", "2MB", "1GB".
// Pure; any thread.

#include <cstdint>
#include <optional>
#include <string_view>

namespace swarm {

// The largest size accepted anywhere: past it a limit is a typo, not a setting.
inline constexpr std::uint64_t max_byte_size = std::uint64_t{1} << 40;  // 1 TiB

// Bytes, or nullopt for anything else (empty, 0, negative, a fraction, an
// unknown unit, more than max_byte_size).
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

}  // namespace swarm
