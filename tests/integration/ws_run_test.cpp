// WebSocket users end to end: `swarm run` against `swarm target`, swarm's WS
// rows held against the target's own WebSocket counters (/__stats "ws").
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <string>

#include "tests/integration/run_support.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {
namespace {

std::int64_t rows(const run_outcome& run, const std::string& entry) {
    const auto counts = requests_by_entry(run.result);
    const auto it = counts.find(entry);
    return it == counts.end() ? 0 : it->second;
}

// The target's count `key` of endpoint `which` ("echo" or "chat").
std::int64_t ws_count(const std::string& target_url, const char* which, const char* key) {
    const auto stats = boost::json::parse(http_get(target_url + "/__stats").body);
    return stats.at("ws").at(which).at(key).to_number<std::int64_t>();
}

TEST(ws_run_test, example_scenario_counts_what_the_target_saw) {
    auto target = start_target();
    const auto run = run_swarm(std::string(SWARM_SOURCE_DIR) + "/scenarios/websocket.yaml",
                               {"-H", target.url, "-u", "8", "-r", "8", "-t", "3s"});
    EXPECT_EQ(run.exit_code, 0) << run.output;
    ASSERT_TRUE(run.result.is_object()) << run.output;
    EXPECT_EQ(total_failures(run.result), 0) << run.output;
    // Connects: one per user, each an upgrade the target accepted.
    EXPECT_EQ(rows(run, "WS connect echo"), ws_count(target.url, "echo", "upgrades"));
    EXPECT_EQ(rows(run, "WS join chat"), ws_count(target.url, "chat", "upgrades"));
    EXPECT_EQ(rows(run, "WS connect echo") + rows(run, "WS join chat"), 8) << run.output;
    // Every message swarm sent was read by the target, exactly.
    const auto pings = rows(run, "WS ping");
    EXPECT_GT(pings, 20) << run.output;
    EXPECT_EQ(pings, ws_count(target.url, "echo", "messages_in"));
    EXPECT_EQ(rows(run, "WS say"), ws_count(target.url, "chat", "messages_in"));
    EXPECT_GT(rows(run, "WS say"), 2) << run.output;
    // Each pong read is an echo the target wrote; a user stopped between
    // its ping and its pong leaves one unread (drained by the close).
    const auto pongs = rows(run, "WS pong");
    const auto echoed = ws_count(target.url, "echo", "messages_out");
    EXPECT_LE(pongs, echoed);
    EXPECT_GE(pongs + 8, echoed);
    EXPECT_EQ(ws_count(target.url, "chat", "dropped"), 0);
    // on_stop's close: a close frame per user, none left open.
    EXPECT_EQ(rows(run, "WS close"), 8) << run.output;
    EXPECT_EQ(ws_count(target.url, "echo", "closed_by_client") +
                  ws_count(target.url, "chat", "closed_by_client"),
              8);
    EXPECT_EQ(ws_count(target.url, "echo", "open") + ws_count(target.url, "chat", "open"), 0);
}

TEST(ws_run_test, failures_are_counted_with_their_reason) {
    auto target = start_target();
    const auto path = write_scenario("ws_failures.yaml", R"y(
users:
  U:
    wait: {constant: 10ms}
    tasks:
      silent:
        - ws: /ws/echo
        - receive: {name: nothing sent, timeout: 200ms}
      long:
        - ws: /ws/echo
          max_message: 16
        - send: {text: "a message of more than sixteen bytes", name: long}
        - receive: {name: too long}
      missing: [{ws: /nowhere}]
)y");
    // ~30 tasks drawn at random from three: each one runs (a miss: 1 in 10^6).
    const auto run = run_swarm(path, {"-H", target.url, "-u", "1", "-r", "10", "-t", "3s"});
    ASSERT_TRUE(run.result.is_object()) << run.output;
    EXPECT_EQ(run.exit_code, 1) << run.output;
    const auto errors = error_messages(run.result);
    const auto timeouts = errors.find("timeout after 200ms");
    ASSERT_NE(timeouts, errors.end()) << run.output;
    EXPECT_EQ(timeouts->second, rows(run, "WS nothing sent"));
    const auto too_long = errors.find("WebSocket message too large (limit 16 bytes)");
    ASSERT_NE(too_long, errors.end()) << run.output;
    EXPECT_EQ(too_long->second, rows(run, "WS too long"));
    const auto declined = errors.find("WebSocket upgrade declined: HTTP 404");
    ASSERT_NE(declined, errors.end()) << run.output;
    EXPECT_EQ(declined->second, rows(run, "WS /nowhere"));
    // What the target saw: the long message arrived and went back.
    EXPECT_EQ(rows(run, "WS long"), ws_count(target.url, "echo", "messages_in"));
    EXPECT_EQ(total_failures(run.result),
              rows(run, "WS nothing sent") + rows(run, "WS too long") + rows(run, "WS /nowhere"));
}

}  // namespace
}  // namespace swarm::test
