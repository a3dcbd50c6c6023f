// `swarm master` + `swarm worker` processes on 127.0.0.1 against `swarm
// target`: the cluster's totals equal what the target saw, and it survives a
// worker killed, a worker frozen, and a master restarted.
#include <gmock/gmock.h>

#include <boost/json/parse.hpp>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/cluster_support.hpp"
#include "tests/integration/run_support.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/ipv6.hpp"
#include "tests/support/swarm_command.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// Zero-ish wait, so every second carries requests, yet light enough under ASan.
constexpr const char* steady_scenario = R"y(
users:
  Steady:
    wait: {between: [20ms, 40ms]}
    tasks:
      index: {weight: 3, get: /}
      about: {weight: 1, get: /about, check: {body_contains: Founded}}
)y";

TEST(distributed_test, three_workers_count_exactly_what_the_target_saw) {
    auto target = start_target({"--threads", "1"});
    const auto scenario = write_scenario("steady3.yaml", steady_scenario);
    auto master = start_master(
        scenario, "127.0.0.1:0",
        {"-H", target.url, "-u", "12", "-r", "24", "-t", "8s", "--expect-workers", "3"});
    auto workers = start_workers(master.address, "w", 3);

    const auto end = wait_for_end(master);
    ASSERT_EQ(end.code, std::optional<int>(0)) << end.output;
    const auto& output = end.output;
    // A headless master's workers end with its test (quit).
    for (auto& w : workers) EXPECT_EQ(w->wait_exit(15s), std::optional<int>(0));

    const auto& result = end.result;
    ASSERT_TRUE(result.is_object()) << output;
    const auto seen = read_target_stats(target.url);
    EXPECT_GT(total_requests(result), 50);
    EXPECT_EQ(total_requests(result), seen.total) << output;
    EXPECT_EQ(result.at("run").at("workers").as_array().size(), 3u);
    EXPECT_EQ(result.at("run").at("lost_reports").as_int64(), 0);
    EXPECT_THAT(output, HasSubstr("All users spawned: 12 users"));
}

// Three workers run 12 users; 2 s after the ramp one of them gets `signal`.
struct one_worker_signalled {
    running_target target;
    master_end end;
    std::int64_t signalled_at = 0;  // unix s
    std::optional<int> worker_exit;
};

one_worker_signalled signal_one_of_three(int signal, const std::string& prefix,
                                         const std::string& run_time) {
    one_worker_signalled out{start_target({"--threads", "1"}), {}, 0, std::nullopt};
    const auto scenario = write_scenario("steady_" + prefix + ".yaml", steady_scenario);
    auto master = start_master(
        scenario, "127.0.0.1:0",
        {"-H", out.target.url, "-u", "12", "-r", "100", "-t", run_time, "--expect-workers", "3"});
    auto workers = start_workers(master.address, prefix, 3);
    if (!master.process->wait_for_line("All users spawned", 30s))
        throw std::runtime_error("the ramp never ended");
    std::this_thread::sleep_for(2s);
    out.signalled_at = unix_now_s();
    workers[1]->send_signal(signal);
    out.worker_exit = workers[1]->wait_exit(10s);
    out.end = wait_for_end(master);
    return out;
}

TEST(distributed_test, killed_worker_users_move_to_the_others_and_totals_stay_honest) {
    const auto run = signal_one_of_three(SIGKILL, "k", "14s");
    ASSERT_TRUE(run.worker_exit.has_value());
    const auto killed_at = run.signalled_at;
    const auto& target = run.target;
    ASSERT_EQ(run.end.code, std::optional<int>(0)) << run.end.output;
    const auto& output = run.end.output;
    const auto& result = run.end.result;
    ASSERT_TRUE(result.is_object()) << output;

    // Its users run on the other two within 5 s (3 s to be declared missing).
    EXPECT_EQ(users_between(result, killed_at + 1, 5), 12) << output;
    // Only the dead worker's unreported last second can be missing, and the
    // result says a worker was lost.
    const auto ours = total_requests(result);
    const auto seen = read_target_stats(target.url).total;
    const double run_s = result.at("run").at("duration_s").to_number<double>();
    const double per_worker_per_s = static_cast<double>(seen) / run_s / 3.0;
    EXPECT_LE(ours, seen);
    EXPECT_LE(static_cast<double>(seen - ours), 2.0 * per_worker_per_s + 5)
        << "ours " << ours << " target " << seen;
    EXPECT_EQ(result.at("run").at("workers_lost").as_array().size(), 1u);
    EXPECT_EQ(result.at("run").at("workers_lost").at(0).as_string(), "k1");
}

