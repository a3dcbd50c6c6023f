// Dispatch over made-up clusters and the worker ramp on simulated time.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "master/dispatch/dispatch.hpp"
#include "worker/runtime/ramp.hpp"

namespace swarm {
namespace {

using namespace std::chrono_literals;
using master::user_class_weight;
using master::worker_slot;

std::vector<worker_slot> workers(std::initializer_list<const char*> hosts) {
    std::vector<worker_slot> out;
    int i = 0;
    for (auto h : hosts) out.push_back({"w" + std::to_string(i++), h, {}});
    return out;
}

TEST(dispatch_test, class_totals_by_weight_are_exact) {
    const std::vector<user_class_weight> classes{{"A", 10, {}}, {"B", 5, {}}, {"C", 1, {}}};
    auto t = master::class_totals(classes, 16);
    EXPECT_EQ(t, (std::vector<std::int64_t>{10, 5, 1}));
    t = master::class_totals(classes, 3);
    EXPECT_EQ(t[0] + t[1] + t[2], 3);
    EXPECT_EQ(t, (std::vector<std::int64_t>{2, 1, 0}));
    t = master::class_totals(classes, 1000);
    EXPECT_EQ(t, (std::vector<std::int64_t>{625, 313, 62}));  // ties go to the earlier class
}

TEST(dispatch_test, fixed_count_is_honoured_first_and_exactly) {
    const std::vector<user_class_weight> classes{{"A", 3, {}}, {"Admin", 1, 2}, {"B", 1, {}}};
    EXPECT_EQ(master::class_totals(classes, 10), (std::vector<std::int64_t>{6, 2, 2}));
    EXPECT_EQ(master::class_totals(classes, 1), (std::vector<std::int64_t>{0, 1, 0}));
    auto a = master::dispatch(classes, workers({"h1", "h2", "h3"}), 10, 5);
    std::int64_t admins = 0;
    for (const auto& w : a) admins += w.targets[1];
    EXPECT_EQ(admins, 2);
}

TEST(dispatch_test, workers_within_one_user_and_classes_spread) {
    const std::vector<user_class_weight> classes{{"A", 1, {}}, {"B", 1, {}}, {"C", 2, {}}};
    for (std::int64_t users : {0, 1, 2, 5, 7, 100, 1001}) {
        auto a = master::dispatch(classes, workers({"h1", "h1", "h2", "h3", "h2"}), users, 10);
        std::int64_t lo = users, hi = 0, sum = 0;
        for (const auto& w : a) {
            lo = std::min(lo, w.total());
            hi = std::max(hi, w.total());
            sum += w.total();
        }
        EXPECT_EQ(sum, users);
        EXPECT_LE(hi - lo, 1) << users << " users";
        for (std::size_t c = 0; c < classes.size(); ++c) {
            std::int64_t clo = users, chi = 0;
            for (const auto& w : a) {
                clo = std::min(clo, w.targets[c]);
                chi = std::max(chi, w.targets[c]);
            }
            EXPECT_LE(chi - clo, 1);
        }
    }
}

TEST(dispatch_test, hosts_are_filled_alternately) {
    // 2 users over two workers on h1 and one on h2: the second user goes to h2.
    auto a = master::dispatch({{"A", 1, {}}}, workers({"h1", "h1", "h2"}), 2, 1);
    EXPECT_EQ(a[0].total(), 1);
    EXPECT_EQ(a[1].total(), 0);
    EXPECT_EQ(a[2].total(), 1);
}

TEST(dispatch_test, rate_follows_the_work_left_to_do) {
    auto ws = workers({"h1", "h2"});
    auto a = master::dispatch({{"A", 1, {}}}, ws, 100, 10);
    EXPECT_DOUBLE_EQ(a[0].spawn_rate, 5);
    EXPECT_DOUBLE_EQ(a[1].spawn_rate, 5);
    // A third worker joins once 100 run: only it and the rebalancing count.
    ws[0].running = {50};
    ws[1].running = {50};
    ws.push_back({"w2", "h3", {}});
    a = master::dispatch({{"A", 1, {}}}, ws, 100, 10);
    EXPECT_EQ(a[2].total(), 33);
    double sum = 0;
    for (const auto& w : a) sum += w.spawn_rate;
    EXPECT_DOUBLE_EQ(sum, 10);
    EXPECT_GT(a[2].spawn_rate, a[0].spawn_rate);
}

TEST(ramp_test, starts_users_at_the_rate_one_at_a_time) {
    worker::ramp r;
    const auto t0 = worker::ramp::clock::time_point{} + 1h;
    r.retarget({100}, 10, t0);
    std::vector<std::int64_t> running{0};
    auto apply = [&](const std::vector<worker::ramp::action>& acts) {
        for (const auto& a : acts)
            running[a.user_class] += a.what == worker::ramp::action::kind::start ? 1 : -1;
        return acts.size();
    };
    EXPECT_EQ(apply(r.due(t0, running)), 1u);          // first user at once
    EXPECT_EQ(apply(r.due(t0 + 50ms, running)), 0u);   // not yet
    EXPECT_EQ(apply(r.due(t0 + 100ms, running)), 1u);  // one per 100 ms
    EXPECT_EQ(apply(r.due(t0 + 1s, running)), 9u);     // 11 by 1 s
    EXPECT_EQ(running[0], 11);
    apply(r.due(t0 + 20s, running));
    EXPECT_EQ(running[0], 100);
    EXPECT_TRUE(r.complete(running));
}

TEST(ramp_test, classes_stay_in_proportion_during_the_ramp) {
    worker::ramp r;
    const auto t0 = worker::ramp::clock::time_point{} + 1h;
    r.retarget({60, 30, 10}, 100, t0);
    std::vector<std::int64_t> running{0, 0, 0};
    for (const auto& a : r.due(t0 + 490ms, running)) ++running[a.user_class];
    EXPECT_EQ(running[0] + running[1] + running[2], 50);
    EXPECT_NEAR(running[0], 30, 1);
    EXPECT_NEAR(running[1], 15, 1);
    EXPECT_NEAR(running[2], 5, 1);
}

TEST(ramp_test, ramp_down_stops_at_the_rate_and_retarget_restarts_the_clock) {
    worker::ramp r;
    const auto t0 = worker::ramp::clock::time_point{} + 1h;
    r.retarget({2, 0}, 4, t0);
    std::vector<std::int64_t> running{5, 3};
    std::map<worker::ramp::action::kind, int> counts;
    for (const auto& a : r.due(t0 + 1s, running)) {
        ++counts[a.what];
        running[a.user_class] -= 1;
    }
    EXPECT_EQ(counts[worker::ramp::action::kind::stop], 5);  // 1 + 4/s × 1 s
    for (const auto& a : r.due(t0 + 10s, running)) running[a.user_class] -= 1;
    EXPECT_EQ(running, (std::vector<std::int64_t>{2, 0}));
}

}  // namespace
}  // namespace swarm
