// run_node (the worker's driver, its real engine and socket) end to end:
// against a master the test scripts by hand over real tcp on 127.0.0.1, and
// a real `swarm target` whose own counters are compared with what the worker
// reports. The node's rules (grid, stop deadlines, master lost, backoff,
// reject, timeouts) are node_core_test's, on simulated time; here only what
// needs the real thing: counts that match the target, and a restarted master
// at the same address getting one hello, not what the old socket queued.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include "tests/node/fake_master.hpp"
#include "tests/support/target_process.hpp"
#include "worker/node.hpp"

namespace swarm::test {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

class node_test : public ::testing::Test {
  protected:
    ~node_test() override {
        stop_ = true;  // a failed test leaves the worker running: end it
        if (worker_.joinable()) worker_.join();
    }

    worker::node_options options(const std::string& master) {
        worker::node_options o;
        o.master = master;
        o.name = "node-test";
        o.engine.threads = 1;
        o.ready_file = (fs::path(::testing::TempDir()) /
                        ("node_test_ready_" + std::to_string(getpid()) + "_" +
                         ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                           .string();
        fs::remove(o.ready_file);
        return o;
    }

    void start(const worker::node_options& o) {
        opts_ = o;
        auto done = std::make_shared<std::promise<int>>();
        exit_ = done->get_future();
        worker_ =
            std::thread([this, done] { done->set_value(worker::run_node(ctx_, opts_, stop_)); });
    }

    // run_node's exit code, or nullopt when it is still running after `timeout`.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout = patience) {
        if (exit_.wait_for(timeout) != std::future_status::ready) return std::nullopt;
        worker_.join();
        return exit_.get();
    }

    // The worker makes its ready file just after it sends ready: poll.
    bool ready_file_appears() const { return wait_for_file(opts_.ready_file, true); }
    bool ready_file_exists() const { return fs::exists(opts_.ready_file); }

    // hello → welcome → bundle → ready; returns the hello.
    proto::hello join(fake_master& m, const scenario::bundle& b, std::uint32_t index = 0) {
        auto hello = m.wait_for<proto::hello>();
        if (!hello) throw std::runtime_error("no hello from the worker");
        welcome(m, b, index);
        return *hello;
    }
    // welcome → bundle → ready, to a hello already received.
    void welcome(fake_master& m, const scenario::bundle& b, std::uint32_t index = 0) {
        m.send(proto::welcome{index});
        m.send(bundle_message(b));
        auto ready = m.wait_for<proto::ready>();
        if (!ready) throw std::runtime_error("the worker did not answer ready");
        EXPECT_EQ(ready->hash, b.hash());
    }

    proto::spawn_complete spawn(fake_master& m, std::uint64_t run_id, std::int64_t users) {
        m.send(proto::spawn{run_id, {{"Steady", users}}, 100, ""});
        auto done = m.wait_for<proto::spawn_complete>();
        if (!done) throw std::runtime_error("the worker did not complete the spawn");
        return *done;
    }

    zmq::context_t ctx_;  // first member: destroyed after every socket
    worker::node_options opts_;
    std::atomic<bool> stop_{false};
    std::future<int> exit_;
    std::thread worker_;
};

// The stats_reports of one run received so far, in order.
std::vector<proto::stats_report> run_reports(const fake_master& m, std::uint64_t run_id) {
    std::vector<proto::stats_report> out;
    for (const auto& msg : m.received) {
        const auto* r = std::get_if<proto::stats_report>(&msg);
        if (r && r->run_id == run_id) out.push_back(*r);
    }
    return out;
}

// Waits until `count` reports of the run have arrived; false after patience.
bool wait_reports(fake_master& m, std::uint64_t run_id, std::size_t count) {
    while (run_reports(m, run_id).size() < count) {
        if (!m.wait_for<proto::stats_report>()) return false;
    }
    return true;
}

std::vector<std::uint64_t> sequences(const std::vector<proto::stats_report>& reports) {
    std::vector<std::uint64_t> out;
    out.reserve(reports.size());
    for (const auto& r : reports) out.push_back(r.sequence);
    return out;
}

std::vector<std::uint64_t> one_to(std::size_t n) {
    std::vector<std::uint64_t> out;
    for (std::size_t i = 1; i <= n; ++i) out.push_back(i);
    return out;
}

std::uint64_t requests_of_run(const fake_master& m, std::uint64_t run_id) {
    std::uint64_t n = 0;
    for (const auto& r : run_reports(m, run_id)) n += requests_in(r);
    return n;
}

TEST_F(node_test, joins_runs_reports_in_sequence_and_the_target_agrees) {
    auto target = start_target();
    fake_master m(ctx_);
    start(options(m.endpoint()));
    const auto bundle = steady_bundle(target.url);

    const auto hello = join(m, bundle);
    EXPECT_EQ(hello.version, proto::protocol_version);
    EXPECT_EQ(hello.name, "node-test");
    EXPECT_EQ(hello.threads, 1u);
    EXPECT_TRUE(ready_file_appears()) << "welcomed and compiled: ready";

    const auto complete = spawn(m, 1, 3);
    EXPECT_EQ(complete.run_id, 1u);
    EXPECT_EQ(complete.users, 3);
    ASSERT_TRUE(wait_reports(m, 1, 3));
    EXPECT_EQ(sequences(run_reports(m, 1)), one_to(run_reports(m, 1).size()));
    EXPECT_EQ(run_reports(m, 1).back().users, 3);
    EXPECT_GT(target_total(target.url), 0);

    // stop: the last delta, then stopped — every request the target saw is reported.
    m.send(proto::stop{0});
    auto stopped = m.wait_for<proto::stopped>();
    ASSERT_TRUE(stopped);
    EXPECT_EQ(stopped->run_id, 1u);
    EXPECT_EQ(sequences(run_reports(m, 1)), one_to(run_reports(m, 1).size()));
    EXPECT_EQ(static_cast<std::int64_t>(requests_of_run(m, 1)), target_total(target.url));

    // A stopped worker waits for the next test: a new run_id restarts the sequence.
    EXPECT_EQ(spawn(m, 2, 1).users, 1);
    ASSERT_TRUE(wait_reports(m, 2, 1));
    EXPECT_EQ(run_reports(m, 2).front().sequence, 1u);

    m.send(proto::quit{"test over"});
    EXPECT_EQ(wait_exit(), 0);
    EXPECT_TRUE(m.wait_for<proto::quit>()) << "the worker says goodbye";
    EXPECT_FALSE(ready_file_exists()) << "removed at exit";
}

TEST_F(node_test, restarted_master_at_the_same_address_gets_one_hello_and_a_worker) {
    auto target = start_target();
    auto m1 = std::make_unique<fake_master>(ctx_);
    const auto address = m1->endpoint();
    auto o = options(address);
    // Shorter than the defaults (3 s; hellos 1, 2, 4, 5 s apart) to keep the
    // test short; the rules are the same.
    o.watch.lost_after = 1s;
    o.watch.rejoin_after = 1s;
    o.watch.first_retry = 250ms;
    o.watch.max_retry = 2s;
    start(o);
    const auto bundle = steady_bundle(target.url);
    join(*m1, bundle);
    spawn(*m1, 1, 2);
    ASSERT_TRUE(m1->wait_for<proto::stats_report>());

    // The master dies; while it is away the worker loses it and says hello
    // now and then (backoff 250, 500, 1000, 2000 ms): hellos at about 2,
    // 2.25, 2.75 and 3.75 s, which would all arrive together at a new master
    // if the worker kept its socket. Then a new master takes the address.
    m1.reset();
    std::this_thread::sleep_for(3s);
    fake_master m2(ctx_, address);
    ASSERT_TRUE(m2.wait_for<proto::hello>());
    m2.collect_for(1500ms);
    int hellos = 0;
    for (const auto& msg : m2.received) hellos += std::holds_alternative<proto::hello>(msg) ? 1 : 0;
    EXPECT_LE(hellos, 2) << "hellos queued while the master was away must not arrive in a burst";

    m2.send(proto::welcome{0});
    m2.send(bundle_message(bundle));
    ASSERT_TRUE(m2.wait_for<proto::ready>());
    const auto start_total = target_total(target.url);
    EXPECT_EQ(spawn(m2, 1, 2).users, 2);
    ASSERT_TRUE(wait_reports(m2, 1, 1));
    EXPECT_EQ(run_reports(m2, 1).front().sequence, 1u)
        << "the previous master's run 1 does not continue";
    m2.collect_for(1s);
    EXPECT_GT(target_total(target.url), start_total);

    m2.send(proto::quit{"test over"});
    EXPECT_EQ(wait_exit(), 0);
}

TEST_F(node_test, stop_flag_stops_users_sends_the_last_delta_and_says_quit) {
    auto target = start_target();
    fake_master m(ctx_);
    start(options(m.endpoint()));
    join(m, steady_bundle(target.url));
    spawn(m, 1, 3);
    ASSERT_TRUE(m.wait_for<proto::stats_report>());

    stop_ = true;  // what SIGTERM does in `swarm worker`
    auto quit = m.wait_for<proto::quit>();
    ASSERT_TRUE(quit);
    EXPECT_EQ(quit->reason, "terminated");
    EXPECT_EQ(wait_exit(), 0);
    EXPECT_EQ(static_cast<std::int64_t>(requests_of_run(m, 1)), target_total(target.url));
}

}  // namespace
}  // namespace swarm::test
