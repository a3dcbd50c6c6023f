// HTTP/2 and WebSocket users started from the web UI (issue 17): a test
// started the way the UI's form starts one (POST /swarm with its fields),
// stopped with its Stop button's GET /stop; the rows the UI reads — the
// table's /stats/requests and the /ws snapshot it is pushed — equal what
// `swarm target` counted per protocol and per WebSocket message.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "tests/integration/protocol_mix.hpp"
#include "tests/web/web_support.hpp"

namespace swarm::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

std::int64_t requests_of(const mix_rows& rows, const std::string& key) {
    const auto it = rows.find(key);
    return it == rows.end() ? 0 : it->second.requests;
}

TEST(web_protocols_test, rows_the_ui_reads_equal_the_targets_counts) {
    auto target = start_target({"--threads", "1"});
    // A host that refuses: the target's comes with the form, as the UI sends it,
    // and must reach the h2c and the WebSocket users.
    auto ui = start_ui(write_protocol_mix("web_protocols"), {"-H", "http://127.0.0.1:1"});
    http_client client(ui.origin);
    const auto ready = poll_json(
        client, "/readyz",
        [](const json::value& d) { return d.is_object() && d.at("ready").as_bool(); }, 20s);
    ASSERT_TRUE(ready.at("ready").as_bool()) << json::serialize(ready);

    // The form's fields for a new test (app.js): no run time, profile or iterations.
    const auto started = client.request(
        {"POST",
         "/swarm",
         "user_count=4&spawn_rate=8&host=" + target.url + "&run_time=&stages=&iterations=",
         "application/x-www-form-urlencoded",
         "",
         {}});
    ASSERT_EQ(started.status, 200) << started.body;
    const auto running = poll_json(
        client, "/stats/requests",
        [](const json::value& d) {
            const auto rows = rows_of_ui_stats(d);
            return requests_of(rows, "WS pong") >= 10 && requests_of(rows, "WS blob back") >= 10 &&
                   requests_of(rows, "GET h2 item") >= 10;
        },
        30s);
    ASSERT_GE(requests_of(rows_of_ui_stats(running), "WS pong"), 10) << json::serialize(running);

    // A row clicked in the table: its chart's history, for a WS row and an h2 one.
    for (const char* entry : {"method=WS&name=blob%20back", "method=GET&name=h2%20item"}) {
        const auto history = poll_json(
            client, std::string("/stats/entry_history?") + entry,
            [](const json::value& d) {
                return d.is_object() && d.as_object().contains("points") &&
                       !d.at("points").as_array().empty();
            },
            10s);
        ASSERT_TRUE(history.is_object() && history.as_object().contains("points"))
            << entry << ": " << json::serialize(history);
        EXPECT_FALSE(history.at("points").as_array().empty()) << entry;
    }

    const auto stopped = stop_and_wait(client);
    ASSERT_EQ(stopped.at("state").as_string(), "stopped") << json::serialize(stopped);
    EXPECT_EQ(aggregated(stopped).at("num_failures").to_number<std::int64_t>(), 0)
        << json::serialize(stopped);
    const auto table = rows_of_ui_stats(stopped);
    expect_protocol_mix_matches_target(table, target.url, 2, 2);

    // The live view: the snapshot pushed after the stop has the same rows.
    const auto port = ui.origin.substr(ui.origin.rfind(':') + 1);
    ws_client ws("127.0.0.1", port, ui.base + "/ws");
    EXPECT_EQ(json::parse(ws.read()).at("type").as_string(), "hello");
    const auto snapshot = json::parse(ws.read());
    ASSERT_EQ(snapshot.at("type").as_string(), "snapshot");
    const auto pushed = rows_of_ui_stats(snapshot);
    ASSERT_EQ(pushed.size(), table.size()) << json::serialize(snapshot);
    for (const auto& [key, row] : table) {
        ASSERT_TRUE(pushed.contains(key)) << key;
        EXPECT_EQ(pushed.at(key).requests, row.requests) << key;
        EXPECT_EQ(pushed.at(key).failures, row.failures) << key;
    }
}

}  // namespace
}  // namespace swarm::test
