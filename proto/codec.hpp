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
    // Scenario bundles can be large (scenario::max_bundle_bytes plus the
    // envelope); the master's own socket takes far less (max_worker_message_bytes).
    std::size_t max_message_bytes = 64u << 20;
    std::size_t max_string_bytes = 32u << 20;
    std::size_t max_array_items = 1u << 20;
    std::size_t max_depth = 16;
};

// What the scenario loader lets into a bundle is what a worker accepts
// (common/scenario/bundle.hpp): a data file fits one string, and the bundle
// leaves 8 MiB of the message for the envelope and --ca-file's content.
static_assert(scenario::max_data_file_bytes <= decode_limits{}.max_string_bytes);
static_assert(scenario::max_bundle_bytes + (8u << 20) <= decode_limits{}.max_message_bytes);

// Bounds on the fields a worker sends, so that no peer can make the master
// keep, show or log more than this per field (PROTOCOL.md, "Field bounds").
// decode() refuses a message with a longer field, naming it.
inline constexpr std::size_t max_peer_name_bytes = 255;  // hello.host, hello.name
inline constexpr std::size_t max_hash_bytes = 64;        // ready.hash, compile_failed.hash
inline constexpr std::size_t max_reason_bytes = 4096;    // quit.reason, reject.reason
// compile_failed: the first errors are kept, the others skipped; each is one line.
inline constexpr std::size_t max_compile_errors = 100;
inline constexpr std::size_t max_compile_error_bytes = 4096;
inline constexpr std::size_t max_stats_method_bytes = 16;  // GET, POST, ... ("" for other rows)
// Request and user class names in stats rows come from the scenario, which
// refuses longer ones (scenario::max_stats_name_bytes).
inline constexpr std::size_t max_stats_name_bytes = scenario::max_stats_name_bytes;
inline constexpr std::size_t max_error_message_bytes = 1024;  // stats::error_table cuts there
// Class names in spawn and stats_report (protocol 3), bounded as stats names.
inline constexpr std::size_t max_user_class_bytes = scenario::max_stats_name_bytes;
inline constexpr std::size_t max_tags = 256;  // run_options' tag lists
inline constexpr std::size_t max_tag_bytes = 255;
// stats_report.exhausted_data (protocol 4): data set names, which the
// scenario bounds in number and length.
inline constexpr std::size_t max_exhausted_data = scenario::max_data_sets;
inline constexpr std::size_t max_data_set_name_bytes = scenario::max_data_set_name_bytes;

// The largest message a worker sends is a stats_report with every row a
// worker's tables keep (1000 names + "(other)", every histogram bucket
// filled, 1000 error rows), all at the bounds above: 15.9 MiB
// (tests/proto/codec_limits_test.cpp computes it). The master's socket
// refuses anything larger before reading it into memory (ZMQ_MAXMSGSIZE),
// whether or not the peer has authenticated.
inline constexpr std::size_t max_worker_message_bytes = 17u << 20;

std::string encode(const message& m);

// The message, or what is wrong with the bytes, naming the field:
// "stats_report.requests[0].buckets[0]: histogram bucket index 9999 out of range".
// Callers only log and count the error, so it is plain text (no kinds to branch on).
result<message> decode(std::string_view bytes, const decode_limits& limits = {});

}  // namespace swarm::proto
