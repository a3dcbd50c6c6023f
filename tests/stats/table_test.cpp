// entry, table, error_table and delta: exact sums, caps, merges, hand-over.
#include "common/stats/table.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/stats/delta.hpp"
#include "common/stats/entry.hpp"
#include "common/stats/error_table.hpp"
#include "tests/stats/allocation_counter.hpp"

namespace swarm::stats {
namespace {

std::string name_of(int i) {
    return "/item/" + std::to_string(i);
}

TEST(entry_test, counts_sums_min_max_exactly) {
    entry e;
    e.record(1500, 100, false);
    e.record(250, 20, true);
    e.record(9'000'000, 0, false);
    EXPECT_EQ(e.requests(), 3u);
    EXPECT_EQ(e.failures(), 1u);
    EXPECT_EQ(e.latency_sum_us(), 9'001'750u);
    EXPECT_EQ(e.min_latency_us(), 250u);
    EXPECT_EQ(e.max_latency_us(), 9'000'000u);
    EXPECT_EQ(e.response_bytes(), 120u);
    EXPECT_DOUBLE_EQ(e.avg_latency_us(), 9'001'750.0 / 3);
    EXPECT_EQ(entry{}.avg_latency_us(), 0.0);
}

TEST(entry_test, percentiles_follow_the_standard_list) {
    entry e;
    std::mt19937_64 rng(9);
    for (int i = 0; i < 10000; ++i) e.record(rng() % 100000, 0, false);
    const percentile_values values = e.percentiles();
    for (std::size_t i = 0; i < standard_percentiles.size(); ++i) {
        EXPECT_EQ(values[i], e.latency().value_at_percentile(standard_percentiles[i]));
    }
    EXPECT_EQ(values.back(), e.max_latency_us());
}

TEST(entry_test, merge_equals_recording_everything_in_one) {
    entry a, b, whole;
    for (std::uint64_t i = 0; i < 1000; ++i) {
        const bool failed = i % 7 == 0;
        (i % 2 == 0 ? a : b).record(i * 13, i, failed);
        whole.record(i * 13, i, failed);
    }
    entry ab = a;
    ab.merge(b);
    entry ba = b;
    ba.merge(a);
    EXPECT_EQ(ab, whole);
    EXPECT_EQ(ba, whole);
}

TEST(entry_test, restore_rejects_impossible_parts) {
    histogram h;
    h.record(10);
    h.record(20);
    EXPECT_NO_THROW((void)entry::restore(2, 30, 5, h));
    EXPECT_THROW((void)entry::restore(3, 30, 5, h), std::invalid_argument);  // failures > requests
    EXPECT_THROW((void)entry::restore(0, 19, 5, h), std::invalid_argument);  // sum < n * min
    EXPECT_THROW((void)entry::restore(0, 41, 5, h), std::invalid_argument);  // sum > n * max
    EXPECT_THROW((void)entry::restore(0, 1, 0, histogram{}), std::invalid_argument);
    entry e = entry::restore(1, 30, 5, h);
    EXPECT_EQ(e.requests(), 2u);
    EXPECT_EQ(e.failures(), 1u);
}

TEST(table_test, iteration_rows_past_the_cap_fold_into_their_own_other_row) {
    table t(2);
    t.record("GET", "/a", 10, 0, false);
    t.record("ITER", "buy", 500, 0, false);
    t.record("GET", "/b", 10, 0, false);      // past the cap: ("", "(other)")
    t.record("ITER", "sell", 700, 0, false);  // past the cap: ("ITER", "(other)")
    t.record("ITER", "sell", 700, 0, false);
    ASSERT_NE(t.find("ITER", "(other)"), nullptr);
    EXPECT_EQ(t.find("ITER", "(other)")->requests(), 2u);
    EXPECT_EQ(t.find("", "(other)")->requests(), 1u);
    EXPECT_EQ(t.folded_requests(), 1u);  // requests only
    EXPECT_EQ(t.size(), 4u);
    // Merged into a full table, they fold the same way.
    table full(2);
    full.record("GET", "/x", 1, 0, false);
    full.record("GET", "/y", 1, 0, false);
    full.merge(t);
    EXPECT_EQ(full.find("ITER", "(other)")->requests(), 3u);
    EXPECT_EQ(full.find("", "(other)")->requests(), 2u);
}

TEST(table_test, append_new_rows_are_found_and_capped_like_merged_ones) {
    table t(2);
    entry e;
    e.record(100, 1, false);
    t.append_new("GET", "/a", entry(e));
    t.append_new("GET", "/b", entry(e));
    t.append_new("GET", "/c", entry(e));  // beyond the cap: folded
    t.append_new("GET", "/d", entry(e));
    ASSERT_NE(t.find("GET", "/a"), nullptr);
    ASSERT_NE(t.find("GET", "/b"), nullptr);
    EXPECT_EQ(t.find("GET", "/c"), nullptr);
    EXPECT_EQ(t.folded_requests(), 2u);
    EXPECT_EQ(t.size(), 3u);
    t.record("GET", "/a", 100, 1, false);  // the appended row, not a new one
    EXPECT_EQ(t.find("GET", "/a")->requests(), 2u);
    EXPECT_EQ(t.total().requests(), 5u);
}

TEST(table_test, keeps_first_seen_order) {
    table t;
    t.record("GET", "/b", 1, 0, false);
    t.record("POST", "/a", 1, 0, false);
    t.record("GET", "/a", 1, 0, false);
    t.record("GET", "/b", 1, 0, false);
    std::vector<std::string> order;
    t.for_each([&](std::string_view m, std::string_view n, const entry&) {
        order.push_back(std::string(m) + " " + std::string(n));
    });
    EXPECT_EQ(order, (std::vector<std::string>{"GET /b", "POST /a", "GET /a"}));
    EXPECT_EQ(t.find("GET", "/b")->requests(), 2u);
    EXPECT_EQ(t.find("PUT", "/b"), nullptr);
}

TEST(table_test, cap_folds_new_names_into_other_and_totals_stay_exact) {
    table t(3);
    entry all;
    for (int i = 0; i < 50; ++i) {
        const auto latency = static_cast<std::uint64_t>(i) * 100 + 1;
        t.record("GET", name_of(i % 10), latency, 10, i % 4 == 0);
        all.record(latency, 10, i % 4 == 0);
    }
    EXPECT_EQ(t.size(), 4u);  // 3 names + "(other)"
    for (int i = 0; i < 3; ++i) EXPECT_EQ(t.find("GET", name_of(i))->requests(), 5u);
    EXPECT_EQ(t.find("GET", name_of(3)), nullptr);
    const entry* other = t.find(table::other_method, table::other_name);
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(other->requests(), 35u);
    EXPECT_EQ(t.folded_requests(), 35u);
    EXPECT_EQ(t.total(), all);
}

TEST(table_test, without_overflow_reports_no_folded_requests) {
    table t(2);
    t.record("GET", "/a", 1, 0, false);
    t.record("GET", "/b", 1, 0, false);
    EXPECT_EQ(t.folded_requests(), 0u);
    EXPECT_EQ(t.size(), 2u);
}

TEST(table_test, merge_applies_the_cap_and_keeps_totals) {
    table a(4), b(100);
    for (int i = 0; i < 3; ++i) a.record("GET", name_of(i), 10, 1, false);
    for (int i = 0; i < 8; ++i) b.record("GET", name_of(i), 20, 2, true);
    entry expected = a.total();
    expected.merge(b.total());
    a.merge(b);
    EXPECT_EQ(a.size(), 5u);  // names 0..3 + "(other)"
    EXPECT_EQ(a.find("GET", name_of(0))->requests(), 2u);
    EXPECT_EQ(a.find("GET", name_of(3))->requests(), 1u);
    EXPECT_EQ(a.folded_requests(), 4u);
    EXPECT_EQ(a.total(), expected);
}

TEST(table_test, merge_carries_other_row_beyond_cap) {
    table worker(1), master(1);
    worker.record("GET", "/a", 5, 0, false);
    worker.record("GET", "/b", 5, 0, false);  // folded on the worker
    master.record("GET", "/c", 5, 0, false);
    master.merge(worker);
    EXPECT_EQ(master.size(), 2u);  // "/c" + "(other)"
    EXPECT_EQ(master.folded_requests(), 2u);
    EXPECT_EQ(master.total().requests(), 3u);
}

TEST(table_test, merge_is_commutative_below_the_cap) {
    table a, b;
    a.record("GET", "/x", 100, 1, false);
    a.record("GET", "/y", 200, 1, true);
    b.record("GET", "/y", 300, 1, false);
    b.record("POST", "/z", 400, 1, false);
    table ab = a, ba = b;
    ab.merge(b);
    ba.merge(a);
    for (auto [m, n] : {std::pair{"GET", "/x"}, std::pair{"GET", "/y"}, std::pair{"POST", "/z"}}) {
        ASSERT_NE(ab.find(m, n), nullptr);
        EXPECT_EQ(*ab.find(m, n), *ba.find(m, n)) << m << " " << n;
    }
    EXPECT_EQ(ab.total(), ba.total());
}

TEST(table_test, take_hands_over_rows_and_leaves_empty_table_with_same_cap) {
    table t(7);
    t.record("GET", "/a", 10, 0, false);
    table taken = t.take();
    EXPECT_TRUE(t.empty());
    EXPECT_EQ(t.max_names(), 7u);
    EXPECT_EQ(taken.find("GET", "/a")->requests(), 1u);
    t.record("GET", "/b", 10, 0, false);
    EXPECT_EQ(taken.find("GET", "/b"), nullptr);
    table other(3);
    other.swap(taken);
    EXPECT_EQ(other.max_names(), 7u);
    EXPECT_EQ(other.find("GET", "/a")->requests(), 1u);
    EXPECT_EQ(taken.max_names(), 3u);
}

TEST(table_test, record_on_existing_name_does_not_allocate) {
    table t;
    const std::string long_name(200, 'n');  // beyond any small-string buffer
    t.record("GET", long_name, 1, 0, false);
    const auto before = testing::allocations();
    for (int i = 0; i < 1000; ++i)
        t.record("GET", long_name, static_cast<std::uint64_t>(i), 0, false);
    EXPECT_EQ(testing::allocations(), before);
    EXPECT_EQ(t.find("GET", long_name)->requests(), 1001u);
}

TEST(error_table_test, merge_sums_counts_and_widens_seen_times) {
    error_table a, b;
    a.record("GET", "/a", "timeout", 2000);
    a.record("GET", "/a", "timeout", 5000);
    b.record("GET", "/a", "timeout", 1000);
    b.record("GET", "/a", "timeout", 3000);
    b.record("GET", "/a", "HTTP 500", 4000);
    a.merge(b);
    const error_stats* timeout = a.find("GET", "/a", "timeout");
    ASSERT_NE(timeout, nullptr);
    EXPECT_EQ(*timeout, (error_stats{4, 1000, 5000}));
    EXPECT_EQ(*a.find("GET", "/a", "HTTP 500"), (error_stats{1, 4000, 4000}));
    EXPECT_EQ(a.total_occurrences(), 5u);
}

TEST(error_table_test, cap_counts_new_messages_as_overflow) {
    error_table t(2);
    for (int i = 0; i < 5; ++i) t.record("GET", "/a", "error " + std::to_string(i % 3), i);
    EXPECT_EQ(t.size(), 2u);
    EXPECT_EQ(t.find("GET", "/a", "error 0")->occurrences, 2u);
    EXPECT_EQ(t.overflow(), 1u);  // "error 2" once; "error 1" had room
    EXPECT_EQ(t.total_occurrences(), 5u);

    error_table small(1);
    small.merge(t);
    EXPECT_EQ(small.size(), 1u);
    EXPECT_EQ(small.total_occurrences(), 5u);
    EXPECT_EQ(small.overflow(), 3u);
}

TEST(error_table_test, cuts_long_messages_on_a_character_boundary) {
    error_table t;
    std::string message(error_table::max_message_bytes - 1, 'x');
    message += "\xC3\xA9 and more";  // a two-byte character straddling the limit
    t.record("GET", "/a", message, 1);
    t.record("GET", "/a", message + " different tail", 2);
    EXPECT_EQ(t.size(), 1u);  // both cut to the same prefix
    t.for_each([](std::string_view, std::string_view, std::string_view kept, const error_stats& s) {
        EXPECT_EQ(kept.size(), error_table::max_message_bytes - 1);
        EXPECT_EQ(s.occurrences, 2u);
    });
}

TEST(error_table_test, merge_row_rejects_impossible_stats) {
    error_table t;
    EXPECT_THROW(t.merge("GET", "/a", "x", error_stats{0, 1, 1}), std::invalid_argument);
    EXPECT_THROW(t.merge("GET", "/a", "x", error_stats{1, 5, 4}), std::invalid_argument);
    t.merge("GET", "/a", "x", error_stats{3, 4, 9});
    EXPECT_EQ(*t.find("GET", "/a", "x"), (error_stats{3, 4, 9}));
}

TEST(delta_test, merge_and_take_cover_requests_and_errors) {
    delta a, b;
    a.requests.record("GET", "/a", 100, 10, true);
    a.errors.record("GET", "/a", "HTTP 503", 10);
    b.requests.record("GET", "/a", 300, 30, false);
    b.errors.record("GET", "/a", "HTTP 503", 20);
    b.errors.add_overflow(2);
    a.merge(b);
    EXPECT_EQ(a.requests.find("GET", "/a")->requests(), 2u);
    EXPECT_EQ(*a.errors.find("GET", "/a", "HTTP 503"), (error_stats{2, 10, 20}));
    EXPECT_EQ(a.errors.overflow(), 2u);

    const delta sent = a.take();
    EXPECT_TRUE(a.empty());
    EXPECT_FALSE(sent.empty());
    EXPECT_EQ(sent.requests.total().latency_sum_us(), 400u);
}

}  // namespace
}  // namespace swarm::stats
