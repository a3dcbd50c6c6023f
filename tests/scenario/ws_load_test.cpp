// WebSocket steps at load: what they compile to, and each mistake an error
// at its line and column.
#include <gmock/gmock.h>

#include "tests/scenario/compile_helpers.hpp"

namespace swarm::scenario::testing {
namespace {

using ::testing::HasSubstr;

TEST(ws_load, steps_compile_with_their_options) {
    auto p = compile_ok(R"y(host: http://h
users:
  U:
    tasks:
      chat:
        steps:
          - ws: /ws/chat?room=a
            headers: {X-Token: "{{ user_id }}"}
            subprotocols: [chat.v2, chat]
            timeout: 3s
            max_message: 64KiB
          - send: "hello {{ user_id }}"
            name: greet
          - send: {json: {n: "{{ user_id }}", kind: ping}, name: typed}
          - send: {binary: data/blob.bin}
          - receive: {name: echo, timeout: 2s, check: {body_contains: hello},
                      extract: {who: {regex: "hello (\\d+)"}}}
          - receive: {until: "last.body == 'done'", max: 20}
          - receive:
          - close: {code: 4000, reason: bye}
)y",
                        {{"data/blob.bin", std::string("\x00\x01\xff", 3)}});
    ASSERT_TRUE(p);
    const auto& steps = p->users[0].root.tasks[0].steps;
    ASSERT_EQ(steps.size(), 8u);
    const auto& c = std::get<ws_connect_step>(steps[0].action);
    EXPECT_EQ(c.name, "/ws/chat?room=a");
    EXPECT_EQ(c.subprotocols, (std::vector<std::string>{"chat.v2", "chat"}));
    EXPECT_EQ(c.timeout, std::chrono::seconds(3));
    EXPECT_EQ(c.max_message_bytes, 64u * 1024);
    ASSERT_EQ(c.headers.size(), 1u);
    const auto& greet = std::get<ws_send_step>(steps[1].action);
    EXPECT_EQ(greet.name, "greet");
    EXPECT_EQ(greet.payload, ws_send_step::payload_kind::text);
    const auto& typed = std::get<ws_send_step>(steps[2].action);
    EXPECT_EQ(typed.name, "typed");
    EXPECT_EQ(typed.payload, ws_send_step::payload_kind::json);
    EXPECT_EQ(typed.json.parts.size(), 3u);  // literal, the template, literal
    const auto& blob = std::get<ws_send_step>(steps[3].action);
    EXPECT_EQ(blob.name, "send");
    ASSERT_TRUE(blob.content);
    EXPECT_EQ(*blob.content, std::string("\x00\x01\xff", 3));
    const auto& echo = std::get<ws_receive_step>(steps[4].action);
    EXPECT_EQ(echo.name, "echo");
    EXPECT_EQ(echo.timeout, std::chrono::seconds(2));
    EXPECT_EQ(echo.check.body_contains.size(), 1u);
    EXPECT_EQ(echo.extract.size(), 1u);
    const auto& until = std::get<ws_receive_step>(steps[5].action);
    EXPECT_TRUE(until.until);
    EXPECT_EQ(until.max, 20);
    EXPECT_EQ(std::get<ws_receive_step>(steps[6].action).name, "receive");
    const auto& close = std::get<ws_close_step>(steps[7].action);
    EXPECT_EQ(close.code, 4000);
    EXPECT_EQ(close.reason, "bye");
}

TEST(ws_load, a_websocket_opened_in_on_start_serves_every_task) {
    auto p = compile_ok(R"y(host: https://h
users:
  U:
    on_start: [{ws: /ws/echo}]
    on_stop: [{close: }]
    tasks:
      a: [{send: x}, {receive: }]
      b: [{send: y}]
)y");
    ASSERT_TRUE(p);
}

TEST(ws_load, a_step_without_a_websocket_before_it_is_refused) {
    EXPECT_EQ(only_error(R"y(host: http://h
users:
  U:
    tasks:
      t:
        - get: /
        - send: hello
)y"),
              "7:11: users.U.tasks.t[1]: `send` needs a WebSocket: put a `ws: /path` step before "
              "it (in this task or the class's on_start)");
    // Another task's ws: does not count: tasks run in any order.
    EXPECT_THAT(only_error(R"y(host: http://h
users:
  U:
    tasks:
      a: [{ws: /chat}]
      b: [{receive: }]
)y"),
                HasSubstr("6:11: users.U.tasks.b[0]: `receive` needs a WebSocket"));
}

TEST(ws_load, mistakes_are_errors_at_their_place) {
    const auto r = compile_text(R"y(host: http://h
users:
  U:
    tasks:
      t:
        - ws: chat
        - ws: /chat
          subprotocols: ["bad proto"]
          max_message: 1TiB
        - send: {text: a, json: {b: 1}}
        - send: {binary: missing.bin}
        - receive: {until: "true"}
        - receive: {max: 3}
        - receive: {check: {status: 200}}
        - receive: {extract: {h: {header: X}}}
        - close: {code: 1005}
        - close: {reason: 7, cod: 1}
)y");
    EXPECT_FALSE(r.result);
    const auto lines = joined(error_lines(r));
    EXPECT_THAT(lines, HasSubstr("6:15: users.U.tasks.t[0].ws: expected a path like /chat"));
    EXPECT_THAT(lines, HasSubstr("8:26: users.U.tasks.t[1].subprotocols[0]: a subprotocol is a "
                                 "token like chat.v2, got 'bad proto'"));
    EXPECT_THAT(lines, HasSubstr("9:24: users.U.tasks.t[1].max_message: expected a size from 1 "
                                 "byte to 64MiB"));
    EXPECT_THAT(lines, HasSubstr("10:17: users.U.tasks.t[2].send: a send has exactly one of text, "
                                 "json (typed JSON) or binary (a file)"));
    EXPECT_THAT(lines, HasSubstr("users.U.tasks.t[3].send.binary: file 'missing.bin' is not in "
                                 "the scenario's bundle"));
    EXPECT_THAT(lines, HasSubstr("12:20: users.U.tasks.t[4].receive: `until` needs `max:`"));
    EXPECT_THAT(lines, HasSubstr("13:21: users.U.tasks.t[5].receive.max: `max` goes with `until`"));
    EXPECT_THAT(lines, HasSubstr("users.U.tasks.t[6].receive.check.status: a WebSocket message "
                                 "has no status"));
    EXPECT_THAT(lines, HasSubstr("users.U.tasks.t[7].receive.extract.h: a WebSocket message is "
                                 "text: extract with regex or json"));
    EXPECT_THAT(lines, HasSubstr("users.U.tasks.t[8].close.code: close code 1005 may not be sent"));
    EXPECT_THAT(lines, HasSubstr("users.U.tasks.t[9].close: unknown key 'cod'"));
}

TEST(ws_load, thresholds_may_name_ws_rows) {
    auto p = compile_ok(R"y(host: http://h
users:
  U:
    tasks:
      t: [{ws: /ws/echo}, {send: a, name: ping}, {receive: {name: pong}}]
thresholds:
  - "p95(WS pong) < 50ms"
  - "fail_ratio(WS /ws/echo) < 0.01"
)y");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->thresholds.size(), 2u);
}

}  // namespace
}  // namespace swarm::scenario::testing
