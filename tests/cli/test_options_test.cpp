// The options that describe a test (`swarm run` / `swarm master`: -u, -r,
// -t, -H) as a user types them: non-finite, negative, absurd values and
// hosts no request can reach exit 2 with a message naming the option, before
// anything runs, and never echo raw control bytes.
#include <gmock/gmock.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "tests/support/swarm_command.hpp"

namespace swarm::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A scenario whose host nothing listens on: a run that wrongly starts fails
// its requests (exit 1), a refused one exits 2 at once.
std::string scenario() {
    // One file per process: ctest runs these tests side by side.
    auto path = ::testing::TempDir() + "/test_options." + std::to_string(::getpid()) + ".yaml";
    std::ofstream(path) << "host: http://127.0.0.1:9\n"
                           "users: {U: {wait: {constant: 1s}, tasks: {t: {get: /}}}}\n";
    return path;
}

command_result run_with(const std::vector<std::string>& options) {
    std::vector<std::string> args{"run", scenario(),  "--headless", "--web-port",
                                  "0",   "--threads", "1"};
    args.insert(args.end(), options.begin(), options.end());
    // Exit soon should the options pass by mistake.
    if (options.front() != "-t") args.insert(args.end(), {"-t", "1s"});
    return run_swarm_command(args, 20);
}

// True when `text` holds a byte below 0x20 other than a line break, or 0x7f.
bool has_control_bytes(const std::string& text) {
    for (const char ch : text) {
        const auto u = static_cast<unsigned char>(ch);
        if ((u < 0x20 && ch != '\n' && ch != '\r' && ch != '\t') || u == 0x7f) return true;
    }
    return false;
}

void expect_usage_error(const std::vector<std::string>& options, const std::string& option,
                        const std::string& what) {
    std::string shown;
    for (const auto& o : options) shown += o + " ";
    const auto r = run_with(options);
    EXPECT_EQ(r.exit_code, 2) << shown << "\n" << r.output;
    EXPECT_THAT(r.output, HasSubstr("swarm run: " + option + ": ")) << shown;
    EXPECT_THAT(r.output, HasSubstr(what)) << shown;
    // CLI11's own range check printed DBL_MAX in full (309 digits).
    EXPECT_THAT(r.output, Not(HasSubstr("17976931348623157"))) << shown;
    EXPECT_FALSE(has_control_bytes(r.output)) << shown << "\n" << r.output;
}

// Before: -r nan ran a 0-user test (exit 0) and wrote "spawn_rate":NaN;
// -r 1e308 overflowed to infinity and the test stayed at 0 users.
TEST(test_options_test, non_finite_negative_and_absurd_spawn_rates_exit_2) {
    for (const std::string r : {"nan", "NaN", "inf", "-inf", "1e308", "100000001", "-1", "0"}) {
        expect_usage_error({"-r", r}, "--spawn-rate", "a number > 0 and at most 100000000");
    }
}

TEST(test_options_test, user_counts_outside_the_range_or_more_than_one_worker_holds_exit_2) {
    for (const std::string u : {"-1", "1.5", "nan", "100000001"}) {
        expect_usage_error({"-u", u}, "--users", "a whole number from 0 to 100000000");
    }
    // Before: accepted; at -r 1e8 the worker tried to start them all at once.
    for (const std::string u : {"100000000", "1000001"}) {
        expect_usage_error({"-u", u}, "--users", "at most 1000000 users per worker");
    }
}

TEST(test_options_test, a_master_takes_a_million_users_per_expected_worker) {
    const auto r =
        run_swarm_command({"master", scenario(), "--headless", "--web-port", "0", "--bind",
                           "127.0.0.1:0", "-u", "2000001", "--expect-workers", "2"},
                          20);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr("swarm master: --users: 2000001 users need 3 workers"));
    // Two million fit on two: the master starts and gives up waiting for them (exit 5).
    const auto fits = run_swarm_command(
        {"master", scenario(), "--headless", "--web-port", "0", "--bind", "127.0.0.1:0", "-u",
         "2000000", "--expect-workers", "2", "--expect-workers-max-wait", "1s"},
        20);
    EXPECT_EQ(fits.exit_code, 5) << fits.output;
    EXPECT_THAT(fits.output, Not(HasSubstr("--users")));
}

// Before: -t 0 and -t 1us ran a test that stopped as it started (exit 0).
TEST(test_options_test, run_times_under_a_millisecond_negative_or_not_durations_exit_2) {
    for (const std::string t : {"0", "0s", "1us", "-5s", "nan", "inf", "1e400"}) {
        expect_usage_error({"-t", t}, "--run-time", "a duration of at least 1ms");
    }
}

// Before: accepted, and every request of the test failed.
TEST(test_options_test, a_host_without_a_name_or_with_control_bytes_exits_2) {
    const std::pair<std::string, std::string> cases[] = {
        {"http://", "no host name"},
        {"https://", "no host name"},
        {"http://:8080", "no host name"},
        {std::string("http://a\x01"
                     "b.example"),
         "control character \\x01"},
        {std::string("http://exa\x7fmple"), "control character \\x7f"},
        {"http://exa mple.com", "a space"},
        {"http://example.com:99999", "port"},
        {"example.com", "http://"},
        {"ftp://example.com", "http://"},
        {"http://%00", "control character \\x00"},
    };
    for (const auto& [host, what] : cases) expect_usage_error({"-H", host}, "--host", what);
}

// The workload model's options (issue 13): a profile line that does not
// parse names the stage; --stages replaces -u, so both is an error.
TEST(test_options_test, bad_stages_name_the_stage_and_do_not_go_with_users) {
    expect_usage_error({"--stages", "30s:abc"}, "--stages", "stage 1");
    expect_usage_error({"--stages", "1s:10@5,5x:3"}, "--stages", "stage 2");
    expect_usage_error({"--stages", " "}, "--stages", "no stages");
    expect_usage_error({"--stages", "1s:10", "-u", "5"}, "--stages", "not with --users");
}

TEST(test_options_test, iterations_below_one_or_not_a_number_exit_2) {
    for (const std::string n : {"0", "-1", "x", "1.5", "1000000000001"}) {
        expect_usage_error({"--iterations", n}, "--iterations", "a whole number from 1 to");
    }
}

// The profile ends the test by itself: no -t, two short stages.
TEST(test_options_test, a_stages_profile_ends_the_test_with_its_last_stage) {
    const auto started = std::chrono::steady_clock::now();
    const auto r = run_swarm_command({"run", scenario(), "--headless", "--web-port", "0",
                                      "--threads", "1", "--stages", "1s:2@10,1s:1"},
                                     20);
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_THAT(r.output, HasSubstr("Load profile finished: stopping")) << r.output;
    EXPECT_LT(took, std::chrono::seconds(10)) << r.output;
    EXPECT_NE(r.exit_code, 2) << r.output;
}

}  // namespace
}  // namespace swarm::test