// SIGTERM is a worker leaving in good order: it sends its last stats and
// says quit, so nothing is lost and its users move at once.
TEST(distributed_test, terminated_worker_hands_over_its_users_and_loses_nothing) {
    const auto run = signal_one_of_three(SIGTERM, "t", "10s");
    EXPECT_EQ(run.worker_exit, std::optional<int>(0));
    const auto left_at = run.signalled_at;
    const auto& target = run.target;
    ASSERT_EQ(run.end.code, std::optional<int>(0)) << run.end.output;
    const auto& output = run.end.output;
    const auto& result = run.end.result;
    ASSERT_TRUE(result.is_object()) << output;
    // No missing-worker wait: the two others run all 12 users within 2 s.
    EXPECT_EQ(users_between(result, left_at + 1, 2), 12) << output;
    EXPECT_EQ(total_requests(result), read_target_stats(target.url).total) << output;
    EXPECT_TRUE(result.at("run").at("workers_lost").as_array().empty()) << output;
    EXPECT_EQ(result.at("run").at("lost_reports").as_int64(), 0);
}

TEST(distributed_test, frozen_worker_goes_missing_and_comes_back) {
    auto target = start_target({"--threads", "1"});
    const auto scenario = write_scenario("steady_freeze.yaml", steady_scenario);
    auto master = start_master(
        scenario, "127.0.0.1:0",
        {"-H", target.url, "-u", "8", "-r", "100", "-t", "16s", "--expect-workers", "2"});
    auto a = start_worker(master.address, "fa");
    auto b = start_worker(master.address, "fb");
    ASSERT_TRUE(master.process->wait_for_line("All users spawned", 30s));
    std::this_thread::sleep_for(1s);

    b->send_signal(SIGSTOP);
    std::this_thread::sleep_for(5s);  // > 3 s: declared missing, users moved to fa
    b->send_signal(SIGCONT);

    // The master's log (stderr is shared with the test log, stdout has the events).
    const auto end = wait_for_end(master);
    ASSERT_EQ(end.code, std::optional<int>(0)) << end.output;
    const auto& result = end.result;
    ASSERT_TRUE(result.is_object()) << end.output;
    EXPECT_EQ(result.at("run").at("workers_lost").as_array().size(), 1u);
    // Back in the test: at the end both workers report in and the totals
    // differ from the target's by at most the frozen worker's lost second.
    const auto ours = total_requests(result);
    const auto seen = read_target_stats(target.url).total;
    const double run_s = result.at("run").at("duration_s").to_number<double>();
    EXPECT_LE(ours, seen);
    EXPECT_LE(static_cast<double>(seen - ours), static_cast<double>(seen) / run_s + 5);
    EXPECT_EQ(a->wait_exit(15s), std::optional<int>(0));
    EXPECT_EQ(b->wait_exit(15s), std::optional<int>(0));
}

TEST(distributed_test, workers_rejoin_a_restarted_master_and_run_its_test) {
    auto target = start_target({"--threads", "1"});
    const auto scenario = write_scenario("steady_restart.yaml", steady_scenario);
    auto first = start_master(
        scenario, "127.0.0.1:0",
        {"-H", target.url, "-u", "4", "-r", "100", "-t", "60s", "--expect-workers", "2"});
    const auto address = first.address;  // the second master binds the same port
    auto a = start_worker(address, "ra");
    auto b = start_worker(address, "rb");
    ASSERT_TRUE(first.process->wait_for_line("All users spawned", 30s));
    first.process->send_signal(SIGKILL);
    ASSERT_TRUE(first.process->wait_exit(5s));

    // Orphaned workers stop their users once the master is silent for 3 s.
    std::this_thread::sleep_for(5s);
    const auto before = read_target_stats(target.url).total;
    std::this_thread::sleep_for(1500ms);
    EXPECT_EQ(read_target_stats(target.url).total, before) << "users kept running without a master";

    auto second = start_master(scenario, address,
                               {"-H", target.url, "-u", "4", "-r", "100", "-t", "3s",
                                "--expect-workers", "2", "--expect-workers-max-wait", "30s"});
    const auto end = wait_for_end(second);
    ASSERT_EQ(end.code, std::optional<int>(0)) << end.output;
    const auto& output = end.output;
    const auto& result = end.result;
    ASSERT_TRUE(result.is_object()) << output;
    EXPECT_GT(total_requests(result), 0);
    EXPECT_EQ(total_requests(result), read_target_stats(target.url).total - before) << output;
    EXPECT_EQ(a->wait_exit(15s), std::optional<int>(0));
    EXPECT_EQ(b->wait_exit(15s), std::optional<int>(0));
}

