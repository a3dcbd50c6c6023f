// Task ratios through user weights and nested task sets.
#include <gmock/gmock.h>

#include "common/scenario/ratio.hpp"
#include "tests/scenario/compile_helpers.hpp"

namespace swarm::scenario {
namespace {

using ::testing::HasSubstr;

TEST(ratio_test, seed_example_ratios_match_locust) {
    auto r = load_file(std::string(SWARM_SOURCE_DIR) + "/scenarios/website.yaml");
    ASSERT_TRUE(r.result);
    const auto ratios = task_ratios(*r.result);
    ASSERT_EQ(ratios.size(), 1u);
    ASSERT_EQ(ratios[0].tasks.size(), 3u);
    EXPECT_DOUBLE_EQ(ratios[0].tasks[0].of_total, 0.625);
    EXPECT_DOUBLE_EQ(ratios[0].tasks[1].of_total, 0.3125);
    EXPECT_DOUBLE_EQ(ratios[0].tasks[2].of_total, 0.0625);
    const auto text = format_ratios(ratios);
    EXPECT_THAT(text, HasSubstr("  62.5%  index\n"));
    EXPECT_THAT(text,
                HasSubstr("  31.2%  about\n"));  // one decimal, half to even, as Locust prints
    EXPECT_THAT(text, HasSubstr("   6.2%  contact_us\n"));
}

TEST(ratio_test, user_weights_and_nested_sets_multiply) {
    auto p = testing::compile_ok(R"y(
host: http://h
users:
  A:
    weight: 3
    tasks:
      a1: {weight: 1, get: /}
      nested:
        weight: 3
        tasks: {n1: {weight: 1, get: /}, n2: {weight: 2, get: /}}
  B:
    weight: 1
    tasks: {b1: {get: /}}
  Fixed:
    fixed_count: 2
    tasks: {f: {get: /}}
)y");
    ASSERT_TRUE(p);
    const auto ratios = task_ratios(*p);
    ASSERT_EQ(ratios.size(), 3u);
    EXPECT_DOUBLE_EQ(ratios[0].share, 0.75);
    EXPECT_DOUBLE_EQ(ratios[1].share, 0.25);
    EXPECT_DOUBLE_EQ(ratios[2].share, 0.0);
    const auto& nested = ratios[0].tasks[1];
    EXPECT_DOUBLE_EQ(nested.within_parent, 0.75);
    ASSERT_EQ(nested.children.size(), 2u);
    EXPECT_DOUBLE_EQ(nested.children[1].within_parent, 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(nested.children[1].of_class, 0.5);
    EXPECT_DOUBLE_EQ(nested.children[1].of_total, 0.375);
    EXPECT_DOUBLE_EQ(ratios[1].tasks[0].of_total, 0.25);
    EXPECT_THAT(format_ratios(ratios), HasSubstr("fixed   Fixed (2 users, not weighted)"));
}

TEST(ratio_test, sequential_sets_count_each_task_once) {
    auto p = testing::compile_ok(
        "host: http://h\nusers: {A: {tasks: {s: {sequential: true, tasks: {a: {weight: 9, get: /}, "
        "b: {get: /}}}}}}\n");
    ASSERT_TRUE(p);
    const auto ratios = task_ratios(*p);
    EXPECT_DOUBLE_EQ(ratios[0].tasks[0].children[0].within_parent, 0.5);
}

TEST(ratio_test, open_classes_show_their_arrival_not_a_share) {
    auto p = testing::compile_ok(R"y(
host: http://h
users:
  Browser:
    weight: 3
    tasks: {b: {get: /}}
  Reader:
    tasks: {r: {get: /}}
  Shop:
    arrival: {rate: 200/s, max_users: 2000}
    tasks: {buy: {weight: 3, post: /buy}, look: {get: /}, old: {weight: 0, get: /old}}
  Ramp:
    arrival:
      stages: [{duration: 1m, rate: 50/s}, {duration: 5m, rate: 30000/m}]
      start_rate: 0/s
      max_users: 5000
      distribution: poisson
    tasks: {r: {get: /}}
)y");
    ASSERT_TRUE(p);
    const auto ratios = task_ratios(*p);
    ASSERT_EQ(ratios.size(), 4u);
    // The open classes take no share of the users: 3:1 between the closed ones.
    EXPECT_DOUBLE_EQ(ratios[0].share, 0.75);
    EXPECT_DOUBLE_EQ(ratios[1].share, 0.25);
    EXPECT_DOUBLE_EQ(ratios[2].share, 0);
    ASSERT_TRUE(ratios[2].arrival);
    ASSERT_EQ(ratios[2].tasks.size(), 2u);  // the disabled task is not listed
    EXPECT_DOUBLE_EQ(ratios[2].tasks[0].within_parent, 0.75);
    EXPECT_DOUBLE_EQ(ratios[2].tasks[0].of_total, 0);
    const auto text = format_ratios(ratios);
    EXPECT_THAT(text, HasSubstr("Task ratio per user class\n" + std::string(60, '-') +
                                "\n   75.0%  Browser\n"));
    EXPECT_THAT(text, HasSubstr("  open    Shop  arrival 200/s, max_users 2000\n"
                                "    75.0%  buy\n    25.0%  look\n"));
    EXPECT_THAT(text, HasSubstr("\n  open    Shop  arrival 200/s, max_users 2000\n"
                                "    75.0%  buy\n"));
    EXPECT_THAT(text, HasSubstr("  open    Ramp  arrival from 0/s: to 50/s over 1m, to 500/s "
                                "over 5m, max_users 5000, poisson\n"));
    EXPECT_THAT(text, HasSubstr("  75.0%  Browser\n"));
    EXPECT_THAT(text, ::testing::Not(HasSubstr("old")));
}

TEST(ratio_test, ratios_after_the_tag_filter) {
    auto r = testing::compile_tagged(R"y(
host: http://h
users:
  A:
    tasks:
      a: {weight: 3, get: /, tags: [x]}
      b: {get: /}
      c: {get: /, tags: [x, slow]}
      n: {tags: [x], tasks: {n1: {get: /}, n2: {weight: 3, get: /, tags: [slow]}}}
)y",
                                     {"x"}, {"slow"});
    ASSERT_TRUE(r.result);
    const auto ratios = task_ratios(*r.result);
    ASSERT_EQ(ratios[0].tasks.size(), 2u);
    EXPECT_EQ(ratios[0].tasks[0].name, "a");
    EXPECT_DOUBLE_EQ(ratios[0].tasks[0].of_total, 0.75);
    EXPECT_EQ(ratios[0].tasks[1].name, "n");
    ASSERT_EQ(ratios[0].tasks[1].children.size(), 1u);
    EXPECT_DOUBLE_EQ(ratios[0].tasks[1].children[0].of_total, 0.25);
}

}  // namespace
}  // namespace swarm::scenario
