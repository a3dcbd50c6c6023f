#include "tests/integration/protocol_mix.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fstream>

#include "tests/support/http_client.hpp"

namespace swarm::test {

namespace json = boost::json;

namespace {

// The echo class's blob is the file NAME.bin, written beside it; PROTOCOL
// the HTTP/2 class's protocol.
constexpr const char* mix_yaml = R"y(
users:
  Pages:
    protocol: PROTOCOL
    wait: {constant: 20ms}
    tasks:
      home: {get: /, name: h2 home}
      item: {get: /api/items/3, name: h2 item, check: {json: {"$.id": 3}}}
  Echo:
    wait: {constant: 20ms}
    on_start:
      - ws: /ws/echo
        name: connect
    on_stop:
      - close: {code: 1000, reason: done}
    tasks:
      ping:
        - send: {json: {user: "{{ user_id }}", n: "{{ iteration }}"}, name: ping}
        - receive: {name: pong, timeout: 5s, check: {json: {"$.user": "{{ user_id }}"}}}
      blob:
        - send: {binary: BLOB, name: blob}
        - receive: {name: blob back, timeout: 5s, check: {body_contains: "blob end"}}
)y";

std::int64_t number(const json::value& v) {
    return v.to_number<std::int64_t>();
}

mix_row row(const mix_rows& rows, const std::string& key) {
    const auto it = rows.find(key);
    return it == rows.end() ? mix_row{} : it->second;
}

}  // namespace

std::string write_protocol_mix(const std::string& name, const std::string& h2_protocol) {
    const auto dir = ::testing::TempDir();
    std::string blob(static_cast<std::size_t>(protocol_mix_blob_bytes) - 8, '\0');
    for (std::size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<char>(i * 7);
    blob += "blob end";  // what the echo's check looks for, after NUL and high bytes
    std::ofstream(dir + "/" + name + ".bin", std::ios::binary) << blob;
    std::string yaml = mix_yaml;
    yaml.replace(yaml.find("BLOB"), 4, name + ".bin");
    yaml.replace(yaml.find("PROTOCOL"), 8, h2_protocol);
    auto path = dir + "/" + name + ".yaml";
    std::ofstream(path) << yaml;
    return path;
}

mix_rows rows_of_result(const json::value& result) {
    mix_rows out;
    for (const auto& e : result.at("entries").as_array()) {
        auto& r = out[std::string(e.at("method").as_string()) + " " +
                      std::string(e.at("name").as_string())];
        r.requests += number(e.at("requests"));
        r.failures += number(e.at("failures"));
        r.bytes += static_cast<double>(number(e.at("response_bytes")));
    }
    return out;
}

mix_rows rows_of_ui_stats(const json::value& stats) {
    mix_rows out;
    for (const auto& e : stats.at("stats").as_array()) {
        if (e.at("name").as_string() == "Aggregated") continue;
        auto& r = out[std::string(e.at("method").as_string()) + " " +
                      std::string(e.at("name").as_string())];
        const auto requests = number(e.at("num_requests"));
        r.requests += requests;
        r.failures += number(e.at("num_failures"));
        r.bytes += e.at("avg_content_length").to_number<double>() * static_cast<double>(requests);
    }
    return out;
}

void expect_protocol_mix_matches_target(const mix_rows& rows, const std::string& target_url,
                                        std::int64_t h2_users, std::int64_t echo_users) {
    const auto seen = json::parse(http_get(target_url + "/__stats").body);
    const auto& echo = seen.at("ws").at("echo");
    const auto said = [&] {
        std::string all;
        for (const auto& [key, r] : rows)
            all += key + ": " + std::to_string(r.requests) + " (" + std::to_string(r.failures) +
                   " failed, " + std::to_string(r.bytes) + " bytes)\n";
        return all + "target: " + json::serialize(seen);
    }();
    for (const auto& [key, r] : rows) EXPECT_EQ(r.failures, 0) << key << "\n" << said;

    // HTTP/2: every request the h2c users sent, one connection per user.
    const auto h2 = row(rows, "GET h2 home").requests + row(rows, "GET h2 item").requests;
    EXPECT_GT(row(rows, "GET h2 item").requests, 5) << said;
    EXPECT_EQ(h2, number(seen.at("protocols").at("h2"))) << said;
    EXPECT_EQ(number(seen.at("h2").at("connections")), h2_users) << said;

    // WebSocket: one upgrade per user (the only HTTP/1.1 requests).
    EXPECT_EQ(row(rows, "WS connect").requests, echo_users) << said;
    EXPECT_EQ(number(echo.at("upgrades")), echo_users) << said;
    EXPECT_EQ(number(seen.at("protocols").at("h1")), echo_users) << said;
    // Every message sent was read by the target, byte for byte; the blob whole.
    const auto pings = row(rows, "WS ping");
    const auto blobs = row(rows, "WS blob");
    EXPECT_GT(pings.requests, 5) << said;
    EXPECT_GT(blobs.requests, 5) << said;
    EXPECT_EQ(pings.requests + blobs.requests, number(echo.at("messages_in"))) << said;
    EXPECT_NEAR(pings.bytes + blobs.bytes, static_cast<double>(number(echo.at("bytes_in"))), 1.0)
        << said;
    EXPECT_NEAR(blobs.bytes, static_cast<double>(blobs.requests * protocol_mix_blob_bytes), 1.0)
        << said;
    // Every message read is one the target wrote; a user stopped between its
    // send and its receive leaves at most one unread (drained by the close).
    const auto pongs = row(rows, "WS pong");
    const auto backs = row(rows, "WS blob back");
    const auto read = pongs.requests + backs.requests;
    const auto written = number(echo.at("messages_out"));
    EXPECT_LE(read, written) << said;
    EXPECT_GE(read + echo_users, written) << said;
    EXPECT_NEAR(backs.bytes, static_cast<double>(backs.requests * protocol_mix_blob_bytes), 1.0)
        << said;
    EXPECT_LE(pongs.bytes + backs.bytes, static_cast<double>(number(echo.at("bytes_out"))) + 1.0)
        << said;
    // on_stop's close: a close frame per user, none left open.
    EXPECT_EQ(row(rows, "WS close").requests, echo_users) << said;
    EXPECT_EQ(number(echo.at("closed_by_client")), echo_users) << said;
    EXPECT_EQ(number(echo.at("open")), 0) << said;
}

}  // namespace swarm::test