// Workers that start first retry their hello on fresh sockets; an old
// socket's queued hello must not reach the master later and take the
// worker's identity (it did: the master's replies then went nowhere).
TEST(distributed_test, workers_started_before_the_master_keep_hearing_it) {
    auto target = start_target({"--threads", "1"});
    const auto scenario = write_scenario("steady_early.yaml", steady_scenario);
    // A free port for the master, known before it starts.
    std::string address;
    {
        auto probe =
            start_master(scenario, "127.0.0.1:0", {"-H", target.url, "-u", "1", "-t", "1s"});
        address = probe.address;
        probe.process->send_signal(SIGKILL);
        ASSERT_TRUE(probe.process->wait_exit(5s));
    }
    auto a = start_worker(address, "ea");
    auto b = start_worker(address, "eb");
    // The second hello goes out on a fresh socket after 1 s; the master comes
    // up while the first socket would still linger with its queued hello.
    std::this_thread::sleep_for(1200ms);
    auto master = start_master(
        scenario, address,
        {"-H", target.url, "-u", "6", "-r", "100", "-t", "7s", "--expect-workers", "2"});
    const auto end = wait_for_end(master);
    ASSERT_EQ(end.code, std::optional<int>(0)) << end.output;
    const auto& output = end.output;
    EXPECT_THAT(output, HasSubstr("All users spawned: 6 users"));
    const auto& result = end.result;
    ASSERT_TRUE(result.is_object()) << output;
    EXPECT_TRUE(result.at("run").at("workers_lost").as_array().empty()) << output;
    EXPECT_EQ(total_requests(result), read_target_stats(target.url).total) << output;
}

TEST(distributed_test, master_refuses_bad_bind_addresses) {
    const auto scenario = write_scenario("bind.yaml", steady_scenario);
    const std::pair<const char*, const char*> cases[] = {
        {"nonsense:port", "'port' is not a number"},
        {"127.0.0.1:70000", "not between 0 and 65535"},
        {"::1:5557", "brackets"},
    };
    for (const auto& [bind, reason] : cases) {
        const auto bad = run_swarm_command({"master", scenario, "--headless", "-H",
                                            "http://127.0.0.1:9", "-t", "1s", "--bind", bind});
        EXPECT_EQ(bad.exit_code, 2) << bind;
        EXPECT_THAT(bad.output, HasSubstr(std::string("--bind '") + bind + "': ")) << bad.output;
        EXPECT_THAT(bad.output, HasSubstr(reason)) << bad.output;
    }
}

// Master and workers talk over IPv6 loopback (the target stays on 127.0.0.1).
TEST(distributed_test, workers_reach_a_master_on_ipv6_loopback) {
    if (!has_ipv6_loopback()) GTEST_SKIP() << "no ::1 on this machine";
    auto target = start_target({"--threads", "1"});
    const auto scenario = write_scenario("steady6.yaml", steady_scenario);
    auto master =
        start_master(scenario, "[::1]:0",
                     {"-H", target.url, "-u", "4", "-r", "8", "-t", "4s", "--expect-workers", "2"});
    ASSERT_THAT(master.address, ::testing::StartsWith("[::1]:"));
    auto w0 = start_worker(master.address, "v6-0");
    auto w1 = start_worker(master.address, "v6-1");

    const auto end = wait_for_end(master);
    ASSERT_EQ(end.code, std::optional<int>(0)) << end.output;
    const auto& output = end.output;
    EXPECT_EQ(w0->wait_exit(15s), std::optional<int>(0));
    EXPECT_EQ(w1->wait_exit(15s), std::optional<int>(0));
    const auto& result = end.result;
    ASSERT_TRUE(result.is_object()) << output;
    EXPECT_EQ(result.at("run").at("workers").as_array().size(), 2u);
    EXPECT_GT(total_requests(result), 10);
    EXPECT_EQ(total_requests(result), read_target_stats(target.url).total) << output;
}

}  // namespace
}  // namespace swarm::test
