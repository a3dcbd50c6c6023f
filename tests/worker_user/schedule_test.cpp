#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "worker/user/environment.hpp"
#include "worker/user/schedule.hpp"

namespace swarm::worker::user {
namespace {

using scenario::duration;
using scenario::wait_spec;
using std::chrono::milliseconds;

TEST(wait_after, none_is_zero_and_constant_is_min) {
    EXPECT_EQ(wait_after({}, milliseconds(5), 123), duration{0});
    const wait_spec c{wait_spec::kind::constant, milliseconds(200), milliseconds(200), 0};
    EXPECT_EQ(wait_after(c, milliseconds(5000), 123), milliseconds(200));
}

TEST(wait_after, between_stays_within_bounds_and_reaches_both_ends) {
    const wait_spec b{wait_spec::kind::between, milliseconds(1000), milliseconds(15000), 0};
    user_random rng(9);
    duration lo = duration::max(), hi = duration::min();
    double sum = 0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        const auto w = wait_after(b, milliseconds(3), rng());
        ASSERT_GE(w, milliseconds(1000));
        ASSERT_LE(w, milliseconds(15000));
        lo = std::min(lo, w);
        hi = std::max(hi, w);
        sum += static_cast<double>(w.count());
    }
    EXPECT_LT(lo, milliseconds(1010));
    EXPECT_GT(hi, milliseconds(14990));
    EXPECT_NEAR(sum / n / 1e6, 8.0, 0.1);  // uniform: mean (1 + 15) / 2 s
    EXPECT_EQ(wait_after(b, {}, 0), milliseconds(1000));
}

TEST(wait_after, pacing_subtracts_the_task_time_and_never_goes_negative) {
    const wait_spec p{wait_spec::kind::pacing, milliseconds(1000), milliseconds(1000), 0};
    EXPECT_EQ(wait_after(p, milliseconds(300), 1), milliseconds(700));
    EXPECT_EQ(wait_after(p, milliseconds(1000), 1), duration{0});
    EXPECT_EQ(wait_after(p, milliseconds(2500), 1), duration{0});
}

TEST(wait_after, throughput_is_pacing_at_one_over_n_seconds) {
    const wait_spec t{wait_spec::kind::throughput, {}, {}, 2};
    EXPECT_EQ(wait_after(t, milliseconds(100), 1), milliseconds(400));
    EXPECT_EQ(wait_after(t, milliseconds(600), 1), duration{0});
    const wait_spec slow{wait_spec::kind::throughput, {}, {}, 0.25};
    EXPECT_EQ(wait_after(slow, milliseconds(0), 1), milliseconds(4000));
}

// The user reads the clock around a task only when this says so: it must
// hold for every kind whose wait depends on the task's time.
TEST(wait_after, uses_task_time_exactly_for_pacing_and_throughput) {
    for (const auto how :
         {wait_spec::kind::none, wait_spec::kind::between, wait_spec::kind::constant,
          wait_spec::kind::pacing, wait_spec::kind::throughput}) {
        const wait_spec w{how, milliseconds(1000), milliseconds(2000), 2.0};
        const bool depends =
            wait_after(w, milliseconds(1), 7) != wait_after(w, milliseconds(300), 7);
        EXPECT_EQ(wait_uses_task_time(w), depends) << static_cast<int>(how);
    }
}

TEST(pick_weighted, frequencies_follow_weights_within_three_sigma) {
    const std::array<double, 3> cumulative{10, 15, 16};  // weights 10, 5, 1
    const std::array<double, 3> p{10.0 / 16, 5.0 / 16, 1.0 / 16};
    std::array<int, 3> counts{};
    user_random rng(2024);
    const int n = 16000;
    for (int i = 0; i < n; ++i) ++counts.at(pick_weighted(cumulative, rng()));
    for (std::size_t i = 0; i < 3; ++i) {
        const double expected = n * p[i];
        const double sigma = std::sqrt(n * p[i] * (1 - p[i]));
        EXPECT_NEAR(counts[i], expected, 3 * sigma) << "task " << i;
    }
}

TEST(pick_weighted, extremes_of_the_draw_stay_in_range) {
    const std::array<double, 3> cumulative{1, 2, 3};
    EXPECT_EQ(pick_weighted(cumulative, 0), 0u);
    EXPECT_EQ(pick_weighted(cumulative, ~std::uint64_t{0}), 2u);
}

TEST(user_seed, differs_by_user_and_run_and_repeats_for_the_same_pair) {
    EXPECT_EQ(user_seed(1, 7), user_seed(1, 7));
    EXPECT_NE(user_seed(1, 7), user_seed(1, 8));
    EXPECT_NE(user_seed(1, 7), user_seed(2, 7));
}

}  // namespace
}  // namespace swarm::worker::user
