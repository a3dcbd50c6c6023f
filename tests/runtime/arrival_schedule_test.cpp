// The arrival schedule on simulated time: arrivals per second against the
// plan at constant rates, ramps and a rate change mid-way; rate 0 ends
// arrivals; poisson spacing has the right mean and variance.
#include <gmock/gmock.h>

#include <cmath>
#include <vector>

#include "worker/runtime/arrival_schedule.hpp"

namespace swarm::worker {
namespace {

using namespace std::chrono_literals;
using clock = arrival_schedule::clock;
const clock::time_point t0{std::chrono::hours(1)};

// Arrivals per whole second from t0 until `end`.
std::vector<std::int64_t> per_second(arrival_schedule& s, std::chrono::seconds end) {
    std::vector<std::int64_t> out(static_cast<std::size_t>(end.count()), 0);
    while (auto at = s.next()) {
        if (*at >= t0 + end) break;
        EXPECT_GE(*at, t0);
        ++out[static_cast<std::size_t>((*at - t0) / 1s)];
        s.advance();
    }
    return out;
}

TEST(arrival_schedule, constant_rates_give_their_count_every_second) {
    for (const double rate : {1'000.0, 20'000.0, 3.5}) {
        arrival_schedule s;
        s.set(rate, rate, 0s, t0);
        const auto counts = per_second(s, 10s);
        for (std::size_t i = 0; i < counts.size(); ++i)
            EXPECT_NEAR(static_cast<double>(counts[i]), rate, 1.0) << "rate " << rate << " s " << i;
    }
}

TEST(arrival_schedule, constant_spacing_does_not_drift) {
    arrival_schedule s;
    s.set(20'000, 20'000, 0s, t0);
    for (int i = 1; i <= 1'000'000; ++i) {
        if (i == 1'000'000) {
            // The millionth arrival: exactly 50 s in (within a microsecond).
            EXPECT_LE(std::chrono::abs(*s.next() - (t0 + 50s)), 1us);
        }
        s.advance();
    }
}

TEST(arrival_schedule, a_ramp_follows_the_line) {
    // 0 → 1000/s over 10 s: second i gets the rate's mean over it, 100 i + 50.
    arrival_schedule s;
    s.set(0, 1'000, 10s, t0);
    const auto counts = per_second(s, 12s);
    for (std::size_t i = 0; i < 10; ++i)
        EXPECT_NEAR(static_cast<double>(counts[i]), 100.0 * static_cast<double>(i) + 50, 1.0) << i;
    EXPECT_NEAR(static_cast<double>(counts[10]), 1'000, 1.0);
    EXPECT_NEAR(static_cast<double>(counts[11]), 1'000, 1.0);
    // Down too: 1000 → 0 over 4 s gives 4 * 500 in all, then nothing.
    arrival_schedule down;
    down.set(1'000, 0, 4s, t0);
    const auto d = per_second(down, 6s);
    // (The 2000th falls on the 4 s boundary itself.)
    EXPECT_NEAR(static_cast<double>(d[0] + d[1] + d[2] + d[3] + d[4]), 2'000, 1.0);
    EXPECT_LE(d[4], 1);
    EXPECT_EQ(d[5], 0);
    EXPECT_FALSE(down.next().has_value());
}

TEST(arrival_schedule, a_new_rate_mid_way_neither_bursts_nor_gaps) {
    arrival_schedule s;
    s.set(100, 100, 0s, t0);
    std::vector<clock::time_point> times;
    while (*s.next() < t0 + 2055ms) {
        times.push_back(*s.next());
        s.advance();
    }
    // At 2.055 s (half way to the next arrival at 100/s) the rate becomes
    // 1000/s: the arrival left needs half of one arrival's worth, 0.5 ms.
    s.set(1'000, 1'000, 0s, t0 + 2055ms);
    EXPECT_EQ(times.size(), 205u);
    EXPECT_LE(std::chrono::abs(*s.next() - (t0 + 2055500us)), 1us);
    std::int64_t n = 0;
    while (*s.next() < t0 + 3055200us) {
        ++n;
        s.advance();
    }
    EXPECT_NEAR(static_cast<double>(n), 1'000, 1.0);
    // Then 0: no more arrivals.
    s.set(0, 0, 0s, t0 + 3055200us);
    EXPECT_FALSE(s.next().has_value());
    // And back: 10/s again from 5 s on.
    s.set(10, 10, 0s, t0 + 5s);
    ASSERT_TRUE(s.next().has_value());
    EXPECT_GT(*s.next(), t0 + 5s);
    EXPECT_LE(*s.next(), t0 + 5100ms);
}

TEST(arrival_schedule, staggered_first_levels_interleave_threads) {
    // Two threads at 50/s each, first levels 0.5 and 1: one arrival per 10 ms together.
    arrival_schedule a(arrival_schedule::spacing::constant, 1, 0.5);
    arrival_schedule b(arrival_schedule::spacing::constant, 1, 1.0);
    a.set(50, 50, 0s, t0);
    b.set(50, 50, 0s, t0);
    EXPECT_EQ(*a.next() - t0, 10ms);
    EXPECT_EQ(*b.next() - t0, 20ms);
}

TEST(arrival_schedule, no_rate_no_arrivals) {
    arrival_schedule s;
    EXPECT_FALSE(s.next().has_value());  // nothing set yet
    s.set(0, 0, 0s, t0);
    EXPECT_FALSE(s.next().has_value());
    s.advance();  // harmless
    EXPECT_FALSE(s.next().has_value());
}

// The master may send a tiny share (1/day split over 1000 workers): the
// next arrival is then years away, and past the schedule's horizon (1e9 s)
// none is coming. Converted to nanoseconds it used to overflow into the
// past and every timer wake fired its maximum of arrivals.
TEST(arrival_schedule, a_tiny_rate_brings_no_arrival_storm_and_a_normal_one_after_it_works) {
    using spacing = arrival_schedule::spacing;
    for (const auto how : {spacing::constant, spacing::poisson}) {
        for (const double rate : {1e-12, 1e-300}) {
            for (const auto ramp : {clock::duration{0}, clock::duration{10s}}) {
                arrival_schedule s(how, 3);
                s.set(ramp > 0s ? 0 : rate, rate, ramp, t0);
                // Within a simulated hour: none (bounded loop: a storm counts up to 10 000).
                int due = 0;
                for (auto at = s.next(); at && *at < t0 + 1h && due < 10'000; at = s.next()) {
                    ++due;
                    s.advance();
                }
                EXPECT_EQ(due, 0) << "rate " << rate << " ramp " << (ramp > 0s);
                if (const auto at = s.next()) {
                    EXPECT_GE(*at, t0 + 1h);
                }
                // An hour later a normal rate: 100 a second, from then on.
                s.set(100, 100, 0s, t0 + 1h);
                const auto first = s.next();
                ASSERT_TRUE(first.has_value());
                EXPECT_GE(*first, t0 + 1h);
                int in_ten_seconds = 0;
                for (auto at = s.next(); at && *at < t0 + 1h + 10s; at = s.next()) {
                    ++in_ten_seconds;
                    s.advance();
                }
                EXPECT_NEAR(in_ten_seconds, 1'000, how == spacing::poisson ? 120 : 1)
                    << "rate " << rate;
            }
        }
    }
}

TEST(arrival_schedule, poisson_has_the_mean_and_variance_of_the_rate) {
    arrival_schedule s(arrival_schedule::spacing::poisson, 42);
    s.set(1'000, 1'000, 0s, t0);
    const auto counts = per_second(s, 200s);
    double sum = 0, sq = 0;
    for (auto c : counts) {
        sum += static_cast<double>(c);
        sq += static_cast<double>(c) * static_cast<double>(c);
    }
    const double n = static_cast<double>(counts.size());
    const double mean = sum / n;
    const double variance = sq / n - mean * mean;
    // Poisson(1000): mean 1000, variance 1000. Over 200 s the mean's
    // standard error is ~2.2; the variance's ~100.
    EXPECT_NEAR(mean, 1'000, 10);
    EXPECT_NEAR(variance, 1'000, 350);
    // Not constant spacing in disguise: seconds differ.
    EXPECT_GT(variance, 300);
    // Seeded: the same seed gives the same times.
    arrival_schedule x(arrival_schedule::spacing::poisson, 7),
        y(arrival_schedule::spacing::poisson, 7);
    x.set(100, 100, 0s, t0);
    y.set(100, 100, 0s, t0);
    for (int i = 0; i < 100; ++i, x.advance(), y.advance()) ASSERT_EQ(*x.next(), *y.next());
}

// What the engine's wake batching reads (open_pools.cpp): the rate along
// the segment's line, and nothing before a segment exists.
TEST(arrival_schedule, the_rate_at_a_time_follows_the_segment) {
    arrival_schedule s;
    EXPECT_EQ(s.rate_at(t0), 0.0);
    s.set(100, 500, 4s, t0);
    EXPECT_DOUBLE_EQ(s.rate_at(t0 - 1s), 100);
    EXPECT_DOUBLE_EQ(s.rate_at(t0), 100);
    EXPECT_DOUBLE_EQ(s.rate_at(t0 + 1s), 200);
    EXPECT_DOUBLE_EQ(s.rate_at(t0 + 4s), 500);
    EXPECT_DOUBLE_EQ(s.rate_at(t0 + 1h), 500);
    s.set(0, 30, 0s, t0 + 5s);
    EXPECT_DOUBLE_EQ(s.rate_at(t0 + 5s), 30);
}

}  // namespace
}  // namespace swarm::worker
