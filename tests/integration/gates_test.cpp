// Thresholds end to end: `swarm run --headless` against `swarm target`, the
// exit code each verdict gives (0 passed, 3 failed, 2 a bad --threshold),
// an abort that ends a 30 s test within seconds with the target's counts
// still equal to swarm's, and `swarm check` printing the parsed thresholds.
// (The JSON result's "thresholds" and "stop_reason" belong to other parts:
// these tests read the exit code, the time taken and the printed events.)
#include <gmock/gmock.h>

#include <chrono>

#include "tests/integration/run_support.hpp"
#include "tests/support/swarm_command.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using clock_type = std::chrono::steady_clock;

// Two users (-H sets the target), each asking for /about every 50 ms (and /status/500 when
// `failing`).
std::string gate_scenario(const std::string& name, bool failing, const std::string& thresholds) {
    std::string yaml = R"y(
host: http://127.0.0.1:1
users:
  Gate:
    wait: {constant: 50ms}
    tasks:
      ok: {get: /about}
)y";
    if (failing) yaml += "      bad: {get: /status/500}\n";
    return write_scenario(name, yaml + thresholds);
}

double seconds_since(clock_type::time_point start) {
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

void expect_counts_match(const run_outcome& run, const target_counts& seen) {
    ASSERT_TRUE(run.result.is_object()) << run.output;
    EXPECT_GT(total_requests(run.result), 0) << run.output;
    EXPECT_EQ(total_requests(run.result), seen.total) << run.output;
}

TEST(gates_integration_test, thresholds_that_pass_exit_0) {
    auto target = start_target({"--threads", "1"});
    const auto path = gate_scenario("pass.yaml", false, R"y(thresholds:
  - p95(GET /about) < 5s
  - failures == 0
  - checks > 99%
  - requests(/about) >= 2
)y");
    const auto run = run_swarm(path, {"-H", target.url, "-u", "2", "-r", "10", "-t", "2s"}, 20);
    EXPECT_EQ(run.exit_code, 0) << run.output;
    expect_counts_match(run, read_target_stats(target.url));
    EXPECT_EQ(total_failures(run.result), 0) << run.output;
}

TEST(gates_integration_test, a_failing_threshold_exits_3_after_the_whole_run) {
    auto target = start_target({"--threads", "1"});
    const auto path = gate_scenario("fail.yaml", true, "thresholds: [fail_ratio < 1%]\n");
    const auto start = clock_type::now();
    const auto run = run_swarm(path, {"-H", target.url, "-u", "2", "-r", "10", "-t", "2s"}, 20);
    EXPECT_EQ(run.exit_code, 3) << run.output;
    EXPECT_GE(seconds_since(start), 2.0);  // no abort: the test ran to its end
    EXPECT_THAT(run.output, HasSubstr("Run time limit reached"));
    EXPECT_THAT(run.output, Not(HasSubstr("Threshold failed, aborting")));
    expect_counts_match(run, read_target_stats(target.url));
    EXPECT_GT(total_failures(run.result), 0);
}

TEST(gates_integration_test, abort_on_fail_ends_a_30s_test_within_seconds) {
    auto target = start_target({"--threads", "1"});
    const auto path = gate_scenario("abort.yaml", true, R"y(thresholds:
  - requests > 0
  - {expression: "failures(GET /status/500) == 0", abort_on_fail: true, delay: 1s}
)y");
    const auto start = clock_type::now();
    const auto run = run_swarm(path, {"-H", target.url, "-u", "2", "-r", "10", "-t", "30s"}, 25);
    const double took = seconds_since(start);
    EXPECT_EQ(run.exit_code, 3) << run.output;
    EXPECT_GE(took, 1.0);  // not before the delay
    EXPECT_LT(took, 8.0) << run.output;
    EXPECT_THAT(run.output,
                HasSubstr("Threshold failed, aborting: failures(GET /status/500) == 0"));
    EXPECT_THAT(run.output, Not(HasSubstr("Run time limit reached")));
    // Stopped as a stop stops: every request sent is counted, the result is complete.
    expect_counts_match(run, read_target_stats(target.url));
    const auto by_entry = requests_by_entry(run.result);
    EXPECT_GT(by_entry.at("GET /status/500"), 0);
    EXPECT_EQ(total_failures(run.result), by_entry.at("GET /status/500"));
}

TEST(gates_integration_test, threshold_option_adds_to_the_scenarios) {
    auto target = start_target({"--threads", "1"});
    const auto path = gate_scenario("cli.yaml", false, "thresholds: [requests > 0]\n");
    // Every real request takes more than 1 µs: this one fails.
    const auto failed =
        run_swarm(path,
                  {"-H", target.url, "-u", "1", "-r", "10", "-t", "1s", "--threshold",
                   "failures == 0", "--threshold", "max(GET /about) < 1us"},
                  20);
    EXPECT_EQ(failed.exit_code, 3) << failed.output;
    // An abort from the command line, with its delay (a fresh target: its own counts).
    auto second = start_target({"--threads", "1"});
    const auto start = clock_type::now();
    const auto aborted =
        run_swarm(path,
                  {"-H", second.url, "-u", "1", "-r", "10", "-t", "30s", "--threshold",
                   "max(GET /about) < 1us; abort_on_fail; delay=1s"},
                  25);
    EXPECT_EQ(aborted.exit_code, 3) << aborted.output;
    EXPECT_LT(seconds_since(start), 8.0) << aborted.output;
    EXPECT_THAT(aborted.output, HasSubstr("Threshold failed, aborting: max(GET /about) < 1us ("));
    expect_counts_match(aborted, read_target_stats(second.url));
}

TEST(gates_integration_test, a_bad_threshold_option_exits_2_with_the_message) {
    const auto path = gate_scenario("bad.yaml", false, "");
    const auto run =
        run_swarm(path, {"-H", "http://127.0.0.1:1", "-t", "1s", "--threshold", "p95 < 2OOms"}, 20);
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_THAT(run.output,
                HasSubstr("swarm run: --threshold 'p95 < 2OOms': at column 8: unknown unit "
                          "'OOms'"));
    const auto cls = run_swarm(
        path,
        {"-H", "http://127.0.0.1:1", "-t", "1s", "--threshold", "iterations(class:Nobody) > 1"},
        20);
    EXPECT_EQ(cls.exit_code, 2) << cls.output;
    EXPECT_THAT(cls.output, HasSubstr("no user class 'Nobody'"));
    // The same checks as the scenario's: a tag no task has would count 0 and pass.
    const auto tag = run_swarm(
        path, {"-H", "http://127.0.0.1:1", "-t", "1s", "--threshold", "failures(tag:nope) == 0"},
        20);
    EXPECT_EQ(tag.exit_code, 2) << tag.output;
    EXPECT_THAT(tag.output, HasSubstr("no task has the tag 'nope'"));
}

TEST(gates_integration_test, a_bad_scenario_threshold_exits_2_with_its_place) {
    const auto path =
        gate_scenario("bad_key.yaml", false, "thresholds:\n  - p95(GET /about) < 2OOms\n");
    const auto run = run_swarm(path, {"-H", "http://127.0.0.1:1", "-t", "1s"}, 20);
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_THAT(run.output, HasSubstr(":9:5: thresholds[0]: p95(GET /about) < 2OOms: at column 20: "
                                      "unknown unit 'OOms'"));
}

TEST(gates_integration_test, check_prints_each_threshold_as_parsed) {
    const auto path = gate_scenario("check.yaml", false, R"y(thresholds:
  - p95(GET  /about)<200
  - {expression: "fail_ratio < 1%", abort_on_fail: true, delay: 30s}
)y");
    const auto done = run_swarm_command({"check", path}, 20);
    EXPECT_EQ(done.exit_code, 0) << done.output;
    EXPECT_THAT(done.output, HasSubstr("  threshold: p95(GET /about) < 200ms\n"));
    EXPECT_THAT(done.output, HasSubstr("  threshold: fail_ratio < 1%, abort_on_fail, delay 30s\n"));
}

}  // namespace
}  // namespace swarm::test
