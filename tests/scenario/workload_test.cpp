// The workload model's scenario keys compile to the plan values the master
// and workers run: `load: {stages, iterations}`, a class's `arrival:`, task
// `tags:`/`weight: 0`, and the --tags/--exclude-tags filter (Locust's rules).
#include <gmock/gmock.h>

#include "common/scenario/rate_text.hpp"
#include "tests/scenario/compile_helpers.hpp"

namespace swarm::scenario {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::compile_ok;
using testing::compile_tagged;
using testing::compile_text;
using ::testing::ElementsAre;
using testing::error_lines;
using ::testing::IsEmpty;
using testing::warning_lines;

// Task names of a set, in order.
std::vector<std::string> names(const task_set& set) {
    std::vector<std::string> out;
    for (const auto& t : set.tasks) out.push_back(t.name);
    return out;
}

TEST(workload_test, load_stages_and_iterations) {
    auto p = compile_ok(R"y(host: http://h
load:
  stages:
    - {duration: 30s, users: 100, rate: 10}
    - {duration: 1m, users: 500}
    - {duration: 30s, users: 0, rate: 2.5}
    - {duration: 10s, users: 0}
  iterations: 1000
  run_time: 5m
users: {A: {tasks: {t: {get: /}}}}
)y");
    ASSERT_TRUE(p);
    const auto& s = p->load.stages;
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(s[0].length, seconds(30));
    EXPECT_EQ(s[0].users, 100);
    EXPECT_DOUBLE_EQ(s[0].rate, 10);
    EXPECT_EQ(s[0].where.line, 4);
    EXPECT_EQ(s[0].where.column, 7);
    // Without a rate, as --stages: the change happens within one second.
    EXPECT_EQ(s[1].length, minutes(1));
    EXPECT_EQ(s[1].users, 500);
    EXPECT_DOUBLE_EQ(s[1].rate, 400);
    EXPECT_DOUBLE_EQ(s[2].rate, 2.5);
    EXPECT_DOUBLE_EQ(s[3].rate, 1);  // no change: at least 1/s
    EXPECT_EQ(p->load.iterations, 1000);
    EXPECT_EQ(p->load.run_time, minutes(5));
    EXPECT_FALSE(p->load.users);
    EXPECT_FALSE(p->load.spawn_rate);
}

TEST(workload_test, iterations_alone_keep_users_and_spawn_rate) {
    auto p = compile_ok(
        "host: http://h\nload: {users: 10, spawn_rate: 5, iterations: 1}\n"
        "users: {A: {tasks: {t: {get: /}}}}\n");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->load.users, 10);
    EXPECT_EQ(p->load.spawn_rate, 5);
    EXPECT_EQ(p->load.iterations, 1);
    EXPECT_THAT(p->load.stages, IsEmpty());
}

TEST(workload_test, constant_arrival_rate_with_default_pool) {
    auto r = compile_text(R"y(host: http://h
users:
  Shop:
    arrival: {rate: 200/s}
    tasks: {buy: {post: /buy}}
)y");
    ASSERT_TRUE(r.result) << testing::joined(error_lines(r));
    const auto& a = r.result->users.at(0).arrival;
    ASSERT_TRUE(a);
    ASSERT_EQ(a->stages.size(), 1u);
    EXPECT_EQ(a->stages[0].length.count(), 0);  // held until the test ends
    EXPECT_DOUBLE_EQ(a->stages[0].per_second, 200);
    EXPECT_DOUBLE_EQ(a->start_rate, 200);
    EXPECT_EQ(a->max_users, 2000);  // 10 × 200/s
    EXPECT_EQ(a->pre_allocate, 10);
    EXPECT_EQ(a->spacing, arrival_spec::distribution::constant);
    EXPECT_THAT(warning_lines(r),
                ElementsAre("4:14: users.Shop.arrival: no `max_users`: the pool is bounded at 2000 "
                            "users (10 × the peak rate 200/s, at least 100); an arrival finding "
                            "every user busy is dropped — set max_users for your iterations' "
                            "duration"));
}

TEST(workload_test, rate_units) {
    const std::pair<const char*, double> cases[] = {{"200/s", 200},        {"12000/m", 200},
                                                    {"30/h", 30.0 / 3600}, {"50", 50},
                                                    {"0.5/s", 0.5},        {"1e3/s", 1000}};
    for (const auto& [text, per_second] : cases) {
        auto p = compile_ok(std::string("host: http://h\nusers: {S: {arrival: {rate: ") + text +
                            ", max_users: 5}, tasks: {t: {get: /}}}}\n");
        ASSERT_TRUE(p) << text;
        EXPECT_DOUBLE_EQ(p->users[0].arrival->stages[0].per_second, per_second) << text;
        EXPECT_DOUBLE_EQ(*parse_rate(text), per_second) << text;
    }
    EXPECT_EQ(format_rate(200), "200/s");
    EXPECT_EQ(format_rate(0.5), "0.5/s");
    EXPECT_EQ(format_rate(30.0 / 3600), "30/h");
    EXPECT_EQ(format_rate(2.0 / 60), "2/m");
    EXPECT_EQ(format_rate(1e8), "100000000/s");
    EXPECT_EQ(*parse_rate("0/s"), 0);
}

