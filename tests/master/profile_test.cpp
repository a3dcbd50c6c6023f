// The load profile's pure arithmetic (master/profile/schedule.hpp) and the
// open model's splits over workers (master/dispatch/arrival_split.hpp), on
// made-up times and clusters.
#include <gmock/gmock.h>

#include <numeric>

#include "master/dispatch/arrival_split.hpp"
#include "master/profile/schedule.hpp"

namespace swarm::master::profile {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;

scenario::load_stage stage(scenario::duration length, std::int64_t users, double rate) {
    return {length, users, rate, {}};
}

scenario::arrival_spec arrivals(double start_rate,
                                const std::vector<std::pair<scenario::duration, double>>& stages) {
    scenario::arrival_spec a;
    a.start_rate = start_rate;
    for (const auto& [length, rate] : stages) a.stages.push_back({length, rate, {}});
    a.max_users = 100;
    return a;
}

TEST(closed_schedule, stages_targets_boundaries_and_the_planned_line) {
    const closed_schedule s({stage(10s, 100, 10), stage(20s, 100, 1), stage(10s, 0, 20)});
    EXPECT_EQ(s.end(), 40s);
    auto p = s.at(0ms);
    EXPECT_EQ(p.index, 0u);
    EXPECT_EQ(p.users, 100);
    EXPECT_EQ(p.rate, 10);
    EXPECT_EQ(p.next, 10s);
    EXPECT_EQ(p.planned, 0);
    EXPECT_EQ(s.at(5s).planned, 50);
    EXPECT_EQ(s.at(9999ms).planned, 99);  // whole users reached, not promised
    p = s.at(10s);
    EXPECT_EQ(p.index, 1u);
    EXPECT_EQ(p.next, 30s);
    EXPECT_EQ(p.planned, 100);
    p = s.at(30s);
    EXPECT_EQ(p.index, 2u);
    EXPECT_EQ(p.users, 0);
    EXPECT_EQ(p.rate, 20);
    EXPECT_EQ(p.next, 40s);
    EXPECT_EQ(p.planned, 100);
    EXPECT_EQ(s.at(32500ms).planned, 50);
    EXPECT_EQ(s.at(35s).planned, 0);  // clamped at the target, not below
    p = s.at(40s);
    EXPECT_EQ(p.index, 3u);
    EXPECT_FALSE(p.next);
    EXPECT_EQ(p.planned, 0);
}

TEST(closed_schedule, a_stage_too_short_for_its_ramp_hands_on_where_it_got_to) {
    // 10 s at 5/s reach 50 of 100; the next stage goes down from 50.
    const closed_schedule s({stage(10s, 100, 5), stage(10s, 0, 10)});
    EXPECT_EQ(s.at(10s).planned, 50);
    EXPECT_EQ(s.at(12s).planned, 30);
    EXPECT_EQ(s.at(15s).planned, 0);
    EXPECT_EQ(s.at(25s).planned, 0);
    EXPECT_TRUE(closed_schedule().empty());
    EXPECT_EQ(closed_schedule().at(5s).planned, 0);
}

TEST(arrival_schedule, linear_between_boundaries_then_zero_after_a_bounded_last_stage) {
    const arrival_schedule a(arrivals(10, {{10s, 50}, {20s, 50}, {10s, 0}}));
    EXPECT_DOUBLE_EQ(a.rate(0ms), 10);
    EXPECT_DOUBLE_EQ(a.rate(5s), 30);
    EXPECT_DOUBLE_EQ(a.rate(10s), 50);
    EXPECT_DOUBLE_EQ(a.rate(25s), 50);
    EXPECT_DOUBLE_EQ(a.rate(35s), 25);
    EXPECT_DOUBLE_EQ(a.rate(40s), 0);
    EXPECT_DOUBLE_EQ(a.rate(100s), 0);
    EXPECT_EQ(a.next(0ms), 10s);
    EXPECT_EQ(a.next(10s), 30s);
    EXPECT_EQ(a.next(39s), 40s);
    EXPECT_FALSE(a.next(40s));
    EXPECT_EQ(a.end(), 40s);

    const auto v = a.share(5s, 0.25);
    EXPECT_DOUBLE_EQ(v.rate, 7.5);
    EXPECT_DOUBLE_EQ(v.rate_end, 12.5);
    EXPECT_EQ(v.ramp_ms, 5000);
    const auto last = a.share(35s, 0.5);
    EXPECT_DOUBLE_EQ(last.rate, 12.5);
    EXPECT_DOUBLE_EQ(last.rate_end, 0);
    EXPECT_EQ(last.ramp_ms, 5000);
    const auto over = a.share(45s, 0.5);
    EXPECT_DOUBLE_EQ(over.rate, 0);
    EXPECT_DOUBLE_EQ(over.rate_end, 0);
    EXPECT_EQ(over.ramp_ms, 0);
}

TEST(arrival_schedule, a_zero_length_last_stage_holds_until_the_test_ends) {
    const arrival_schedule constant(arrivals(200, {{0s, 200}}));  // arrival: {rate: 200/s}
    EXPECT_DOUBLE_EQ(constant.rate(0ms), 200);
    EXPECT_DOUBLE_EQ(constant.rate(1h), 200);
    EXPECT_FALSE(constant.next(0ms));
    EXPECT_FALSE(constant.end());
    const auto v = constant.share(3s, 0.5);
    EXPECT_DOUBLE_EQ(v.rate, 100);
    EXPECT_DOUBLE_EQ(v.rate_end, 100);
    EXPECT_EQ(v.ramp_ms, 0);

    const arrival_schedule ramp_then_hold(arrivals(0, {{30s, 100}, {0s, 100}}));
    EXPECT_DOUBLE_EQ(ramp_then_hold.rate(15s), 50);
    EXPECT_EQ(ramp_then_hold.next(15s), 30s);
    EXPECT_DOUBLE_EQ(ramp_then_hold.rate(31s), 100);
    EXPECT_FALSE(ramp_then_hold.next(30s));
    EXPECT_FALSE(ramp_then_hold.end());
}

TEST(arrival_schedule, a_zero_length_stage_inside_jumps) {
    const arrival_schedule a(arrivals(10, {{10s, 10}, {0s, 100}, {10s, 100}}));
    EXPECT_DOUBLE_EQ(a.rate(9s), 10);
    EXPECT_DOUBLE_EQ(a.rate(10s), 100);
    EXPECT_DOUBLE_EQ(a.rate(15s), 100);
    EXPECT_EQ(a.next(5s), 10s);
    EXPECT_DOUBLE_EQ(a.share(5s, 1).rate_end, 10);  // the stage's own end, before the jump
    EXPECT_EQ(a.next(10s), 20s);
    EXPECT_EQ(a.end(), 20s);
}

TEST(profile_end, latest_bounded_end_or_none) {
    const closed_schedule closed({stage(40s, 10, 1)});
    const arrival_schedule bounded(arrivals(0, {{60s, 10}}));
    const arrival_schedule unbounded(arrivals(5, {{0s, 5}}));
    EXPECT_EQ(profile_end(closed, {bounded}), 60s);
    EXPECT_EQ(profile_end(closed, {unbounded}), 40s);
    EXPECT_EQ(profile_end(closed_schedule(), {unbounded, bounded}), 60s);
    EXPECT_FALSE(profile_end(closed_schedule(), {unbounded}));
    EXPECT_FALSE(profile_end(closed_schedule(), {}));
}

}  // namespace
}  // namespace swarm::master::profile

