// A master controller and three worker nodes in one process over inproc://
// (the distributed code path without tcp), against a real `swarm target`:
// the users are split over the workers and every request is counted once.
#include <gmock/gmock.h>

#include <thread>
#include <zmq.hpp>

#include "master/controller.hpp"
#include "tests/integration/run_support.hpp"
#include "tests/support/target_process.hpp"
#include "worker/node.hpp"

namespace swarm::test {
namespace {

using namespace std::chrono_literals;

TEST(inproc_cluster_test, three_workers_split_the_users_and_every_request_counts_once) {
    auto target = start_target({"--threads", "1"});
    const scenario::bundle bundle{"cluster.yaml",
                                  R"y(
users:
  Reader:
    weight: 2
    wait: {between: [10ms, 30ms]}
    tasks:
      index: {get: /}
  Admin:
    fixed_count: 1
    wait: {constant: 50ms}
    tasks:
      about: {get: /about}
)y",
                                  {}};
    auto compiled = scenario::compile(bundle, {target.url});
    ASSERT_TRUE(compiled.result);

    zmq::context_t zmq;
    master::controller_options co;
    co.bind = "inproc://cluster-test";
    co.request_timeout = 10s;
    master::controller master(zmq, bundle, compiled.result, co);

    std::atomic<bool> stop_workers{false};
    std::vector<std::thread> workers;
    workers.reserve(3);
    for (int i = 0; i < 3; ++i) {
        workers.emplace_back([&, i] {
            worker::node_options w;
            w.master = co.bind;
            w.name = "node" + std::to_string(i);
            w.log = log::logger("swarm worker", log::null_sink());
            worker::run_node(zmq, w, stop_workers);
        });
    }
    const auto give_up = std::chrono::steady_clock::now() + 30s;
    while (master.workers().ready_workers() < 3 && std::chrono::steady_clock::now() < give_up)
        master.pump(50ms);
    ASSERT_EQ(master.workers().ready_workers(), 3u);

    master.start({{7, 50, target.url, 0}, 3s});
    while (master.state() == master::run_state::spawning &&
           std::chrono::steady_clock::now() < give_up) {
        master.pump(50ms);
    }
    ASSERT_EQ(master.state(), master::run_state::running);
    // 7 users = 1 Admin (fixed_count, exactly one cluster-wide) + 6 Readers,
    // each worker within one user of the others.
    std::int64_t total = 0, admins = 0, least = 100, most = 0;
    for (const auto& [id, w] : master.workers().workers()) {
        std::int64_t n = 0;
        for (auto t : w.targets) n += t;
        admins += w.targets.at(master.plan().users[0].name == "Admin" ? 0 : 1);
        total += n;
        least = std::min(least, n);
        most = std::max(most, n);
    }
    EXPECT_EQ(total, 7);
    EXPECT_EQ(admins, 1);
    EXPECT_LE(most - least, 1);
    EXPECT_EQ(master.workers().users(), 7);

    while (master.state() != master::run_state::stopped &&
           std::chrono::steady_clock::now() < give_up + 30s) {
        master.pump(100ms);
    }
    ASSERT_EQ(master.state(), master::run_state::stopped);
    EXPECT_EQ(master.workers().participants().size(), 3u);

    const auto seen = read_target_stats(target.url);
    EXPECT_GT(master.stats().total().requests(), 50u);
    EXPECT_EQ(static_cast<std::int64_t>(master.stats().total().requests()), seen.total);
    EXPECT_EQ(master.workers().lost_reports(), 0u);

    master.quit_workers("test over");
    master.pump(200ms);
    stop_workers = true;
    for (auto& t : workers) t.join();
}

}  // namespace
}  // namespace swarm::test