TEST(workload_test, arrival_stages_with_pool_and_distribution) {
    auto r = compile_text(R"y(host: http://h
users:
  Shop:
    arrival:
      stages:
        - {duration: 1m, rate: 50/s}
        - {duration: 5m, rate: 500/s}
        - {duration: 30s, rate: 0/s}
      start_rate: 0/s
      max_users: 2000
      pre_allocate: 100
      distribution: poisson
    tasks: {buy: {post: /buy}}
)y");
    ASSERT_TRUE(r.result) << testing::joined(error_lines(r));
    EXPECT_THAT(r.warnings, IsEmpty());
    const auto& a = *r.result->users.at(0).arrival;
    ASSERT_EQ(a.stages.size(), 3u);
    EXPECT_EQ(a.stages[0].length, minutes(1));
    EXPECT_DOUBLE_EQ(a.stages[0].per_second, 50);
    EXPECT_EQ(a.stages[1].length, minutes(5));
    EXPECT_DOUBLE_EQ(a.stages[1].per_second, 500);
    EXPECT_DOUBLE_EQ(a.stages[2].per_second, 0);
    EXPECT_EQ(a.stages[1].where.line, 7);
    EXPECT_DOUBLE_EQ(a.start_rate, 0);
    EXPECT_EQ(a.max_users, 2000);
    EXPECT_EQ(a.pre_allocate, 100);
    EXPECT_EQ(a.spacing, arrival_spec::distribution::poisson);
}

TEST(workload_test, stages_start_at_the_first_stage_rate_and_small_pools_hold_100) {
    auto r = compile_text(
        "host: http://h\nusers:\n  S:\n    arrival: {stages: [{duration: 10s, rate: 3/s}, "
        "{duration: 10s, rate: 7/s}]}\n    tasks: {t: {get: /}}\n");
    ASSERT_TRUE(r.result) << testing::joined(error_lines(r));
    const auto& a = *r.result->users[0].arrival;
    EXPECT_DOUBLE_EQ(a.start_rate, 3);
    EXPECT_EQ(a.max_users, 100);  // 10 × 7/s = 70, at least 100
    EXPECT_EQ(a.pre_allocate, 10);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_THAT(r.warnings[0].message, ::testing::HasSubstr("bounded at 100 users"));

    auto small = compile_ok(
        "host: http://h\nusers: {S: {arrival: {rate: 1/s, max_users: 4}, tasks: {t: {get: /}}}}\n");
    ASSERT_TRUE(small);
    EXPECT_EQ(small->users[0].arrival->pre_allocate, 4);  // min(max_users, 10)
}

TEST(workload_test, open_class_ignores_wait_with_a_warning_and_mixes_with_closed) {
    auto r = compile_text(R"y(host: http://h
users:
  Browser:
    wait: 1s
    tasks: {b: {get: /}}
  Shop:
    arrival: {rate: 20/s, max_users: 50}
    wait: {between: [1s, 2s]}
    tasks: {s: {get: /}}
)y");
    ASSERT_TRUE(r.result) << testing::joined(error_lines(r));
    EXPECT_THAT(
        warning_lines(r),
        ElementsAre("8:5: users.Shop.wait: `wait` is ignored in an open class: each "
                    "arrival runs one task, with no wait (the arrival rate sets the pace)"));
    EXPECT_FALSE(r.result->users[0].arrival);
    EXPECT_EQ(r.result->users[0].root.wait.how, wait_spec::kind::constant);
    EXPECT_TRUE(r.result->users[1].arrival);
    EXPECT_EQ(r.result->users[1].root.wait.how, wait_spec::kind::none);
}

TEST(workload_test, tags_and_disabled_tasks) {
    auto p = compile_ok(R"y(host: http://h
users:
  A:
    tasks:
      index: {weight: 3, get: /, tags: [browse, fast]}
      old: {weight: 0, get: /old}
      one: {tags: single, steps: [{get: /one}]}
      cart:
        weight: 2
        tags: [checkout]
        tasks: {add: {get: /add}, gone: {weight: 0, get: /gone}}
)y");
    ASSERT_TRUE(p);
    const auto& root = p->users[0].root;
    // A disabled task is never picked: it is not in the plan at all.
    EXPECT_THAT(names(root), ElementsAre("index", "one", "cart"));
    EXPECT_THAT(root.tasks[0].tags, ElementsAre("browse", "fast"));
    EXPECT_THAT(root.tasks[1].tags, ElementsAre("single"));
    EXPECT_THAT(root.tasks[2].tags, ElementsAre("checkout"));
    EXPECT_THAT(root.cumulative_weights, ElementsAre(3, 4, 6));
    EXPECT_THAT(names(*root.tasks[2].nested), ElementsAre("add"));
    EXPECT_THAT(root.tasks[2].nested->cumulative_weights, ElementsAre(1));
}

