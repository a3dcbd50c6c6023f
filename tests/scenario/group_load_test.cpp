// `group:` steps at load, and nested task sets' inherited wait.
#include <gmock/gmock.h>

#include "tests/scenario/compile_helpers.hpp"

namespace swarm::scenario::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::StartsWith;

TEST(group_load, groups_nest_and_keep_their_steps) {
    auto p = compile_ok(R"y(host: http://h
users:
  U:
    tasks:
      t:
        steps:
          - group: checkout
            steps:
              - get: /cart
              - group: pay
                steps: [{post: /pay}]
)y");
    ASSERT_TRUE(p);
    const auto& steps = p->users[0].root.tasks[0].steps;
    ASSERT_EQ(steps.size(), 1u);
    const auto& g = std::get<group_step>(steps[0].action);
    EXPECT_EQ(g.name, "checkout");
    ASSERT_EQ(g.steps.size(), 2u);
    EXPECT_TRUE(std::holds_alternative<request_step>(g.steps[0].action));
    const auto& inner = std::get<group_step>(g.steps[1].action);
    EXPECT_EQ(inner.name, "pay");
    EXPECT_EQ(std::get<request_step>(inner.steps[0].action).name, "/pay");
}

TEST(group_load, mistakes_are_errors_at_their_place) {
    std::string deep = "          - group: g0\n            steps:\n";
    std::string indent = "              ";
    for (int i = 1; i <= 40; ++i) {
        deep += indent + "- group: g" + std::to_string(i) + "\n" + indent + "  steps:\n";
        indent += "    ";
    }
    deep += indent + "- get: /\n";
    const auto r = compile_text(
        "host: http://h\nusers:\n  U:\n    tasks:\n      t:\n        steps:\n"
        "          - group: \"\"\n            steps: [{get: /}]\n"
        "          - group: a\n"
        "          - group: \"{{ user_id }}\"\n            steps: []\n"
        "          - grup: x\n"
        "          - group: b\n            steps: [{get: /}]\n"
        "            stpes: []\n"
        "      deep:\n        steps:\n" +
        deep);
    const auto lines = error_lines(r);
    ASSERT_EQ(lines.size(), 6u) << joined(lines);
    EXPECT_THAT(std::vector<std::string>(lines.begin(), lines.begin() + 5),
                ElementsAre("7:20: users.U.tasks.t.steps[0].group: a group needs a name (its GROUP "
                            "row's)",
                            "9:13: users.U.tasks.t.steps[1]: `group` needs `steps:` (the steps it "
                            "times)",
                            "10:21: users.U.tasks.t.steps[2].group: templates are not allowed "
                            "here (a group is one row, a template a row per value): this text is "
                            "used as written, '{{' included",
                            "12:13: users.U.tasks.t.steps[3]: unknown step 'grup', did you mean "
                            "'group'? (a step is a request, if, repeat, while, sleep, let, group, "
                            "parallel, interrupt, stop_user, or a WebSocket's ws, send, receive "
                            "or close)",
                            "15:13: users.U.tasks.t.steps[4]: unknown key 'stpes', did you mean "
                            "'steps'?"));
    // 40 nested groups: refused at the 33rd level's steps (its path cut short).
    EXPECT_THAT(lines[5], StartsWith("82:139: users.U.tasks.deep.steps[0].steps[0]"));
    EXPECT_THAT(lines[5], EndsWith(": nested more than 32 levels deep"));
}

TEST(group_load, a_threshold_selects_a_group_row) {
    const auto r = compile_text(R"y(host: http://h
thresholds: ["p95(GROUP checkout) < 2s", "max(GROUP pay) < 1s"]
users:
  U:
    tasks:
      t:
        steps:
          - group: checkout
            steps: [{get: /cart}]
)y");
    EXPECT_TRUE(r.result) << joined(error_lines(r));
    EXPECT_TRUE(r.warnings.empty()) << joined(warning_lines(r));
    ASSERT_TRUE(r.result);
    EXPECT_EQ(r.result->thresholds.size(), 2u);
}

TEST(nested_wait, a_nested_set_without_wait_inherits_the_classs) {
    auto p = compile_ok(R"y(host: http://h
users:
  U:
    wait: {between: [1s, 3s]}
    tasks:
      own:
        wait: 0s
        tasks: {a: {get: /a}}
      inherit:
        tasks:
          b: {get: /b}
          deeper: {tasks: {c: {get: /c}}}
  Open:
    arrival: {rate: 1/s}
    tasks:
      n: {tasks: {d: {get: /d}}}
)y");
    ASSERT_TRUE(p);
    const auto& root = p->users[0].root;
    const auto& own = *root.tasks[0].nested;
    EXPECT_EQ(own.wait.how, wait_spec::kind::none);
    EXPECT_FALSE(own.wait_inherited);
    const auto& inherit = *root.tasks[1].nested;
    EXPECT_EQ(inherit.wait.how, wait_spec::kind::between);
    EXPECT_EQ(inherit.wait.min, std::chrono::seconds(1));
    EXPECT_EQ(inherit.wait.max, std::chrono::seconds(3));
    EXPECT_TRUE(inherit.wait_inherited);
    // Deeper sets take the user class's wait too, as Locust's TaskSet does.
    const auto& deeper = *inherit.tasks[1].nested;
    EXPECT_EQ(deeper.wait.how, wait_spec::kind::between);
    EXPECT_TRUE(deeper.wait_inherited);
    // An open class has no wait between tasks: neither have its nested sets.
    EXPECT_EQ(p->users[1].root.tasks[0].nested->wait.how, wait_spec::kind::none);
}

}  // namespace
}  // namespace swarm::scenario::testing
