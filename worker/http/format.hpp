#pragma once
// Limits and timeouts as people write them, for the detail of an http::error
// ("body over 16 MiB", "timeout after 200ms"). Not common/duration.hpp's
// format_duration: that one writes "1m30s", and these texts must stay as
// users have seen them.

#include <chrono>
#include <cstdint>
#include <string>

namespace swarm::worker::http {

// A size: "16 MiB", "64 KiB", "1000 bytes".
std::string format_bytes(std::uint64_t bytes);
// A duration: "2s", "200ms", "1.5s", "250us".
std::string format_duration(std::chrono::microseconds d);

}  // namespace swarm::worker::http
