// The fault suite (issue 12): `swarm master` + 2 `swarm worker` + `swarm
// target` as real processes on 127.0.0.1, one fault each — a worker killed,
// frozen 10 s or terminated, the master frozen 5 s, restarted or terminated
// — and swarm's totals equal the target's own counters, or the difference is
// named in the result (workers_lost, lost_reports). Never a clean-looking
// result with requests missing.
#include <gmock/gmock.h>

#include <boost/json/serialize.hpp>
#include <csignal>
#include <iostream>
#include <thread>

#include "tests/integration/cluster_support.hpp"
#include "tests/integration/run_support.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {
namespace {

using namespace std::chrono_literals;

// Light enough for ASan on a shared machine, busy enough that every second
// carries requests from every worker.
constexpr const char* fault_scenario = R"y(
users:
  Steady:
    wait: {between: [50ms, 100ms]}
    tasks:
      index: {weight: 3, get: /}
      about: {weight: 1, get: /about, check: {body_contains: Founded}}
)y";

// A master and two workers (PREFIX0, PREFIX1) ramped to `users` at `rate`.
struct cluster {
    running_target target;
    master_process master;
    std::vector<std::unique_ptr<child_process>> workers;
};

cluster start_cluster(const std::string& prefix, int users, int rate, const std::string& run_time) {
    cluster c{start_target({"--threads", "1"}), {}, {}};
    const auto scenario = write_scenario("fault_" + prefix + ".yaml", fault_scenario);
    c.master = start_master(scenario, "127.0.0.1:0",
                            {"-H", c.target.url, "-u", std::to_string(users), "-r",
                             std::to_string(rate), "-t", run_time, "--expect-workers", "2"});
    c.workers = start_workers(c.master.address, prefix, 2);
    if (!c.master.process->wait_for_line("All users spawned", 30s))
        throw std::runtime_error("the ramp never ended");
    return c;
}

std::string lost_of(const boost::json::value& result) {
    return "workers_lost " + boost::json::serialize(result.at("run").at("workers_lost")) +
           ", lost_reports " + boost::json::serialize(result.at("run").at("lost_reports"));
}

std::int64_t lost_reports(const boost::json::value& result) {
    return result.at("run").at("lost_reports").as_int64();
}

std::size_t workers_lost(const boost::json::value& result) {
    return result.at("run").at("workers_lost").as_array().size();
}

// Issue 12: a worker frozen 10 s judged its live master lost on resume and
// dropped its unsent second (-183 of 19 032). Now nothing is lost.
TEST(fault_test, worker_frozen_10_s_loses_nothing) {
    auto c = start_cluster("fz", 8, 100, "14s");
    std::this_thread::sleep_for(1s);
    c.workers[1]->send_signal(SIGSTOP);
    std::this_thread::sleep_for(10s);
    c.workers[1]->send_signal(SIGCONT);

    const auto end = wait_for_end(c.master);
    ASSERT_EQ(end.code, std::optional<int>(0)) << end.output;
    const auto& result = end.result;
    ASSERT_TRUE(result.is_object()) << end.output;
    EXPECT_GT(total_requests(result), 100);
    EXPECT_EQ(total_requests(result), read_target_stats(c.target.url).total) << lost_of(result);
    EXPECT_EQ(lost_reports(result), 0);
    for (auto& w : c.workers) EXPECT_EQ(w->wait_exit(15s), std::optional<int>(0));
}

// Issue 12: a worker back after the master called it missing refilled at
// 1 user/s while the others shed at full speed (60 users -> 40, still 58
// after 19 s), or came back with its users while the others had them (21
// of 20). Now the cluster is back at its users within users/rate + 2 s of
// the resume, and never above them.
TEST(fault_test, worker_back_from_missing_refills_at_the_rate_without_overshoot) {
    // 18 s: the refill is checked over the seconds after resume + 5 s, and a
    // stop early in a second folds that last second into the one before.
    auto c = start_cluster("fb", 20, 10, "18s");  // users/rate = 2 s
    std::this_thread::sleep_for(1s);
    c.workers[1]->send_signal(SIGSTOP);
    std::this_thread::sleep_for(5s);  // > 3 s: missing, its 10 users go to fb0
    c.workers[1]->send_signal(SIGCONT);
    const auto resumed = unix_now_s();

    const auto end = wait_for_end(c.master);
    ASSERT_EQ(end.code, std::optional<int>(0)) << end.output;
    const auto& result = end.result;
    ASSERT_TRUE(result.is_object()) << end.output;
    const auto points = users_history(result);
    std::string history;  // "seconds after the resume:users" for the messages
    for (const auto& [t, users] : points)
        history += std::to_string(t - resumed) + ":" + std::to_string(users) + " ";
    // The master's history lags its workers' reports by up to a second.
    const auto back_by = resumed + 2 + 2 + 1;
    ASSERT_LT(back_by, points.back().first - 3) << "the run must go on after the refill";
    for (const auto& [t, users] : points) {
        // A point is stamped with the start of its second: the one before
        // `resumed` already holds the resume.
        if (t >= resumed - 1) {
            EXPECT_LE(users, 20) << "overshoot; " << history;
        }
        if (t >= back_by && t < points.back().first - 1) {
            EXPECT_EQ(users, 20) << "not back at resume + " << t - resumed << " s; " << history;
        }
    }
    EXPECT_EQ(total_requests(result), read_target_stats(c.target.url).total) << lost_of(result);
    std::cout << "users by second after the resume: " << history << "\n";
    for (auto& w : c.workers) EXPECT_EQ(w->wait_exit(15s), std::optional<int>(0));
}