namespace swarm::master {
namespace {

using ::testing::ElementsAre;

TEST(arrival_split, rate_fractions_follow_threads) {
    const auto f = thread_fractions({1, 3});
    ASSERT_EQ(f.size(), 2u);
    EXPECT_DOUBLE_EQ(f[0], 0.25);
    EXPECT_DOUBLE_EQ(f[1], 0.75);
    const auto g = thread_fractions({0, 1});  // 0 threads counts as 1
    EXPECT_DOUBLE_EQ(g[0], 0.5);
    const auto h = thread_fractions({3, 5, 7});
    EXPECT_NEAR(std::accumulate(h.begin(), h.end(), 0.0), 1.0, 1e-12);
    EXPECT_TRUE(thread_fractions({}).empty());
}

TEST(arrival_split, whole_units_by_largest_remainder_sum_exactly) {
    EXPECT_THAT(split_by_threads(10, {1, 2, 2}), ElementsAre(2, 4, 4));
    EXPECT_THAT(split_by_threads(7, {1, 1, 1}), ElementsAre(3, 2, 2));
    EXPECT_THAT(split_by_threads(1, {1, 1, 1}), ElementsAre(1, 0, 0));  // a pool below the workers
    EXPECT_THAT(split_by_threads(10, {1, 3}), ElementsAre(3, 7));       // 2.5/7.5: tie → first
    EXPECT_THAT(split_by_threads(0, {4, 4}), ElementsAre(0, 0));
    EXPECT_THAT(split_by_threads(-3, {4}), ElementsAre(0));
    const auto big = split_by_threads(1001, {3, 5, 7});
    EXPECT_EQ(std::accumulate(big.begin(), big.end(), std::int64_t{0}), 1001);
    EXPECT_THAT(big, ElementsAre(200, 334, 467));
}

}  // namespace
}  // namespace swarm::master
