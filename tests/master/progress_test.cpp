// The progress line (master/report/progress.hpp): every figure in its place,
// the optional parts only when they apply, and events as log lines.
#include <gmock/gmock.h>

#include "master/report/progress.hpp"
#include "tests/support/log_capture.hpp"

namespace swarm::master::report {
namespace {

using namespace std::chrono_literals;

progress_figures running_figures() {
    progress_figures f;
    f.elapsed = 80'400ms;
    f.state = "running";
    f.users = 500;
    f.target_users = 500;
    f.requests = 41234;
    f.failures = 41;
    f.rps = 512.34;
    f.p95_us = 34'000;
    return f;
}

TEST(progress_test, line_has_time_state_users_requests_failed_rate_and_p95) {
    EXPECT_EQ(progress_line(running_figures()),
              "progress: 00:01:20 running, 500/500 users, 41234 requests (0.1 % failed), "
              "512.3 req/s, p95 34.0 ms");
}

TEST(progress_test, hours_and_small_latencies_and_no_requests_yet) {
    progress_figures f;
    f.elapsed = 3h + 2min + 5s + 999ms;
    f.state = "spawning";
    f.users = 3;
    f.target_users = 10;
    EXPECT_EQ(progress_line(f),
              "progress: 03:02:05 spawning, 3/10 users, 0 requests (0.0 % failed), 0.0 req/s, "
              "p95 -");
    f.requests = 8;
    f.failures = 8;
    f.p95_us = 420;
    EXPECT_THAT(progress_line(f), ::testing::EndsWith("8 requests (100.0 % failed), 0.0 req/s, "
                                                      "p95 0.42 ms"));
}

TEST(progress_test, thresholds_count_those_passing) {
    auto f = running_figures();
    f.thresholds = 3;
    f.thresholds_passing = 2;
    EXPECT_THAT(progress_line(f), ::testing::EndsWith("p95 34.0 ms, thresholds 2/3 passing"));
    f.thresholds_passing = 0;
    EXPECT_THAT(progress_line(f), ::testing::EndsWith(", thresholds 0/3 passing"));
}

TEST(progress_test, workload_stage_and_iterations) {
    auto f = running_figures();
    f.stage = 2;
    f.stage_count = 3;
    EXPECT_THAT(progress_line(f), ::testing::EndsWith("p95 34.0 ms, stage 2 of 3"));
    f.stage.reset();
    f.iterations_target = 1000;
    f.iterations_done = 120;
    EXPECT_THAT(progress_line(f), ::testing::EndsWith("p95 34.0 ms, iterations 120 of 1000"));
    f.thresholds = 1;
    f.thresholds_passing = 1;
    EXPECT_THAT(progress_line(f),
                ::testing::EndsWith(", thresholds 1/1 passing, iterations 120 of 1000"));
}

TEST(progress_test, warning_events_log_at_warning_level_without_the_word) {
    test::log_capture capture;
    const auto log = capture.logger("swarm master");
    log_event(log, "All users spawned: 10 users");
    log_event(log, "warning: worker a has used 95 % of its CPU");
    // format_line adds the word back for a warning: once, not twice.
    EXPECT_THAT(capture.lines(),
                ::testing::ElementsAre("swarm master: All users spawned: 10 users",
                                       "swarm master: warning: worker a has used 95 % of its CPU"));
}

}  // namespace
}  // namespace swarm::master::report
