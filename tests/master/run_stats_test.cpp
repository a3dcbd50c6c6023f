// run_stats on simulated time: seconds on the master's clock, each worker's
// deltas in consecutive seconds, trailing rates, reset, the history cap, and
// per-second percentiles merged from several workers.
#include "master/stats/run_stats.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "tests/master/stats_fixture.hpp"

namespace swarm::master {
namespace {

using namespace testing;

TEST(run_stats_test, each_worker_counts_in_consecutive_seconds_closed_after_a_grace) {
    run_stats run(t0, wall0_ms);  // grace: 500 ms
    run.apply("w1", delta_n("GET", "/a", 10), at_ms(200));
    run.apply("w2", delta_n("GET", "/a", 5, 2), at_ms(999));
    run.apply("w1", delta_n("GET", "/a", 7), at_ms(1100));  // w1's next second
    EXPECT_EQ(run.workers().at("w1").last_second, 1u);
    EXPECT_EQ(run.workers().at("w2").last_second, 0u);
    run.tick(at_ms(1499), wall0_ms + 1499, 40);
    EXPECT_TRUE(run.history().empty());  // second 0 still takes late deltas
    run.tick(at_ms(1500), wall0_ms + 1500, 40);
    ASSERT_EQ(run.history().size(), 1u);
    run.tick(at_ms(2499), wall0_ms + 2499, 50);
    ASSERT_EQ(run.history().size(), 1u);
    run.tick(at_ms(2500), wall0_ms + 2500, 50);
    ASSERT_EQ(run.history().size(), 2u);

    const history_point& s0 = run.history()[0];
    EXPECT_EQ(s0.second, 0u);
    EXPECT_EQ(s0.unix_s, 1'700'000'000);
    EXPECT_EQ(s0.requests, 15u);
    EXPECT_EQ(s0.failures, 2u);
    EXPECT_EQ(s0.total.requests, 22u);  // cumulative when the second closed
    EXPECT_EQ(s0.user_count, 40u);
    const history_point& s1 = run.history()[1];
    EXPECT_EQ(s1.unix_s, 1'700'000'001);
    EXPECT_EQ(s1.requests, 7u);
    EXPECT_EQ(s1.failures, 0u);
    EXPECT_EQ(s1.user_count, 50u);
    EXPECT_EQ(s1.total.requests, 22u);
    EXPECT_EQ(s1.total.failures, 2u);
    ASSERT_EQ(s1.entries.size(), 1u);
    EXPECT_EQ(run.names()[s1.entries[0].name], (std::pair<std::string, std::string>{"GET", "/a"}));
    EXPECT_EQ(run.total().requests(), 22u);
    EXPECT_EQ(run.requests().find("GET", "/a")->failures(), 2u);
}

// The bug this layout fixes: a worker whose reports arrive near the master's
// second boundary, a few ms early or late each time, used to land twice in
// one second and not at all in the next - a steady load drawn as 0, 200, 0.
TEST(run_stats_test, reports_jittering_around_a_second_boundary_count_once_per_second) {
    run_stats run(t0, wall0_ms);
    const std::int64_t jitter_ms[] = {-8, 6, -3, 9, -7, 2, -9, 5, 8, -4};
    for (std::int64_t s = 0; s < 10; ++s) {
        run.apply("w1", delta_n("GET", "/a", 100), at_ms(1000 * (s + 1) + jitter_ms[s]));
        run.tick(at_ms(1000 * (s + 1) + 40), wall0_ms + 1000 * (s + 1) + 40, 1);
    }
    run.tick(at_ms(12'000), wall0_ms + 12'000, 1);
    ASSERT_GE(run.history().size(), 11u);
    // The first report arrived 8 ms before second 1: it fills second 0.
    for (std::size_t i = 0; i < 10; ++i) {
        EXPECT_EQ(run.history()[i].requests, 100u) << "second " << i;
    }
    EXPECT_EQ(run.history()[10].requests, 0u);
}

TEST(run_stats_test, many_workers_on_random_phases_fill_every_second_exactly) {
    run_stats run(t0, wall0_ms);
    constexpr int workers = 50;
    constexpr int seconds = 60;
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<std::int64_t> phase(0, 999);
    std::uniform_int_distribution<std::int64_t> jitter(-30, 30);
    struct report {
        std::int64_t ms;
        int worker;
    };
    std::vector<report> reports;
    for (int w = 0; w < workers; ++w) {
        const std::int64_t first = 1000 + phase(rng);
        for (int s = 0; s < seconds; ++s) reports.push_back({first + 1000 * s + jitter(rng), w});
    }
    std::sort(reports.begin(), reports.end(),
              [](const report& a, const report& b) { return a.ms < b.ms; });
    for (const report& r : reports) {
        run.apply("w" + std::to_string(r.worker), delta_n("GET", "/a", 1), at_ms(r.ms));
        run.tick(at_ms(r.ms), wall0_ms + r.ms, workers);
    }
    run.tick(at_ms(70'000), wall0_ms + 70'000, workers);
    // Each worker's reports fill `seconds` consecutive seconds from the one
    // its first report anchored in; in the middle every worker is present.
    std::uint64_t total = 0;
    for (const history_point& p : run.history()) total += p.requests;
    EXPECT_EQ(total, static_cast<std::uint64_t>(workers * seconds));
    for (std::size_t i = 2; i < seconds; ++i) {
        EXPECT_EQ(run.history()[i].requests, static_cast<std::uint64_t>(workers)) << "second " << i;
    }
}

TEST(run_stats_test, a_lost_report_leaves_its_second_empty_and_the_next_one_lands_on_time) {
    run_stats run(t0, wall0_ms);
    run.apply("w1", delta_n("GET", "/a", 10), at_ms(500));
    run.apply("w1", delta_n("GET", "/a", 10), at_ms(1500));
    // The report at 2500 never arrives.
    run.apply("w1", delta_n("GET", "/a", 10), at_ms(3500));
    run.apply("w1", delta_n("GET", "/a", 10), at_ms(4500));
    run.tick(at_ms(6000), wall0_ms + 6000, 1);
    ASSERT_GE(run.history().size(), 5u);
    const std::uint64_t expected[] = {10, 10, 0, 10, 10};
    for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(run.history()[i].requests, expected[i]) << i;
}

TEST(run_stats_test, a_report_early_for_its_second_counts_in_the_newest_open_one) {
    run_stats run(t0, wall0_ms);
    run.apply("w1", delta_n("GET", "/a", 10), at_ms(600));
    run.apply("w1", delta_n("GET", "/a", 4), at_ms(900));  // the last delta at a stop
    EXPECT_EQ(run.workers().at("w1").last_second, 0u);
    run.stop(at_ms(950), wall0_ms + 950);
    ASSERT_EQ(run.history().size(), 1u);
    EXPECT_EQ(run.history()[0].requests, 14u);
    EXPECT_EQ(run.history()[0].duration_ms, 900u);  // what its two deltas cover, not the cut
}

TEST(run_stats_test, empty_seconds_are_recorded_as_zero) {
    run_stats run(t0, wall0_ms);
    run.apply("w1", delta_n("GET", "/a", 3), at_ms(100));
    run.tick(at_ms(4500), wall0_ms + 4500, 1);
    ASSERT_EQ(run.history().size(), 4u);
    EXPECT_EQ(run.history()[0].requests, 3u);
    for (std::size_t i = 1; i < 4; ++i) {
        EXPECT_EQ(run.history()[i].requests, 0u);
        EXPECT_EQ(run.history()[i].second, i);
        EXPECT_EQ(run.history()[i].total.requests, 3u);
    }
}

TEST(run_stats_test, current_rates_average_the_trailing_closed_seconds) {
    run_stats run(t0, wall0_ms);  // window: 3 s
    EXPECT_EQ(run.current_rps(), 0.0);
    const std::uint64_t per_second[] = {10, 20, 30, 40};
    for (std::int64_t s = 0; s < 4; ++s) {
        run.apply("w1", delta_n("GET", "/a", per_second[s], per_second[s] / 10),
                  at_ms(s * 1000 + 500));
        run.apply("w2", delta_n("POST", "/b", 1), at_ms(s * 1000 + 600));
    }
    // A partly filled current second must not count, however busy.
    run.apply("w1", delta_n("GET", "/a", 1000), at_ms(4100));
    run.tick(at_ms(4600), wall0_ms + 4600, 10);
    ASSERT_EQ(run.history().size(), 4u);
    EXPECT_DOUBLE_EQ(run.current_rps(), (21 + 31 + 41) / 3.0);
    EXPECT_DOUBLE_EQ(run.current_rps("GET", "/a"), 30.0);
    EXPECT_DOUBLE_EQ(run.current_rps("POST", "/b"), 1.0);
    EXPECT_DOUBLE_EQ(run.current_rps("GET", "/nothing"), 0.0);
    EXPECT_DOUBLE_EQ(run.current_fail_per_sec(), 3.0);
    EXPECT_DOUBLE_EQ(run.current_fail_per_sec("GET", "/a"), 3.0);
    EXPECT_DOUBLE_EQ(run.current_fail_per_sec("POST", "/b"), 0.0);
}

TEST(run_stats_test, current_rate_uses_fewer_seconds_at_the_start) {
    run_stats run(t0, wall0_ms);
    run.apply("w1", delta_n("GET", "/a", 8), at_ms(300));
    run.tick(at_ms(1500), wall0_ms + 1500, 1);
    EXPECT_DOUBLE_EQ(run.current_rps(), 8.0);  // one closed second, not 8 / 3
}

TEST(run_stats_test, stop_closes_the_cut_last_second_at_the_time_its_deltas_cover) {
    run_stats run(t0, wall0_ms);
    run.apply("w1", delta_n("GET", "/a", 10), at_ms(300));
    run.tick(at_ms(1500), wall0_ms + 1500, 1);              // second 0 closes
    run.apply("w1", delta_n("GET", "/a", 6), at_ms(1800));  // covers 1800 - 300 ms
    run.stop(at_ms(1900), wall0_ms + 1900);
    ASSERT_EQ(run.history().size(), 2u);
    EXPECT_EQ(run.history()[1].duration_ms, 1000u);  // clamped: not the 900 ms the cut left
    EXPECT_DOUBLE_EQ(run.history()[1].rps(), 6.0);
    EXPECT_TRUE(run.stopped());
    EXPECT_EQ(run.end_wall_ms(), wall0_ms + 1900);
    EXPECT_DOUBLE_EQ(run.elapsed_seconds(), 1.9);
    EXPECT_EQ(run.current_rps(), 0.0);  // stopped: nothing is being sent now
    EXPECT_EQ(run.current_rps("GET", "/a"), 0.0);
    // A straggler still counts in the totals, not in the history or the time.
    run.apply("w2", delta_n("GET", "/a", 5), at_ms(3000));
    EXPECT_EQ(run.total().requests(), 21u);
    EXPECT_EQ(run.history().size(), 2u);
    EXPECT_DOUBLE_EQ(run.elapsed_seconds(), 1.9);
}

TEST(run_stats_test, a_short_cut_second_folds_into_the_previous_one_still_in_its_grace) {
    run_stats run(t0, wall0_ms);
    run.apply("w1", delta_of("GET", "/a", {1'000, 2'000}), at_ms(500));
    run.apply("w1", delta_of("GET", "/a", {3'000, 4'000}, 1), at_ms(1100));  // covers 600 ms
    run.stop(at_ms(1250), wall0_ms + 1250);
    ASSERT_EQ(run.history().size(), 1u);  // seconds 0 and 1 in one point
    const history_point& p = run.history()[0];
    EXPECT_EQ(p.second, 0u);
    EXPECT_EQ(p.requests, 4u);
    EXPECT_EQ(p.failures, 1u);
    EXPECT_EQ(p.duration_ms, 1100u);               // 500 + 600 ms, both deltas' time
    EXPECT_NEAR(p.percentile_us(100), 4'000, 40);  // both seconds' histograms
    ASSERT_EQ(p.entries.size(), 1u);
    EXPECT_EQ(p.entries[0].requests, 4u);
    EXPECT_DOUBLE_EQ(run.elapsed_seconds(), 1.25);
    EXPECT_DOUBLE_EQ(run.per_second(run.total().requests()), 3.2);
}

// Four workers at 25 requests/s each (100/s in all), reporting every second
// on their own phases, stopped 3 ms into second 6; each worker's final delta
// (its requests up to the stop) arrives `final_delay_ms` + a few ms after
// the stop was sent. Returns the stopped run; `sent` gets the requests sent.
run_stats steady_run_stopped_early_in_a_second(std::int64_t final_delay_ms, std::uint64_t& sent) {
    run_stats run(t0, wall0_ms);
    const std::int64_t phase_ms[] = {100, 400, 730, 998};
    const auto requests_in = [](std::int64_t from_ms, std::int64_t to_ms) {
        return static_cast<std::uint64_t>((to_ms - from_ms) * 25 / 1000);
    };
    constexpr std::int64_t stop_ms = 6003;
    std::int64_t last_ms[4] = {0, 0, 0, 0};
    sent = 0;
    for (std::int64_t t = 1; t < stop_ms; ++t) {
        for (std::size_t w = 0; w < 4; ++w) {
            if (t % 1000 != phase_ms[w]) continue;
            sent += requests_in(last_ms[w], t);
            run.apply("w" + std::to_string(w), delta_n("GET", "/a", requests_in(last_ms[w], t)),
                      at_ms(t));
            last_ms[w] = t;
        }
        if (t % 100 == 0) run.tick(at_ms(t), wall0_ms + t, 4);
    }
    run.stopping(at_ms(stop_ms));
    for (std::size_t w = 0; w < 4; ++w) {
        const std::int64_t t = stop_ms + final_delay_ms + 2 + static_cast<std::int64_t>(w);
        const std::uint64_t n = requests_in(last_ms[w], std::min(t, stop_ms));
        sent += n;
        run.apply("w" + std::to_string(w), delta_n("GET", "/a", n), at_ms(t));
    }
    run.stop(at_ms(stop_ms + final_delay_ms + 8), wall0_ms + stop_ms + final_delay_ms + 8);
    return run;
}

// The bug: the final deltas, each covering up to a second of its worker's
// time, were divided by the few ms the stop left of the last second - the
// last point of every chart and of the history CSV spiked to many times the
// steady rate (3909/s here).
TEST(run_stats_test, a_stop_just_after_a_second_boundary_does_not_spike_the_last_point) {
    std::uint64_t sent = 0;
    const run_stats run = steady_run_stopped_early_in_a_second(0, sent);
    ASSERT_GE(run.history().size(), 6u);
    for (const history_point& p : run.history()) {
        EXPECT_LE(p.rps(), 100.0 * 1.1) << "second " << p.second << ", " << p.requests
                                        << " requests over " << p.duration_ms << " ms";
    }
    const history_point& last = run.history().back();
    EXPECT_GE(last.rps(), 100.0 * 0.9) << last.requests << " over " << last.duration_ms << " ms";
    EXPECT_EQ(run.total().requests(), sent);
}

// Users wind down after the stop (in-flight requests, on_stop): the time the
// final deltas cover ends when the stop was sent, not when they arrive, or
// the last point would dip instead.
TEST(run_stats_test, final_deltas_arriving_late_after_the_stop_do_not_dip_the_last_point) {
    std::uint64_t sent = 0;
    const run_stats run = steady_run_stopped_early_in_a_second(400, sent);
    const history_point& last = run.history().back();
    EXPECT_GE(last.rps(), 100.0 * 0.9) << last.requests << " over " << last.duration_ms << " ms";
    EXPECT_LE(last.rps(), 100.0 * 1.1) << last.requests << " over " << last.duration_ms << " ms";
    EXPECT_EQ(run.total().requests(), sent);
}

TEST(run_stats_test, reset_clears_the_totals_but_keeps_the_history) {
    run_stats run(t0, wall0_ms);
    run.apply("w1", delta_n("GET", "/a", 10, 4), at_ms(500));
    run.apply(
        "w1",
        [] {
            stats::delta d = delta_n("GET", "/a", 1, 1);
            d.errors.record("GET", "/a", "HTTP 500", wall0_ms + 600);
            return d;
        }(),
        at_ms(600));
    run.tick(at_ms(2500), wall0_ms + 2500, 5);
    ASSERT_EQ(run.errors().size(), 1u);

    run.reset(at_ms(2500));
    EXPECT_EQ(run.total().requests(), 0u);
    EXPECT_TRUE(run.requests().empty());
    EXPECT_TRUE(run.errors().empty());
    EXPECT_EQ(run.workers().at("w1").requests, 0u);
    EXPECT_EQ(run.history().size(), 2u);
    EXPECT_EQ(run.history()[0].requests, 11u);

    run.apply("w1", delta_n("GET", "/a", 6), at_ms(3000));
    run.tick(at_ms(3500), wall0_ms + 3500, 5);
    EXPECT_EQ(run.history().back().total.requests, 6u);  // cumulative restarted
    EXPECT_DOUBLE_EQ(run.elapsed_seconds(), 1.0);
    EXPECT_DOUBLE_EQ(run.per_second(run.total().requests()), 6.0);
}

TEST(run_stats_test, history_is_capped_dropping_the_oldest_seconds) {
    run_stats_options options;
    options.max_history_seconds = 5;
    run_stats run(t0, wall0_ms, options);
    for (std::int64_t s = 0; s < 10; ++s) {
        run.apply("w1", delta_n("GET", "/a", static_cast<std::uint64_t>(s + 1)),
                  at_ms(s * 1000 + 10));
    }
    run.tick(at_ms(10'500), wall0_ms + 10'500, 1);
    ASSERT_EQ(run.history().size(), 5u);
    EXPECT_EQ(run.history().front().second, 5u);
    EXPECT_EQ(run.history().front().requests, 6u);
    EXPECT_EQ(run.history().back().second, 9u);
    // A long silence closes only as many empty seconds as are kept.
    run.tick(at_ms(10'000'500), wall0_ms + 10'000'500, 1);
    ASSERT_EQ(run.history().size(), 5u);
    EXPECT_EQ(run.history().back().second, 9999u);
    EXPECT_EQ(run.history().back().unix_s, 1'700'000'000 + 9999);
    EXPECT_EQ(run.history().back().total.requests, 55u);
}

TEST(run_stats_test, names_beyond_the_cap_fold_into_other_in_history_too) {
    run_stats_options options;
    options.max_names = 2;
    run_stats run(t0, wall0_ms, options);
    stats::delta d;
    d.requests.record("GET", "/1", 1000, 0, false);
    d.requests.record("GET", "/2", 1000, 0, false);
    d.requests.record("GET", "/3", 1000, 0, false);
    run.apply("w1", d, at_ms(100));
    run.tick(at_ms(1500), wall0_ms + 1500, 1);
    EXPECT_NE(run.requests().find("", "(other)"), nullptr);
    EXPECT_DOUBLE_EQ(run.current_rps("", "(other)"), 1.0);
    EXPECT_DOUBLE_EQ(run.current_rps("GET", "/3"), 0.0);
    EXPECT_EQ(run.history().back().entries.size(), 3u);
}

TEST(run_stats_test, workers_contributions_are_counted) {
    run_stats run(t0, wall0_ms);
    run.apply("w1", delta_n("GET", "/a", 4, 1), at_ms(100));
    run.apply("w1", delta_n("GET", "/a", 2), at_ms(1100));
    run.apply("w2", delta_n("GET", "/a", 3), at_ms(1200));
    EXPECT_EQ(run.workers().at("w1").reports, 2u);
    EXPECT_EQ(run.workers().at("w1").requests, 6u);
    EXPECT_EQ(run.workers().at("w1").failures, 1u);
    EXPECT_EQ(run.workers().at("w1").last_report, at_ms(1100));
    EXPECT_EQ(run.workers().at("w2").requests, 3u);
}

// The exact nearest-rank percentile of `sorted` (ascending).
std::uint64_t exact_percentile(const std::vector<std::uint64_t>& sorted, double p) {
    return sorted[stats::nearest_rank(p, sorted.size()) - 1];
}

void expect_within_bound(std::uint64_t reported, std::uint64_t exact, double p) {
    // The histogram's bound: half a bucket, at most 1/128 of the value.
    const double bound = static_cast<double>(exact) / 128.0 + 1.0;
    EXPECT_LE(std::fabs(static_cast<double>(reported) - static_cast<double>(exact)), bound)
        << "p" << p << ": reported " << reported << " exact " << exact;
}

TEST(run_stats_test, second_percentiles_of_three_workers_match_all_samples_together) {
    run_stats run(t0, wall0_ms);
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> latency(std::log(20'000.0), 0.8);  // around 20 ms
    std::vector<std::uint64_t> all;
    std::vector<std::uint64_t> all_a;
    for (int worker = 0; worker < 3; ++worker) {
        stats::delta d;
        for (int i = 0; i < 2000 + worker * 700; ++i) {
            const auto us = static_cast<std::uint64_t>(latency(rng));
            const bool is_a = i % 3 != 0;
            d.requests.record("GET", is_a ? "/a" : "/b", us, 0, false);
            all.push_back(us);
            if (is_a) all_a.push_back(us);
        }
        run.apply("w" + std::to_string(worker), d, at_ms(100 + worker * 300));
    }
    run.tick(at_ms(1500), wall0_ms + 1500, 30);
    ASSERT_EQ(run.history().size(), 1u);
    const history_point& s = run.history()[0];
    std::sort(all.begin(), all.end());
    std::sort(all_a.begin(), all_a.end());
    ASSERT_EQ(s.requests, all.size());
    for (std::size_t i = 0; i < stats::standard_percentiles.size(); ++i) {
        const double p = stats::standard_percentiles[i];
        expect_within_bound(s.percentiles_us[i], exact_percentile(all, p), p);
    }
    EXPECT_EQ(s.percentile_us(100), all.back());  // the extremes are exact
    const auto a = std::find_if(
        s.entries.begin(), s.entries.end(),
        [&](const second_entry_point& e) { return run.names()[e.name].second == "/a"; });
    ASSERT_NE(a, s.entries.end());
    EXPECT_EQ(a->requests, all_a.size());
    expect_within_bound(a->p50_us, exact_percentile(all_a, 50), 50);
    expect_within_bound(a->p95_us, exact_percentile(all_a, 95), 95);
    expect_within_bound(a->p99_us, exact_percentile(all_a, 99), 99);
    // The cumulative median, too, and the exact min and max.
    expect_within_bound(s.total.median_us, exact_percentile(all, 50), 50);
    EXPECT_EQ(s.total.min_us, all.front());
    EXPECT_EQ(s.total.max_us, all.back());
}

// ITER rows (open classes' iterations) keep their own rows but count in no
// aggregate: the totals must equal the request rows' sums, or swarm's
// request count would disagree with the target's.
TEST(run_stats_test, iter_rows_have_their_own_rows_but_count_in_no_aggregate) {
    run_stats run(t0, wall0_ms);
    for (int s = 0; s < 3; ++s) {
        stats::delta d = delta_n("GET", "/a", 10, 2);
        for (int i = 0; i < 4; ++i) d.requests.record("ITER", "buy", 900'000, 0, false);
        run.apply("w1", d, at_ms(100 + s * 1000));
    }
    run.tick(at_ms(3500), wall0_ms + 3500, 5);
    ASSERT_EQ(run.history().size(), 3u);

    ASSERT_NE(run.requests().find("ITER", "buy"), nullptr);
    EXPECT_EQ(run.requests().find("ITER", "buy")->requests(), 12u);
    EXPECT_EQ(run.total().requests(), 30u);  // GET /a only
    EXPECT_EQ(run.total().failures(), 6u);
    EXPECT_EQ(run.total().max_latency_us(), 1000u);  // not the iterations' 900 ms
    EXPECT_EQ(run.workers().at("w1").requests, 30u);
    EXPECT_DOUBLE_EQ(run.current_rps(), 10.0);
    EXPECT_DOUBLE_EQ(run.current_fail_per_sec(), 2.0);
    EXPECT_DOUBLE_EQ(run.current_rps("ITER", "buy"), 4.0);  // its own row's rate
    for (const history_point& p : run.history()) {
        EXPECT_EQ(p.requests, 10u);
        EXPECT_EQ(p.failures, 2u);
        EXPECT_EQ(p.percentile_us(100), 1000u);
        EXPECT_EQ(p.entries.size(), 2u);  // both rows, for their own charts
    }
    EXPECT_EQ(run.history().back().total.requests, 30u);
    EXPECT_EQ(run.history().back().total.max_us, 1000u);
}

TEST(run_stats_test, iter_rows_folded_past_the_cap_still_count_in_no_aggregate) {
    run_stats_options options;
    options.max_names = 1;
    run_stats run(t0, wall0_ms, options);
    stats::delta d = delta_n("GET", "/a", 10, 0);
    // Folded by the worker's own capped table: ("ITER", "(other)").
    stats::table worker_rows(0);
    worker_rows.record("ITER", "buy", 900'000, 0, false);
    d.requests.merge(worker_rows);
    // Folded at the master: the cumulative table's one name is /a.
    d.requests.record("ITER", "sell", 800'000, 0, false);
    run.apply("w1", d, at_ms(100));
    run.tick(at_ms(1600), wall0_ms + 1600, 1);
    EXPECT_EQ(run.total().requests(), 10u);
    EXPECT_EQ(run.workers().at("w1").requests, 10u);
    ASSERT_NE(run.requests().find("ITER", "(other)"), nullptr);
    EXPECT_EQ(run.requests().find("ITER", "(other)")->requests(), 2u);
    ASSERT_EQ(run.history().size(), 1u);
    EXPECT_EQ(run.history().front().requests, 10u);
    EXPECT_EQ(run.history().front().percentile_us(100), 1000u);
}

TEST(run_stats_test, dropped_iterations_per_second_and_classes_cumulative) {
    run_stats run(t0, wall0_ms);
    stats::delta a;
    a.classes.at("Shopper") = {5, 3, 0};
    a.classes.at("Paced") = {4, 0, 2};
    run.apply("w1", a, at_ms(100));
    stats::delta b;
    b.classes.at("Shopper") = {1, 4, 0};
    run.apply("w2", b, at_ms(200));  // same second, another worker
    stats::delta c;
    c.classes.at("Shopper") = {2, 10, 0};
    run.apply("w1", c, at_ms(1100));  // w1's next second
    run.tick(at_ms(2500), wall0_ms + 2500, 3);
    ASSERT_EQ(run.history().size(), 2u);
    EXPECT_EQ(run.history()[0].dropped_iterations, 7u);
    EXPECT_EQ(run.history()[1].dropped_iterations, 10u);
    const stats::class_counts* shopper = run.classes().find("Shopper");
    ASSERT_NE(shopper, nullptr);
    EXPECT_EQ(*shopper, (stats::class_counts{8, 17, 0}));
    EXPECT_EQ(*run.classes().find("Paced"), (stats::class_counts{4, 0, 2}));
    run.reset(at_ms(2600));
    EXPECT_TRUE(run.classes().empty());
    EXPECT_EQ(run.history().size(), 2u);  // history kept, as for requests
}

TEST(run_stats_test, a_cut_last_second_with_only_drops_is_kept) {
    run_stats run(t0, wall0_ms);
    stats::delta d;
    d.classes.at("Shopper").dropped_iterations = 6;  // the pool was full: no request at all
    run.apply("w1", d, at_ms(300));
    run.stop(at_ms(600), wall0_ms + 600);
    ASSERT_EQ(run.history().size(), 1u);
    EXPECT_EQ(run.history()[0].dropped_iterations, 6u);
    EXPECT_EQ(run.history()[0].duration_ms, 300u);  // the time its one delta covers
}

TEST(run_stats_test, planned_users_recorded_in_the_seconds_that_close) {
    run_stats run(t0, wall0_ms);
    run.tick(at_ms(1500), wall0_ms + 1500, 3);  // second 0: no profile
    run.set_planned_users(40);
    run.tick(at_ms(2500), wall0_ms + 2500, 30);  // second 1
    run.set_planned_users(std::nullopt);         // an edit: manual control
    run.tick(at_ms(3500), wall0_ms + 3500, 30);  // second 2
    ASSERT_EQ(run.history().size(), 3u);
    EXPECT_EQ(run.history()[0].planned_users, std::nullopt);
    EXPECT_EQ(run.history()[1].planned_users, 40u);
    EXPECT_EQ(run.history()[1].user_count, 30u);
    EXPECT_EQ(run.history()[2].planned_users, std::nullopt);
}

}  // namespace
}  // namespace swarm::master
