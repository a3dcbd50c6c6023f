// `parallel:` steps at load: requests only, with every request key, and
// clear errors where a block is empty, too large or holds a control step.
#include <gmock/gmock.h>

#include "tests/scenario/compile_helpers.hpp"

namespace swarm::scenario::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(parallel_load, a_block_keeps_its_requests_in_order_with_all_their_keys) {
    auto p = compile_ok(R"y(host: http://h
users:
  U:
    tasks:
      page:
        steps:
          - get: /
          - group: assets
            steps:
              - parallel:
                  - get: /a.css
                  - get: "/img/{{ user_id }}.png"
                    name: image
                    headers: {Accept: image/png}
                    check: {status: 200}
                    extract: {size: {header: Content-Length}}
                  - {post: /beacon, json: {seen: true}, timeout: 2s}
)y");
    ASSERT_TRUE(p);
    const auto& g = std::get<group_step>(p->users[0].root.tasks[0].steps[1].action);
    const auto& block = std::get<parallel_step>(g.steps[0].action);
    ASSERT_EQ(block.requests.size(), 3u);
    const auto& css = std::get<request_step>(block.requests[0].action);
    const auto& image = std::get<request_step>(block.requests[1].action);
    const auto& beacon = std::get<request_step>(block.requests[2].action);
    EXPECT_EQ(css.name, "/a.css");
    EXPECT_EQ(image.name, "image");
    ASSERT_EQ(image.headers.size(), 1u);
    ASSERT_EQ(image.extract.size(), 1u);
    EXPECT_EQ(image.extract[0].variable, "size");
    EXPECT_TRUE(image.check.status.has_value());
    EXPECT_EQ(beacon.method, http_method::post);
    EXPECT_EQ(beacon.body, request_step::body_kind::json);
    EXPECT_EQ(beacon.timeout, std::chrono::seconds(2));
    EXPECT_EQ(block.requests[1].where.line, 12);
}

TEST(parallel_load, control_steps_inside_are_refused_at_their_place) {
    const auto r = compile_text(R"y(host: http://h
users:
  U:
    tasks:
      t:
        steps:
          - parallel:
              - get: /ok
              - if: "{{ true }}"
                steps: [{get: /x}]
              - group: g
                steps: [{get: /y}]
              - parallel: [{get: /z}]
              - stop_user
              - sleep: 1s
)y");
    const auto lines = error_lines(r);
    ASSERT_EQ(lines.size(), 5u) << joined(lines);
    const std::string rest =
        " inside `parallel`: a parallel block holds requests only (get:, post: ...); put `if`, "
        "`repeat`, `while`, `group` and the like around the block, not in it";
    EXPECT_THAT(lines,
                ElementsAre("9:17: users.U.tasks.t.steps[0].parallel[1]: `if:`" + rest,
                            "11:17: users.U.tasks.t.steps[0].parallel[2]: `group:`" + rest,
                            "13:17: users.U.tasks.t.steps[0].parallel[3]: `parallel:`" + rest,
                            "14:17: users.U.tasks.t.steps[0].parallel[4]: `stop_user`" + rest,
                            "15:17: users.U.tasks.t.steps[0].parallel[5]: `sleep:`" + rest));
}

TEST(parallel_load, a_block_is_a_non_empty_bounded_list) {
    const std::string head = "host: http://h\nusers:\n  U:\n    tasks:\n      t:\n        steps:\n";
    EXPECT_EQ(only_error(head + "          - parallel: []\n"),
              "7:23: users.U.tasks.t.steps[0].parallel: a parallel block needs at least one "
              "request");
    EXPECT_EQ(only_error(head + "          - parallel: {get: /}\n"),
              "7:23: users.U.tasks.t.steps[0].parallel: expected a list of requests, like "
              "[{get: /a.css}, {get: /b.js}]");
    std::string many = head + "          - parallel:\n";
    for (std::size_t i = 0; i <= max_parallel_requests; ++i) many += "              - get: /\n";
    EXPECT_THAT(only_error(many), HasSubstr("a parallel block holds at most 64 requests, got 65 "
                                            "(split it into blocks one after the other)"));
    EXPECT_EQ(only_error(head + "          - parallel: [{get: /}]\n            name: x\n"),
              "8:13: users.U.tasks.t.steps[0]: unknown key 'name'");
    // A request's own mistakes are reported at their place inside the block.
    EXPECT_THAT(only_error(head + "          - parallel: [{get: /, timeout: soon}]\n"),
                HasSubstr("users.U.tasks.t.steps[0].parallel[0].timeout"));
}

}  // namespace
}  // namespace swarm::scenario::testing
