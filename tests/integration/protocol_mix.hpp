#pragma once
// One scenario with both of issue 17's protocols against `swarm target`: an
// h2c class (HTTP/2 with prior knowledge) and a WebSocket echo class (a
// templated JSON ping and a binary blob from a data file of the bundle, each
// read back). Shared by the distributed test (a master and worker
// processes) and the web UI's (a test started with POST /swarm), which hold
// the rows each reads against the target's own counters.

#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace swarm::test {

// The blob's size: every "WS blob" row carries exactly this many bytes.
inline constexpr std::int64_t protocol_mix_blob_bytes = 3000;

// Writes NAME.yaml and its blob (NAME.bin) into the test's temp dir; the
// scenario's path. Users of both classes in equal numbers (weight 1 each);
// the HTTP/2 class's `protocol:` is `h2_protocol` (h2c for http://, auto
// for https://, where ALPN picks h2 and the WebSocket is wss://).
std::string write_protocol_mix(const std::string& name, const std::string& h2_protocol = "h2c");

// One row as a report shows it.
struct mix_row {
    std::int64_t requests = 0;
    std::int64_t failures = 0;
    double bytes = 0;  // all its bytes (a WS send's payloads, a receive's messages)
};
using mix_rows = std::map<std::string, mix_row>;  // by "METHOD name"

// The rows of a --json result ("entries") and of the UI's /stats/requests
// or a /ws snapshot ("stats", Aggregated left out).
mix_rows rows_of_result(const boost::json::value& result);
mix_rows rows_of_ui_stats(const boost::json::value& stats);

// EXPECTs that `rows` count what the target saw: HTTP/2 requests, one
// HTTP/2 connection per h2 user, one upgrade and one close per echo user,
// every message sent read by the target (bytes too), every message read
// one the target wrote; no failures.
void expect_protocol_mix_matches_target(const mix_rows& rows, const std::string& target_url,
                                        std::int64_t h2_users, std::int64_t echo_users);

}  // namespace swarm::test
