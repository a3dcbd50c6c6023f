#pragma once
// msgpack encoding of messages: an envelope [type, fields...]. Decoding is
// hostile-input safe: limits on total size, nesting, string and array lengths;
// anything malformed is an error value, never an exception or a crash.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "proto/messages.hpp"

namespace swarm::proto {

struct decode_limits {
    std::size_t max_message_bytes = 64u << 20;  // scenario bundles can be large
    std::size_t max_string_bytes = 32u << 20;
    std::size_t max_array_items = 1u << 20;
    std::size_t max_depth = 16;
};

std::string encode(const message& m);

struct decode_result {
    std::optional<message> result;
    std::string error;  // set when !result: "stats_report: histogram bucket index 9999 out of range"
};

decode_result decode(std::string_view bytes, const decode_limits& limits = {});

}  // namespace swarm::proto
