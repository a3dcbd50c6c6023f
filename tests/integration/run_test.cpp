// `swarm run --headless` against `swarm target`: what swarm reports equals
// what the target saw — nothing lost, nothing invented — and failures come
// with the right messages and exit codes.
#include <gmock/gmock.h>

#include <sys/resource.h>
#include <boost/json/parse.hpp>

#include <csignal>
#include <fstream>
#include <thread>

#include "tests/integration/run_support.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/files.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {
namespace {

using ::testing::HasSubstr;

std::string scenario(const char* name) {
    return std::string(SWARM_SOURCE_DIR) + "/scenarios/" + name;
}

void expect_counts_match(const run_outcome& run, const target_counts& seen) {
    ASSERT_TRUE(run.result.is_object()) << run.output;
    EXPECT_GT(total_requests(run.result), 0) << run.output;
    EXPECT_EQ(total_requests(run.result), seen.total) << run.output;
}

TEST(run_integration_test, seed_scenario_counts_equal_the_targets) {
    auto target = start_target();
    // The seed waits 1-15 s between tasks: many users, few requests each.
    const auto run = run_swarm(scenario("website.yaml"), {"-H", target.url, "-u", "40", "-r", "40",
                                                          "-t", "4s", "--threads", "2"});
    EXPECT_EQ(run.exit_code, 0) << run.output;
    const auto seen = read_target_stats(target.url);
    expect_counts_match(run, seen);
    auto ours = requests_by_entry(run.result);
    // Every user signed in exactly once; names here are the paths as written.
    EXPECT_EQ(ours.at("POST /user/signin"), 40);
    for (const auto& [route, count] : seen.requests) {
        EXPECT_EQ(ours[route], count) << route;
    }
    EXPECT_THAT(run.output, HasSubstr("Aggregated"));
}

// Each user holds a connection. Started with a soft limit of 128 open files
// (Debian's default is 1024) and a higher hard one, swarm raises its own
// limit, so 300 users connect without "Too many open files".
TEST(run_integration_test, more_users_than_the_soft_open_file_limit_all_connect) {
    rlimit original{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &original), 0);
    if (original.rlim_max < 1024) GTEST_SKIP() << "hard open-file limit below 1024";
    auto target = start_target({"--threads", "1"});
    const auto path = write_scenario("holders.yaml", R"y(
users:
  Holder:
    wait: {constant: 10s}
    tasks:
      index: {get: /}
)y");
    rlimit low = original;
    low.rlim_cur = 128;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);  // inherited by the swarm process
    const auto run = run_swarm(
        path, {"-H", target.url, "-u", "300", "-r", "1000", "-t", "3s", "--threads", "1"});
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &original), 0);
    EXPECT_EQ(run.exit_code, 0) << run.output;
    expect_counts_match(run, read_target_stats(target.url));
    EXPECT_EQ(total_requests(run.result), 300) << run.output;
    EXPECT_EQ(total_failures(run.result), 0) << run.output;
}

TEST(run_integration_test, busy_users_with_zero_wait_lose_nothing) {
    auto target = start_target({"--threads", "1"});
    const auto path = write_scenario("busy.yaml", R"y(
users:
  Busy:
    tasks:
      index: {weight: 3, get: /}
      about: {weight: 1, get: /about, check: {body_contains: Founded}}
      item: {weight: 1, get: "/api/items/{{ rand_int(1, 100) }}", name: "/api/items/[id]"}
)y");
    const auto run =
        run_swarm(path, {"-H", target.url, "-u", "20", "-r", "100", "-t", "3s", "--threads", "2"});
    EXPECT_EQ(run.exit_code, 0) << run.output;
    expect_counts_match(run, read_target_stats(target.url));
    EXPECT_EQ(total_failures(run.result), 0);
    EXPECT_GT(total_requests(run.result), 200);
}

TEST(run_integration_test, every_example_scenario_runs_and_counts_match) {
    for (auto name : {"autocomplete.yaml", "api.yaml", "shop.yaml"}) {
        SCOPED_TRACE(name);
        auto target = start_target();
        const auto run =
            run_swarm(scenario(name), {"-H", target.url, "-u", "6", "-r", "20", "-t", "3s"});
        EXPECT_NE(run.exit_code, 2) << run.output;
        expect_counts_match(run, read_target_stats(target.url));
    }
}

