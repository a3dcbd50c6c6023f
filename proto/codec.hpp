#pragma once
// msgpack encoding of messages: an envelope [type, fields...]. Decoding is
// hostile-input safe: limits on total size, nesting, string and array lengths;
// anything malformed is an error value, never an exception or a crash.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "proto/messages.hpp"

namespace swarm::proto {

struct decode_limits {
    std::size_t max_message_bytes = 64u << 20;  // scenario bundles can be large
    std::size_t max_string_bytes = 32u << 20;
    std::size_t max_array_items = 1u << 20;
    std::size_t max_depth = 16;
};

std::string encode(const message& m);

// The message, or what is wrong with the bytes, naming the field:
// "stats_report.requests[0].buckets[0]: histogram bucket index 9999 out of range".
// Callers only log and count the error, so it is plain text (no kinds to branch on).
result<message> decode(std::string_view bytes, const decode_limits& limits = {});

}  // namespace swarm::proto