const char* tagged_scenario = R"y(host: http://h
users:
  Browser:
    tasks:
      index: {weight: 3, get: /, tags: [browse]}
      about: {get: /about, tags: [browse, slow]}
      plain: {get: /plain}
      cart:
        tags: checkout
        tasks:
          add: {weight: 2, get: /add}
          pay: {get: /pay, tags: [slow]}
          deep:
            tasks: {inner: {get: /inner, tags: [slow]}}
  Shop:
    arrival: {rate: 10/s, max_users: 100}
    tasks: {buy: {post: /buy, tags: [checkout]}}
  Reader:
    tasks: {read: {get: /read, tags: [browse]}}
)y";

TEST(workload_test, include_tags_keep_tagged_tasks_and_nested_sets_inherit_tags) {
    auto r = compile_tagged(tagged_scenario, {"checkout"});
    ASSERT_TRUE(r.result) << testing::joined(error_lines(r));
    const auto& p = *r.result;
    ASSERT_EQ(p.users.size(), 2u);
    EXPECT_EQ(p.users[0].name, "Browser");
    EXPECT_EQ(p.users[1].name, "Shop");
    // cart's tag is its tasks' tag (Locust's @tag on a TaskSet).
    EXPECT_THAT(names(p.users[0].root), ElementsAre("cart"));
    EXPECT_THAT(p.users[0].root.cumulative_weights, ElementsAre(1));
    const auto& cart = *p.users[0].root.tasks[0].nested;
    EXPECT_THAT(names(cart), ElementsAre("add", "pay", "deep"));
    EXPECT_THAT(cart.cumulative_weights, ElementsAre(2, 3, 4));
    EXPECT_THAT(warning_lines(r),
                ElementsAre("18:3: users.Reader: no task of user class 'Reader' is left after "
                            "--tags/--exclude-tags: the class does not run"));
}

TEST(workload_test, exclude_tags_drop_tasks_and_empty_nested_sets) {
    auto r = compile_tagged(tagged_scenario, {}, {"slow"});
    ASSERT_TRUE(r.result) << testing::joined(error_lines(r));
    const auto& p = *r.result;
    ASSERT_EQ(p.users.size(), 3u);
    EXPECT_THAT(names(p.users[0].root), ElementsAre("index", "plain", "cart"));
    EXPECT_THAT(p.users[0].root.cumulative_weights, ElementsAre(3, 4, 5));
    // deep's only task is slow: deep goes with it.
    EXPECT_THAT(names(*p.users[0].root.tasks[2].nested), ElementsAre("add"));
    EXPECT_THAT(r.warnings, IsEmpty());
}

TEST(workload_test, include_and_exclude_together) {
    auto r = compile_tagged(tagged_scenario, {"browse", "checkout"}, {"slow"});
    ASSERT_TRUE(r.result) << testing::joined(error_lines(r));
    const auto& p = *r.result;
    ASSERT_EQ(p.users.size(), 3u);
    EXPECT_THAT(names(p.users[0].root), ElementsAre("index", "cart"));  // plain has no tag
    EXPECT_THAT(names(*p.users[0].root.tasks[1].nested), ElementsAre("add"));
    EXPECT_THAT(names(p.users[2].root), ElementsAre("read"));
}

TEST(workload_test, a_nested_set_stays_for_its_one_included_task) {
    // --tags slow: only `pay` and `deep.inner` in cart, `about` at the root;
    // the unfiltered compile of the same text keeps every task.
    auto all = compile_tagged(tagged_scenario, {});
    auto some = compile_tagged(tagged_scenario, {"slow"});
    ASSERT_TRUE(all.result);
    ASSERT_TRUE(some.result);
    EXPECT_THAT(names(*all.result->users[0].root.tasks[3].nested),
                ElementsAre("add", "pay", "deep"));
    EXPECT_THAT(names(*some.result->users[0].root.tasks[1].nested), ElementsAre("pay", "deep"));
    EXPECT_THAT(names(some.result->users[0].root), ElementsAre("about", "cart"));
}

TEST(workload_test, no_task_left_is_an_error_and_unknown_tags_are_named) {
    auto r = compile_tagged(tagged_scenario, {"chekout"});
    EXPECT_FALSE(r.result);
    EXPECT_THAT(error_lines(r),
                ElementsAre("2:1: users: no task left after --tags/--exclude-tags (every user "
                            "class is left out)"));
    ASSERT_FALSE(r.warnings.empty());
    EXPECT_EQ(warning_lines(r)[0],
              "0:0: : --tags 'chekout' is the tag of no task, did you mean 'checkout'?");
    EXPECT_EQ(r.warnings.size(), 4u);  // and one per class left out

    auto excluded = compile_tagged(tagged_scenario, {}, {"nope"});
    ASSERT_TRUE(excluded.result);
    EXPECT_THAT(warning_lines(excluded),
                ElementsAre("0:0: : --exclude-tags 'nope' is the tag of no task"));
}

}  // namespace
}  // namespace swarm::scenario
