// The node core and the workload model (issue 13) on simulated time with the
// fake engine: a spawn's open-class shares and iteration quota reach the
// engine; a rebalance keeps the pools; a new run restarts the iteration
// count; pool users count in what the worker reports; a hold stops the
// pools and the master's return restarts them with the last shares.
#include "tests/node/node_core_fixture.hpp"

namespace swarm::test {
namespace {

using namespace node_core_fixture;  // NOLINT(google-build-using-namespace): the fixture's names

proto::spawn open_spawn(std::uint64_t run_id, std::int64_t closed_users,
                        std::vector<proto::arrival_share> arrivals, std::int64_t quota = -1) {
    proto::spawn s = spawn_of(run_id, closed_users);
    s.arrivals = std::move(arrivals);
    s.iteration_quota = quota;
    return s;
}

std::vector<std::string> model_calls(const fake_engine_state& e) {
    std::vector<std::string> out;
    for (const auto& c : e.calls) {
        if (c.starts_with("arrivals") || c.starts_with("quota") || c == "reset_iterations" ||
            c.starts_with("stop_all"))
            out.push_back(c);
    }
    return out;
}

class node_core_open_test : public node_core_test {};

TEST_F(node_core_open_test, a_spawn_hands_its_shares_and_quota_to_the_engine) {
    start();
    join();
    deliver(open_spawn(1, 3, {{"Open", 100, 200, 1000, 10, 2}}, 500));
    EXPECT_THAT(model_calls(engine()), ElementsAre("reset_iterations", "quota 500",
                                                   "arrivals Open 100>200/1000 max 10 pre 2"));
    // Pool users count in what the worker reports: 2 pre-allocated, then 3 closed.
    EXPECT_EQ(sent<proto::spawning>().back().users, 2);
    run_until(1500);
    EXPECT_EQ(sent<proto::spawn_complete>().back().users, 5);
    EXPECT_EQ(sent<proto::stats_report>().back().users, 5);
    EXPECT_EQ(sent<proto::heartbeat>().back().users, 5);
}

TEST_F(node_core_open_test, a_rebalance_keeps_the_pools_and_a_new_run_restarts_the_count) {
    start();
    join();
    deliver(open_spawn(1, 0, {{"Open", 50, 50, 0, 4, 0}}, 100));
    run_until(1000);
    // The same run, new shares (a worker joined): no stop, no new count.
    deliver(open_spawn(1, 0, {{"Open", 25, 25, 0, 2, 0}}, 60));
    run_until(2000);
    EXPECT_THAT(model_calls(engine()),
                ElementsAre("reset_iterations", "quota 100", "arrivals Open 50>50/0 max 4 pre 0",
                            "quota 60", "arrivals Open 25>25/0 max 2 pre 0"));
    // A class absent from a later spawn: the engine hears an empty list.
    deliver(open_spawn(1, 0, {}));
    EXPECT_EQ(engine().calls.back(), "arrivals");
    EXPECT_EQ(engine().quota, -1);
    // The test stops; the next one starts counting iterations from 0.
    deliver(proto::stop{0});
    run_until(2500);
    deliver(open_spawn(2, 0, {{"Open", 10, 10, 0, 1, 1}}, 5));
    const auto calls = model_calls(engine());
    EXPECT_THAT(std::vector<std::string>(calls.end() - 3, calls.end()),
                ElementsAre("reset_iterations", "quota 5", "arrivals Open 10>10/0 max 1 pre 1"));
    EXPECT_EQ(engine().count("reset_iterations"), 2);
}

TEST_F(node_core_open_test, a_silent_master_stops_the_pools_and_its_return_restarts_them) {
    start();
    tick_at(0);
    join();
    deliver(open_spawn(1, 0, {{"Open", 100, 100, 0, 8, 8}}));
    run_until(2000);
    EXPECT_EQ(sent<proto::stats_report>().back().users, 8);
    master_heartbeats_ = false;
    run_until(6000);
    EXPECT_EQ(engine().times_of("stop_all after_request"), (ms_list{5020}));
    EXPECT_EQ(engine().pooled, 0);
    EXPECT_EQ(sent<proto::stats_report>().back().users, 0);
    master_heartbeats_ = true;
    next_heartbeat_ = now_;
    run_until(7000);
    EXPECT_EQ(engine().count("arrivals Open 100>100/0 max 8 pre 8"), 2) << "the last shares again";
    EXPECT_THAT(log_.text(), HasSubstr("restarting 0 users and the open classes' arrivals"));
    EXPECT_EQ(sent<proto::stats_report>().back().users, 8);
}

// A hold stops the pools; the resume restarts them where the spawn's ramp
// is NOW, not from its beginning: 0 → 1000/s over 600 s, held at 480 s,
// resumed at 490 s → 1000 · 490/600 ≈ 816.7/s → 1000/s over the 110 s left.
TEST_F(node_core_open_test, a_resume_continues_the_ramp_where_it_is_now) {
    options_.watch.rejoin_after = 60s;  // a silence of 10 s holds, it does not drop the master
    start();
    tick_at(0);
    join();
    deliver(open_spawn(1, 0, {{"Open", 0, 1000, 600'000, 8, 8}}));
    run_until(477'000);
    master_heartbeats_ = false;
    run_until(485'000);
    ASSERT_EQ(engine().count("stop_all after_request"), 1);
    EXPECT_NEAR(static_cast<double>(engine().times_of("stop_all after_request").at(0)), 480'000,
                100);
    run_until(490'000);
    master_heartbeats_ = true;
    next_heartbeat_ = now_;
    run_until(491'000);
    ASSERT_EQ(engine().arrivals.size(), 1u);
    const auto resumed_ms = engine().call_ms.at(engine().calls.size() - 1);
    EXPECT_EQ(resumed_ms, 490'000);
    const auto& a = engine().arrivals[0];
    EXPECT_EQ(a.user_class, "Open");
    EXPECT_NEAR(a.rate, 1000.0 * 490 / 600, 0.1);  // 816.67
    EXPECT_DOUBLE_EQ(a.rate_end, 1000);
    EXPECT_EQ(a.ramp_ms, 110'000);
    EXPECT_EQ(a.max_users, 8);
    EXPECT_EQ(a.pre_allocate, 8);

    // Held again past the ramp's end: the rate it holds, no ramp.
    run_until(650'000);
    master_heartbeats_ = false;
    run_until(660'000);
    master_heartbeats_ = true;
    next_heartbeat_ = now_;
    run_until(661'000);
    EXPECT_EQ(engine().count("stop_all after_request"), 2);
    EXPECT_EQ(engine().count("arrivals Open 1000>1000/0 max 8 pre 8"), 1);
    EXPECT_EQ(engine().count("arrivals Open 0>1000/600000 max 8 pre 8"), 1) << "the spawn's only";
}

TEST_F(node_core_open_test, after_a_stop_a_silent_master_does_not_restart_the_pools) {
    start();
    tick_at(0);
    join();
    deliver(open_spawn(1, 0, {{"Open", 100, 100, 0, 8, 8}}));
    run_until(2000);
    deliver(proto::stop{0});
    run_until(2500);
    ASSERT_EQ(sent<proto::stopped>().size(), 1u);
    master_heartbeats_ = false;
    run_until(6000);
    master_heartbeats_ = true;
    next_heartbeat_ = now_;
    run_until(7000);
    EXPECT_EQ(engine().count("arrivals Open 100>100/0 max 8 pre 8"), 1);
    EXPECT_EQ(log_lines_with("restarting"), 0);
}

}  // namespace
}  // namespace swarm::test