TEST(run_integration_test, failures_have_clear_messages_and_exit_1) {
    auto target = start_target();
    const auto path = write_scenario("failing.yaml", R"y(
users:
  U:
    wait: {constant: 100ms}
    tasks:
      missing_word: {get: /about, check: {body_contains: NotOnThePage}}
      no_token: {post: /contact_us, form: {email: a@b.c}}
      not_found: {get: /nope}
)y");
    const auto run = run_swarm(path, {"-H", target.url, "-u", "3", "-r", "10", "-t", "2s"});
    EXPECT_EQ(run.exit_code, 1) << run.output;
    expect_counts_match(run, read_target_stats(target.url));
    const auto errors = error_messages(run.result);
    EXPECT_TRUE(errors.count("body does not contain 'NotOnThePage'")) << run.output;
    EXPECT_TRUE(errors.count("HTTP 403")) << run.output;
    EXPECT_TRUE(errors.count("HTTP 404")) << run.output;
    EXPECT_EQ(total_failures(run.result), total_requests(run.result));
}

TEST(run_integration_test, connection_refused_is_counted_and_the_run_finishes) {
    // A port nothing listens on: start a target, note its port, stop it.
    std::string url;
    {
        auto target = start_target();
        url = target.url;
    }
    const auto path = write_scenario(
        "refused.yaml", "users: {U: {wait: {constant: 200ms}, tasks: {t: {get: /}}}}\n");
    const auto run = run_swarm(
        path, {"-H", url, "-u", "2", "-r", "10", "-t", "2s", "--exit-code-on-error", "3"});
    EXPECT_EQ(run.exit_code, 3) << run.output;
    ASSERT_TRUE(run.result.is_object()) << run.output;
    EXPECT_TRUE(error_messages(run.result).count("connection refused")) << run.output;
}

TEST(run_integration_test, sigint_stops_gracefully_and_still_reports) {
    auto target = start_target();
    const auto json = ::testing::TempDir() + "/sigint_result.json";
    std::remove(json.c_str());
    const auto path = write_scenario(
        "sigint.yaml", "users: {U: {wait: {constant: 20ms}, tasks: {t: {get: /}}}}\n");
    child_process run({swarm_binary(), "run", path, "--headless", "-H", target.url, "-u", "5", "-r",
                       "50", "--json", json, "--only-summary"});
    ASSERT_TRUE(run.wait_for_line("All users spawned", std::chrono::seconds(20)));
    std::this_thread::sleep_for(std::chrono::seconds(1));
    run.send_signal(SIGINT);
    const auto code = run.wait_exit(std::chrono::seconds(30));
    ASSERT_TRUE(code.has_value()) << "swarm run did not stop after SIGINT";
    EXPECT_EQ(*code, 4) << "interrupted before its end";
    const auto result = test::read_json_file(json);
    const auto seen = read_target_stats(target.url);
    EXPECT_GT(seen.total, 0);
    EXPECT_EQ(total_requests(result), seen.total);  // the in-flight requests were waited for
}

TEST(run_integration_test, scenario_errors_exit_2_before_any_load) {
    const auto path = write_scenario("broken.yaml", "users: {U: {tasks: {t: {gett: /}}}}\n");
    const auto run = run_swarm(path, {"-u", "1", "-t", "1s"});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_THAT(run.output, HasSubstr("broken.yaml:1:"));
}

TEST(run_integration_test, csv_files_use_locust_columns) {
    auto target = start_target();
    const auto prefix = ::testing::TempDir() + "/csvrun";
    const auto run = run_swarm(scenario("website.yaml"), {"-H", target.url, "-u", "5", "-r", "10",
                                                          "-t", "2s", "--csv", prefix});
    EXPECT_EQ(run.exit_code, 0) << run.output;
    std::ifstream stats(prefix + "_stats.csv");
    std::string header;
    std::getline(stats, header);
    EXPECT_THAT(header, HasSubstr("Type,Name,Request Count,Failure Count,Median Response Time"));
    std::ifstream history(prefix + "_stats_history.csv");
    ASSERT_TRUE(history.good());
    std::ifstream failures(prefix + "_failures.csv");
    std::getline(failures, header);
    EXPECT_THAT(header, HasSubstr("Method,Name,Error,Occurrences"));
}

}  // namespace
}  // namespace swarm::test