// Issue 12: a master frozen 5 s lost 3.3 % of the requests with a clean
// result: every worker dropped its users and its unsent delta.
TEST(fault_test, master_frozen_5_s_loses_nothing) {
    auto c = start_cluster("mz", 8, 100, "12s");
    std::this_thread::sleep_for(1s);
    c.master.process->send_signal(SIGSTOP);
    std::this_thread::sleep_for(5s);
    c.master.process->send_signal(SIGCONT);

    const auto end = wait_for_end(c.master);
    ASSERT_EQ(end.code, std::optional<int>(0)) << end.output;
    const auto& result = end.result;
    ASSERT_TRUE(result.is_object()) << end.output;
    const auto ours = total_requests(result);
    const auto seen = read_target_stats(c.target.url).total;
    EXPECT_GT(ours, 100);
    EXPECT_EQ(ours, seen) << lost_of(result);
    EXPECT_EQ(lost_reports(result), 0);
    EXPECT_EQ(workers_lost(result), 0u) << "nothing lost: nobody named";
    for (auto& w : c.workers) EXPECT_EQ(w->wait_exit(15s), std::optional<int>(0));
}

// A killed worker's last unreported second can only be missing, and the
// result says so.
TEST(fault_test, worker_killed_is_named_and_only_its_last_second_is_missing) {
    auto c = start_cluster("k", 8, 100, "8s");
    std::this_thread::sleep_for(2s);
    c.workers[1]->send_signal(SIGKILL);
    ASSERT_TRUE(c.workers[1]->wait_exit(5s));

    const auto end = wait_for_end(c.master);
    ASSERT_EQ(end.code, std::optional<int>(0)) << end.output;
    const auto& result = end.result;
    ASSERT_TRUE(result.is_object()) << end.output;
    const auto ours = total_requests(result);
    const auto seen = read_target_stats(c.target.url).total;
    const double run_s = result.at("run").at("duration_s").to_number<double>();
    EXPECT_LE(ours, seen);
    EXPECT_LE(static_cast<double>(seen - ours), 2.0 * static_cast<double>(seen) / run_s / 2 + 5)
        << "ours " << ours << " target " << seen;
    ASSERT_EQ(workers_lost(result), 1u) << lost_of(result);
    EXPECT_EQ(result.at("run").at("workers_lost").at(0).as_string(), "k1");
}

// SIGTERM: the worker sends its last delta and says quit; nothing is lost.
TEST(fault_test, worker_terminated_loses_nothing) {
    auto c = start_cluster("t", 8, 100, "6s");
    std::this_thread::sleep_for(2s);
    c.workers[1]->send_signal(SIGTERM);
    EXPECT_EQ(c.workers[1]->wait_exit(10s), std::optional<int>(0));

    const auto end = wait_for_end(c.master);
    ASSERT_EQ(end.code, std::optional<int>(0)) << end.output;
    const auto& result = end.result;
    ASSERT_TRUE(result.is_object()) << end.output;
    EXPECT_EQ(total_requests(result), read_target_stats(c.target.url).total) << lost_of(result);
    EXPECT_EQ(workers_lost(result), 0u);
    EXPECT_EQ(lost_reports(result), 0);
}

// SIGTERM to a headless master: it stops the test, collects the workers'
// last deltas and writes its result; every request is in it.
TEST(fault_test, master_terminated_writes_every_request) {
    auto c = start_cluster("mt", 8, 100, "60s");
    std::this_thread::sleep_for(2s);
    c.master.process->send_signal(SIGTERM);

    const auto end = wait_for_end(c.master);
    ASSERT_TRUE(end.code.has_value()) << end.output;
    const auto& result = end.result;
    ASSERT_TRUE(result.is_object()) << end.output;
    EXPECT_GT(total_requests(result), 20);
    EXPECT_EQ(total_requests(result), read_target_stats(c.target.url).total) << lost_of(result);
    EXPECT_EQ(workers_lost(result), 0u);
    EXPECT_EQ(lost_reports(result), 0);
}

// A master killed mid-test and started again on its address: the workers
// stop their users, rejoin it, and its test counts exactly.
TEST(fault_test, master_restarted_gets_its_workers_back_and_counts_exactly) {
    auto c = start_cluster("r", 4, 100, "60s");
    const auto address = c.master.address;
    c.master.process->send_signal(SIGKILL);
    ASSERT_TRUE(c.master.process->wait_exit(5s));
    std::this_thread::sleep_for(4s);  // users stop after 3 s of silence
    const auto before = read_target_stats(c.target.url).total;

    const auto scenario = write_scenario("fault_r2.yaml", fault_scenario);
    auto second = start_master(scenario, address,
                               {"-H", c.target.url, "-u", "4", "-r", "100", "-t", "3s",
                                "--expect-workers", "2", "--expect-workers-max-wait", "30s"});
    const auto end = wait_for_end(second);
    ASSERT_EQ(end.code, std::optional<int>(0)) << end.output;
    const auto& result = end.result;
    ASSERT_TRUE(result.is_object()) << end.output;
    EXPECT_GT(total_requests(result), 10);
    EXPECT_EQ(total_requests(result), read_target_stats(c.target.url).total - before)
        << lost_of(result);
    EXPECT_EQ(workers_lost(result), 0u);
    for (auto& w : c.workers) EXPECT_EQ(w->wait_exit(15s), std::optional<int>(0));
}

}  // namespace
}  // namespace swarm::test
