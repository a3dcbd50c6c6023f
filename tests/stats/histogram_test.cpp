// Histogram behaviour checked against exact sorted samples.
#include "common/stats/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/stats/entry.hpp"
#include "tests/stats/allocation_counter.hpp"

namespace swarm::stats {
namespace {

using samples = std::vector<std::uint64_t>;
constexpr double one_hour_us = 3600.0 * 1e6;

// Draws `n` latencies (µs) kept within 0 .. 1 h.
samples draw(std::size_t n, const std::function<double(std::mt19937_64&)>& dist,
             std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    samples out(n);
    for (auto& v : out) {
        v = static_cast<std::uint64_t>(std::clamp(std::round(dist(rng)), 0.0, one_hour_us));
    }
    return out;
}

struct named_distribution {
    std::string name;
    std::function<double(std::mt19937_64&)> draw;
};

std::vector<named_distribution> distributions() {
    return {
        {"uniform_0_1s", [](auto& r) { return std::uniform_real_distribution<>(0, 1e6)(r); }},
        {"uniform_0_200us", [](auto& r) { return std::uniform_real_distribution<>(0, 200)(r); }},
        {"uniform_full_range",
         [](auto& r) { return std::uniform_real_distribution<>(0, one_hour_us)(r); }},
        {"exponential_50ms", [](auto& r) { return std::exponential_distribution<>(1 / 5e4)(r); }},
        {"lognormal_20ms_wide",
         [](auto& r) { return std::lognormal_distribution<>(std::log(2e4), 1.5)(r); }},
        {"lognormal_300us_narrow",
         [](auto& r) { return std::lognormal_distribution<>(std::log(300), 0.2)(r); }},
        {"log_uniform_1us_1h",
         [](auto& r) {
             return std::exp(std::uniform_real_distribution<>(0, std::log(one_hour_us))(r));
         }},
        {"bimodal_2ms_800ms",
         [](auto& r) {
             return std::bernoulli_distribution(0.9)(r) ? std::normal_distribution<>(2e3, 300)(r)
                                                        : std::normal_distribution<>(8e5, 5e4)(r);
         }},
    };
}

histogram histogram_of(const samples& values) {
    histogram h;
    for (auto v : values) h.record(v);
    return h;
}

// The nearest-rank percentile of sorted samples, from an independent
// integer formula: rank = ceil(p_hundredths * n / 10000), at least 1.
std::uint64_t exact_percentile(const samples& sorted, std::uint64_t p_hundredths) {
    const std::uint64_t n = sorted.size();
    const std::uint64_t rank = std::max<std::uint64_t>(1, (p_hundredths * n + 9999) / 10000);
    return sorted[rank - 1];
}

// Percentiles checked besides the standard list, in hundredths of a percent.
const std::vector<std::uint64_t> extra_hundredths{0, 1, 100, 1000, 2500, 3333, 4999, 9950};

bool within_bound(std::uint64_t got, std::uint64_t want) {
    const double diff = std::abs(static_cast<double>(got) - static_cast<double>(want));
    return diff <= std::max(1.0, 0.01 * static_cast<double>(want));
}

TEST(histogram_test, percentiles_within_one_percent_of_exact) {
    const std::vector<std::size_t> sizes{1, 2, 3, 7, 100, 1000, 10007, 100000};
    std::uint64_t seed = 1;
    for (const auto& dist : distributions()) {
        for (auto n : sizes) {
            ++seed;
            samples values = draw(n, dist.draw, seed);
            const histogram h = histogram_of(values);
            std::sort(values.begin(), values.end());
            std::vector<std::uint64_t> hundredths = extra_hundredths;
            for (double p : standard_percentiles) {
                hundredths.push_back(static_cast<std::uint64_t>(std::lround(p * 100)));
            }
            for (auto ph : hundredths) {
                const double p = static_cast<double>(ph) / 100.0;
                const auto want = exact_percentile(values, ph);
                const auto got = h.value_at_percentile(p);
                ASSERT_TRUE(within_bound(got, want))
                    << dist.name << " n=" << n << " seed=" << seed << " p=" << p
                    << " histogram=" << got << " exact=" << want;
            }
        }
    }
}

TEST(histogram_test, count_min_max_exact) {
    std::uint64_t seed = 100;
    for (const auto& dist : distributions()) {
        const samples values = draw(5000, dist.draw, ++seed);
        const histogram h = histogram_of(values);
        EXPECT_EQ(h.count(), values.size()) << dist.name;
        EXPECT_EQ(h.min_us(), *std::min_element(values.begin(), values.end())) << dist.name;
        EXPECT_EQ(h.max_us(), *std::max_element(values.begin(), values.end())) << dist.name;
        EXPECT_EQ(h.value_at_percentile(0), h.min_us()) << dist.name;
        EXPECT_EQ(h.value_at_percentile(100), h.max_us()) << dist.name;
    }
}

TEST(histogram_test, several_percentiles_in_one_pass_match_one_by_one) {
    const histogram h = histogram_of(draw(20000, distributions()[4].draw, 7));
    const std::vector<double> ps{99, 1, 50, 50, 100, 0, 75};  // out of order on purpose
    std::vector<std::uint64_t> out(ps.size());
    h.values_at_percentiles(ps, out);
    for (std::size_t i = 0; i < ps.size(); ++i) {
        EXPECT_EQ(out[i], h.value_at_percentile(ps[i])) << "p=" << ps[i];
    }
}

TEST(histogram_test, nearest_rank_matches_integer_formula_for_standard_percentiles) {
    for (std::uint64_t n = 1; n <= 20000; ++n) {
        for (double p : standard_percentiles) {
            const auto ph = static_cast<std::uint64_t>(std::lround(p * 100));
            const std::uint64_t want = std::max<std::uint64_t>(1, (ph * n + 9999) / 10000);
            ASSERT_EQ(nearest_rank(p, n), want) << "p=" << p << " n=" << n;
        }
    }
    EXPECT_EQ(nearest_rank(99.9, 1000), 999u);
    EXPECT_EQ(nearest_rank(0, 10), 1u);
    EXPECT_EQ(nearest_rank(-5, 10), 1u);
    EXPECT_EQ(nearest_rank(std::nan(""), 10), 1u);
    EXPECT_EQ(nearest_rank(150, 10), 10u);
    EXPECT_EQ(nearest_rank(50, 0), 0u);
}

TEST(histogram_test, bucket_midpoint_within_bound_of_every_value) {
    auto check = [](std::uint64_t v) {
        const auto i = histogram::bucket_index(v);
        ASSERT_LT(i, histogram::bucket_count) << v;
        ASSERT_LE(histogram::bucket_lower_us(i), v);
        ASSERT_LT(v, histogram::bucket_lower_us(i) + histogram::bucket_width_us(i));
        const double mid = static_cast<double>(histogram::bucket_midpoint_us(i));
        ASSERT_LE(std::abs(mid - static_cast<double>(v)), static_cast<double>(v) / 128.0) << v;
    };
    for (std::uint64_t v = 0; v < (1u << 20); ++v) check(v);
    std::mt19937_64 rng(3);
    for (int k = 0; k < 200000; ++k) check(rng() % (histogram::max_tracked_us + 1));
    for (unsigned b = 0; b < histogram::tracked_bits; ++b) {
        const std::uint64_t p2 = std::uint64_t{1} << b;
        check(p2 - 1);
        check(p2);
        check(p2 + 1);
    }
}

TEST(histogram_test, buckets_tile_the_range_without_gaps) {
    std::uint64_t next = 0;
    for (std::size_t i = 0; i < histogram::bucket_count; ++i) {
        ASSERT_EQ(histogram::bucket_lower_us(i), next) << i;
        ASSERT_EQ(histogram::bucket_index(next), i);
        next += histogram::bucket_width_us(i);
        ASSERT_EQ(histogram::bucket_index(next - 1), i);
    }
    EXPECT_EQ(next, histogram::max_tracked_us + 1);
    // Out-of-range indices read as the top bucket rather than shifting past 64 bits.
    EXPECT_EQ(histogram::bucket_lower_us(~std::size_t{0}),
              histogram::bucket_lower_us(histogram::bucket_count - 1));
    EXPECT_EQ(histogram::bucket_count, 1728u);
    EXPECT_EQ(histogram::dense_bytes, 13824u);
}

TEST(histogram_test, values_above_range_clamp_but_keep_exact_max) {
    histogram h;
    const std::uint64_t huge = 5 * 3600ULL * 1000 * 1000;  // 5 h
    h.record(1000);
    h.record(huge);
    EXPECT_EQ(h.bucket_count_at(histogram::bucket_count - 1), 1u);
    EXPECT_EQ(h.max_us(), huge);
    EXPECT_EQ(h.value_at_percentile(100), huge);
    EXPECT_EQ(h.value_at_percentile(50), 1000u);
}

TEST(histogram_test, merge_of_split_halves_equals_whole) {
    std::uint64_t seed = 200;
    for (const auto& dist : distributions()) {
        const samples values = draw(30001, dist.draw, ++seed);
        const auto half = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 3);
        histogram a = histogram_of(samples(values.begin(), half));
        const histogram b = histogram_of(samples(half, values.end()));
        a.merge(b);
        const histogram whole = histogram_of(values);
        EXPECT_EQ(a, whole) << dist.name;
        for (std::size_t i = 0; i < histogram::bucket_count; ++i) {
            ASSERT_EQ(a.bucket_count_at(i), whole.bucket_count_at(i)) << dist.name << " " << i;
        }
    }
}

TEST(histogram_test, merge_is_associative_and_commutative) {
    const auto d = distributions();
    const histogram a = histogram_of(draw(1000, d[0].draw, 11));
    const histogram b = histogram_of(draw(2000, d[4].draw, 12));
    const histogram c = histogram_of(draw(500, d[7].draw, 13));
    histogram ab = a;
    ab.merge(b);
    histogram ba = b;
    ba.merge(a);
    EXPECT_EQ(ab, ba);
    histogram ab_c = ab;
    ab_c.merge(c);
    histogram bc = b;
    bc.merge(c);
    histogram a_bc = a;
    a_bc.merge(bc);
    EXPECT_EQ(ab_c, a_bc);
    histogram with_empty = a;
    with_empty.merge(histogram{});
    EXPECT_EQ(with_empty, a);
    histogram empty_with = histogram{};
    empty_with.merge(a);
    EXPECT_EQ(empty_with, a);
}

TEST(histogram_test, merge_with_itself_doubles_counts) {
    histogram a = histogram_of(draw(1000, distributions()[3].draw, 5));
    histogram twice = a;
    twice.merge(a);
    a.merge(a);
    EXPECT_EQ(a, twice);
    EXPECT_EQ(a.count(), 2000u);
}

TEST(histogram_test, round_trips_through_sparse_buckets) {
    const histogram h = histogram_of(draw(10000, distributions()[6].draw, 21));
    std::vector<bucket> buckets;
    h.for_each_bucket([&](std::uint32_t i, std::uint64_t c) { buckets.push_back({i, c}); });
    EXPECT_LT(buckets.size(), histogram::bucket_count);
    EXPECT_EQ(histogram::from_buckets(buckets, h.min_us(), h.max_us()), h);
    EXPECT_EQ(histogram::from_buckets({}, 0, 0), histogram{});
}

TEST(histogram_test, from_buckets_rejects_bad_input) {
    const auto bad = [](std::vector<bucket> b, std::uint64_t min, std::uint64_t max) {
        EXPECT_THROW((void)histogram::from_buckets(std::move(b), min, max), std::invalid_argument);
    };
    const auto top = static_cast<std::uint32_t>(histogram::bucket_count);
    bad({{top, 1}}, 0, 0);                        // index out of range
    bad({{0xFFFFFFFF, 1}}, 0, 0);                 // index far out of range
    bad({{5, 1}, {5, 1}}, 5, 5);                  // duplicate index
    bad({{9, 1}, {5, 1}}, 5, 9);                  // descending
    bad({{5, 0}}, 5, 5);                          // empty bucket
    bad({{5, 1}}, 4, 5);                          // min outside first bucket
    bad({{5, 1}, {9, 2}}, 5, 10);                 // max outside last bucket
    bad({{5, 1}, {9, 2}}, 9, 5);                  // min > max
    bad({{1, ~std::uint64_t{0}}, {2, 1}}, 1, 2);  // total overflows
    EXPECT_NO_THROW(
        (void)histogram::from_buckets(std::vector<bucket>{{top - 1, 1}}, 1ULL << 40, 1ULL << 40));
}

// The sparse form (what from_buckets makes for the master) behaves like the
// dense one it came from: same percentiles, buckets and merges, bit for bit.
histogram sparse_copy(const histogram& h) {
    std::vector<bucket> buckets;
    h.for_each_bucket([&](std::uint32_t i, std::uint64_t c) { buckets.push_back({i, c}); });
    return histogram::from_buckets(std::move(buckets), h.min_us(), h.max_us());
}

TEST(histogram_test, sparse_form_reads_like_the_dense_one) {
    for (const auto& d : distributions()) {
        SCOPED_TRACE(d.name);
        const histogram dense = histogram_of(draw(5000, d.draw, 5));
        const histogram sparse = sparse_copy(dense);
        std::size_t pairs = 0;
        dense.for_each_bucket([&](std::uint32_t, std::uint64_t) { ++pairs; });
        // Sparse unless the pairs would outweigh the dense array (wide ranges).
        EXPECT_EQ(sparse.is_sparse(), pairs * sizeof(bucket) < histogram::dense_bytes) << pairs;
        EXPECT_EQ(sparse, dense);
        EXPECT_EQ(dense, sparse);
        std::vector<double> ps(standard_percentiles.begin(), standard_percentiles.end());
        for (auto h : extra_hundredths)
            ps.push_back(static_cast<double>(h) / 100);  // not ascending
        std::vector<std::uint64_t> want(ps.size()), got(ps.size());
        dense.values_at_percentiles(ps, want);
        sparse.values_at_percentiles(ps, got);
        EXPECT_EQ(got, want);
        for (std::size_t i = 0; i < histogram::bucket_count; i += 7) {
            ASSERT_EQ(sparse.bucket_count_at(i), dense.bucket_count_at(i)) << i;
        }
    }
}

TEST(histogram_test, merging_sparse_rows_equals_merging_dense_ones) {
    const auto d = distributions();
    histogram via_dense, via_sparse;
    for (std::size_t i = 0; i < d.size(); ++i) {
        const histogram part = histogram_of(draw(2000, d[i].draw, 40 + i));
        via_dense.merge(part);
        via_sparse.merge(sparse_copy(part));
    }
    EXPECT_FALSE(via_sparse.is_sparse());
    EXPECT_EQ(via_sparse, via_dense);
    for (double p : standard_percentiles) {
        EXPECT_EQ(via_sparse.value_at_percentile(p), via_dense.value_at_percentile(p)) << p;
    }
}

TEST(histogram_test, sparse_turns_dense_when_recorded_or_merged_into) {
    const histogram base = histogram_of(draw(1000, distributions()[3].draw, 9));
    histogram recorded = sparse_copy(base);
    ASSERT_TRUE(recorded.is_sparse());
    recorded.record(123);
    histogram want = base;
    want.record(123);
    EXPECT_FALSE(recorded.is_sparse());
    EXPECT_EQ(recorded, want);

    histogram doubled = sparse_copy(base);
    doubled.merge(doubled);  // self-merge of the sparse form
    histogram want_doubled = base;
    want_doubled.merge(base);
    EXPECT_EQ(doubled, want_doubled);

    histogram into_sparse = sparse_copy(base);
    into_sparse.merge(base);  // dense into sparse
    EXPECT_EQ(into_sparse, want_doubled);

    histogram cleared = sparse_copy(base);
    cleared.clear();
    EXPECT_EQ(cleared, histogram{});
    EXPECT_FALSE(cleared.is_sparse());
}

TEST(histogram_test, merging_a_sparse_row_into_a_dense_one_does_not_allocate) {
    histogram total = histogram_of({1, 2, 3});
    const histogram row = sparse_copy(histogram_of(draw(1000, distributions()[4].draw, 3)));
    ASSERT_TRUE(row.is_sparse());
    const auto before = testing::allocations();
    for (int i = 0; i < 100; ++i) total.merge(row);
    EXPECT_EQ(testing::allocations(), before);
    EXPECT_EQ(total.count(), 3u + 100u * row.count());
}

TEST(histogram_test, empty_reports_zero_and_allocates_nothing) {
    const histogram h;
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.min_us(), 0u);
    EXPECT_EQ(h.max_us(), 0u);
    EXPECT_EQ(h.value_at_percentile(50), 0u);
    EXPECT_EQ(h.heap_bytes(), 0u);
    int calls = 0;
    h.for_each_bucket([&](std::uint32_t, std::uint64_t) { ++calls; });
    EXPECT_EQ(calls, 0);
}

TEST(histogram_test, record_does_not_allocate_after_first_record) {
    histogram h;
    const auto before_first = testing::allocations();
    h.record(10);
    EXPECT_EQ(testing::allocations(), before_first + 1);  // the counter sees allocations
    EXPECT_EQ(h.heap_bytes(), histogram::dense_bytes);
    const auto before = testing::allocations();
    for (std::uint64_t v = 0; v < 100000; ++v) h.record(v * 37'813);
    h.record(~std::uint64_t{0});
    EXPECT_EQ(testing::allocations(), before);
}

TEST(histogram_test, clear_forgets_samples_keeps_allocation) {
    histogram h = histogram_of({1, 2, 3});
    h.clear();
    EXPECT_EQ(h, histogram{});
    EXPECT_EQ(h.heap_bytes(), histogram::dense_bytes);
    h.record(7);
    EXPECT_EQ(h.min_us(), 7u);
    EXPECT_EQ(h.max_us(), 7u);
}

}  // namespace
}  // namespace swarm::stats
