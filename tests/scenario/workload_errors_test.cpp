// Every mistake in the workload model's keys (`load: stages/iterations`,
// `arrival:`, `tags:`, `weight: 0`) is reported with line:col, key path and
// what was expected — all at once, like every scenario error.
#include <gmock/gmock.h>

#include "common/scenario/stages_text.hpp"
#include "tests/scenario/compile_helpers.hpp"

namespace swarm::scenario {
namespace {

using testing::compile_text;
using ::testing::ElementsAre;
using testing::error_lines;
using testing::only_error;

// A scenario with `load:` written as `load` (one line of flow YAML at line 2).
std::string with_load(const std::string& load) {
    return "host: http://h\nload: " + load + "\nusers: {A: {tasks: {t: {get: /}}}}\n";
}

// A scenario whose class S is `arrival: <arrival>` (line 3, the value at column 14).
std::string with_arrival(const std::string& arrival) {
    return "host: http://h\nusers:\n  S:\n    arrival: " + arrival + "\n    tasks: {t: {get: /}}\n";
}

TEST(workload_errors_test, stages_replace_users_and_spawn_rate) {
    auto r = compile_text(
        with_load("{users: 10, spawn_rate: 2, run_time: 1m, stages: [{duration: 1s, users: 1}]}"));
    EXPECT_THAT(error_lines(r),
                ElementsAre("2:8: load.users: `users` and `stages` together: stages replace "
                            "users/spawn_rate (run_time may stay: it bounds the test)",
                            "2:19: load.spawn_rate: `spawn_rate` and `stages` together: stages "
                            "replace users/spawn_rate (run_time may stay: it bounds the test)"));
}

// A stage past a year would make a ramp the protocol refuses (every worker
// would drop the spawn); a rate under one an hour would put its next
// arrival further away than a clock holds.
TEST(workload_errors_test, stages_last_at_most_a_year_and_rates_are_at_least_one_an_hour) {
    EXPECT_EQ(only_error(with_load("{stages: [{duration: 400d, users: 1}]}")),
              "2:28: load.stages[0].duration: a stage lasts at most a year (365d), got 400d");
    EXPECT_EQ(only_error(with_arrival("{stages: [{duration: 366d, rate: 1/s}]}")),
              "4:35: users.S.arrival.stages[0].duration: a stage lasts at most a year (365d), "
              "got 366d");
    EXPECT_THAT(only_error(with_arrival("{rate: 1e-12/s}")),
                ::testing::HasSubstr("a rate above 0 is at least 1/h, got '1e-12/s'"));
    EXPECT_TRUE(compile_text(with_arrival("{rate: 1/h}")).result);
    EXPECT_TRUE(compile_text(with_load("{stages: [{duration: 365d, users: 1}]}")).result);
    EXPECT_THAT(parse_stages("400d:5").error().message, ::testing::HasSubstr("longer than a year"));
}

TEST(workload_errors_test, load_stage_values) {
    auto r = compile_text(with_load(
        "{stages: [{duration: 0s, users: 1}, {duration: soon, users: -1}, {users: 5, rate: 0}, "
        "{duration: 1s}, {duration: 1s, users: 1, rate: 2e8, ramp: 1}], iterations: 0}"));
    EXPECT_THAT(
        error_lines(r),
        ElementsAre(
            "2:28: load.stages[0].duration: must be longer than 0, got 0s",
            "2:54: load.stages[1].duration: expected a duration like 500ms, 2s or 1m30s (a bare "
            "number is seconds)",
            "2:67: load.stages[1].users: must be between 0 and 100000000, got -1",
            "2:72: load.stages[2]: a stage needs `duration:`",
            "2:89: load.stages[2].rate: must be greater than 0, got 0",
            "2:93: load.stages[3]: a stage needs `users:` (its target)",
            "2:140: load.stages[4].rate: at most 100000000 users/s, got 2e8",
            "2:145: load.stages[4]: unknown key 'ramp'",
            "2:168: load.iterations: must be between 1 and 1000000000000, got 0"));
}

TEST(workload_errors_test, empty_and_misshapen_stage_lists) {
    EXPECT_EQ(only_error(with_load("{stages: []}")), "2:16: load.stages: needs at least one stage");
    EXPECT_EQ(only_error(with_load("{stages: 30s}")),
              "2:16: load.stages: expected a list, got a scalar");
    EXPECT_EQ(only_error(with_load("{stagse: []}")),
              "2:8: load: unknown key 'stagse', did you mean 'stages'?");
    EXPECT_EQ(only_error(with_load("{iterations: -1}")),
              "2:20: load.iterations: must be between 1 and 1000000000000, got -1");
}

TEST(workload_errors_test, at_most_max_load_stages) {
    std::string many = "[";
    for (std::size_t i = 0; i <= max_load_stages; ++i) many += "{duration: 1s, users: 1},";
    many.back() = ']';
    EXPECT_EQ(only_error(with_load("{stages: " + many + "}")),
              "2:16: load.stages: at most 1000 stages, got 1001");
    EXPECT_EQ(only_error(with_arrival("{stages: " + many + ", max_users: 5}")),
              "4:23: users.S.arrival.stages: at most 1000 stages, got 1001");
    // 1000 is fine.
    many = "[";
    for (std::size_t i = 0; i < max_load_stages; ++i) many += "{duration: 1s, users: 1},";
    many.back() = ']';
    EXPECT_TRUE(compile_text(with_load("{stages: " + many + "}")).result);
}

TEST(workload_errors_test, arrival_rates) {
    EXPECT_EQ(only_error(with_arrival("{rate: 200/x, max_users: 5}")),
              "4:21: users.S.arrival.rate: unknown unit in '200/x': a rate is per second (/s), "
              "per minute (/m) or per hour (/h)");
    EXPECT_EQ(only_error(with_arrival("{rate: -5/s, max_users: 5}")),
              "4:21: users.S.arrival.rate: a rate cannot be negative, got '-5/s'");
    EXPECT_EQ(only_error(with_arrival("{rate: 0/s, max_users: 5}")),
              "4:21: users.S.arrival.rate: must be greater than 0, got 0/s (only a stage's rate "
              "may be 0, to ramp down)");
    EXPECT_EQ(only_error(with_arrival("{rate: lots, max_users: 5}")),
              "4:21: users.S.arrival.rate: expected a rate like 200/s, 12000/m or 30/h (a bare "
              "number is per second), got 'lots'");
    EXPECT_EQ(only_error(with_arrival("{rate: inf/s, max_users: 5}")),
              "4:21: users.S.arrival.rate: expected a rate like 200/s, 12000/m or 30/h (a bare "
              "number is per second), got 'inf/s'");
    EXPECT_EQ(only_error(with_arrival("{rate: 2e8/s, max_users: 5}")),
              "4:21: users.S.arrival.rate: a rate is at most 100000000/s, got '2e8/s'");
    EXPECT_EQ(only_error(with_arrival("{rate: [1], max_users: 5}")),
              "4:21: users.S.arrival.rate: expected a rate like 200/s, got a list");
}

TEST(workload_errors_test, arrival_pool) {
    EXPECT_EQ(only_error(with_arrival("{rate: 1/s, max_users: 0}")),
              "4:37: users.S.arrival.max_users: must be between 1 and 100000000, got 0");
    EXPECT_EQ(only_error(with_arrival("{rate: 1/s, max_users: -1}")),
              "4:37: users.S.arrival.max_users: must be between 1 and 100000000, got -1");
    EXPECT_EQ(only_error(with_arrival("{rate: 1/s, max_users: 50, pre_allocate: 51}")),
              "4:55: users.S.arrival.pre_allocate: pre_allocate 51 is more than max_users 50 (the "
              "pool's bound)");
    // Against the default bound too (10 × 20/s → 200).
    EXPECT_EQ(only_error(with_arrival("{rate: 20/s, pre_allocate: 201}")),
              "4:41: users.S.arrival.pre_allocate: pre_allocate 201 is more than max_users 200 "
              "(the pool's bound)");
    EXPECT_EQ(only_error(with_arrival("{rate: 1/s, max_users: 5, distribution: possion}")),
              "4:54: users.S.arrival.distribution: unknown distribution 'possion', did you mean "
              "'poisson'? (constant or poisson)");
    EXPECT_EQ(only_error(with_arrival("{rate: 1/s, max_user: 5}")),
              "4:26: users.S.arrival: unknown key 'max_user', did you mean 'max_users'?");
}

TEST(workload_errors_test, arrival_shape) {
    EXPECT_EQ(only_error(with_arrival("{rate: 1/s, stages: [{duration: 1s, rate: 2/s}]}")),
              "4:26: users.S.arrival.stages: `rate` and `stages` together: a constant rate or "
              "stages, not both");
    // Both together: still every other mistake of the arrival.
    auto both = compile_text(with_arrival(
        "{rate: 1/s, stages: [{duration: 1s, rate: 2/s}], max_users: 0, distribution: x}"));
    EXPECT_THAT(error_lines(both),
                ElementsAre("4:26: users.S.arrival.stages: `rate` and `stages` together: a "
                            "constant rate or stages, not both",
                            "4:74: users.S.arrival.max_users: must be between 1 and 100000000, "
                            "got 0",
                            "4:91: users.S.arrival.distribution: unknown distribution 'x' "
                            "(constant or poisson)"));
    EXPECT_EQ(only_error(with_arrival("{max_users: 5}")),
              "4:14: users.S.arrival: an arrival needs `rate:` (like 200/s) or `stages:`");
    EXPECT_EQ(only_error(with_arrival("200/s")),
              "4:14: users.S.arrival: expected an arrival rate: {rate: 200/s} or {stages: "
              "[{duration: 1m, rate: 50/s}, ...]}, got a scalar");
    EXPECT_EQ(only_error(with_arrival("{rate: 1/s, start_rate: 0/s, max_users: 5}")),
              "4:26: users.S.arrival.start_rate: `start_rate` applies to `stages` only (a "
              "constant rate starts at its rate)");
    EXPECT_EQ(only_error(with_arrival("{stages: [{duration: 1s, rate: 0/s}], max_users: 5}")),
              "4:15: users.S.arrival.stages: every rate is 0: this class would never start an "
              "iteration");
    auto r = compile_text(with_arrival(
        "{stages: [{duration: 0s, rate: 1/s}, {rate: 2/s}, {duration: 1s}, {duration: 1s, rate: "
        "-1/s, users: 3}], start_rate: -2/s, max_users: 5}"));
    EXPECT_THAT(
        error_lines(r),
        ElementsAre("4:35: users.S.arrival.stages[0].duration: must be longer than 0, got 0s",
                    "4:51: users.S.arrival.stages[1]: a stage needs `duration:`",
                    "4:64: users.S.arrival.stages[2]: a stage needs `rate:` (the rate it ends at)",
                    "4:101: users.S.arrival.stages[3].rate: a rate cannot be negative, got '-1/s'",
                    "4:107: users.S.arrival.stages[3]: unknown key 'users'",
                    "4:131: users.S.arrival.start_rate: a rate cannot be negative, got '-2/s'"));
}

TEST(workload_errors_test, arrival_with_weight_or_fixed_count) {
    auto r = compile_text(
        "host: http://h\nusers:\n  S:\n    weight: 2\n    fixed_count: 3\n    arrival: {rate: "
        "1/s, max_users: 5}\n    tasks: {t: {get: /}}\n");
    EXPECT_THAT(error_lines(r),
                ElementsAre("4:5: users.S.weight: `arrival` and `weight` together: an open "
                            "class's users are a pool its arrival rate draws on (max_users), "
                            "weight and fixed_count are for closed classes",
                            "5:5: users.S.fixed_count: `arrival` and `fixed_count` together: an "
                            "open class's users are a pool its arrival rate draws on (max_users), "
                            "weight and fixed_count are for closed classes"));
    EXPECT_EQ(
        only_error("host: http://h\nusers: {S: {arival: {rate: 1/s}, tasks: {t: {get: /}}}}\n"),
        "2:13: users.S: unknown key 'arival', did you mean 'arrival'?");
}

TEST(workload_errors_test, tags_and_weights) {
    EXPECT_EQ(only_error("host: http://h\nusers: {A: {tasks: {t: {weight: -2, get: /}}}}\n"),
              "2:33: users.A.tasks.t.weight: must be 0 or more, got -2");
    EXPECT_EQ(
        only_error("host: http://h\nusers: {A: {tasks: {a: {weight: 0, get: /}, b: {weight: 0, "
                   "get: /}}}}\n"),
        "2:20: users.A.tasks: every task has weight 0 (disabled): at least one must be able to "
        "run");
    EXPECT_EQ(only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, tags: [a, {b: 1}]}}}}\n"),
              "2:43: users.A.tasks.t.tags[1]: expected text, got a map");
    EXPECT_EQ(only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, tags: [\"a,b\"]}}}}\n"),
              "2:40: users.A.tasks.t.tags[0]: a tag is 1 to 255 bytes without a comma, got 'a,b'");
    EXPECT_EQ(only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, tags: [a, \"\"]}}}}\n"),
              "2:43: users.A.tasks.t.tags[1]: a tag is 1 to 255 bytes without a comma, got ''");
    EXPECT_EQ(only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, tags: \"\"}}}}\n"),
              "2:39: users.A.tasks.t.tags: a tag is 1 to 255 bytes without a comma, got ''");
    EXPECT_EQ(only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, tag: [a]}}}}\n"),
              "2:33: users.A.tasks.t: unknown key 'tag' in a request, did you mean 'tags'?");
    EXPECT_EQ(
        only_error("host: http://h\nusers: {A: {tasks: {t: {steps: [{get: /}], tgas: [a]}}}}\n"),
        "2:44: users.A.tasks.t: unknown key 'tgas', did you mean 'tags'?");
}

}  // namespace
}  // namespace swarm::scenario
