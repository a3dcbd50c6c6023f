// Data feeders' assignment (issue 16): the draw arithmetic of
// common/scenario/feeder.hpp (shares of N records over W workers are
// disjoint and complete, once per cycle) and the master's slots per worker
// across joins and leaves (master/dispatch/feeder_slots.hpp).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/scenario/feeder.hpp"
#include "master/dispatch/feeder_slots.hpp"

namespace swarm::master {
namespace {

using scenario::data_end;
using scenario::feeder_share;
using scenario::pick_record;
using scenario::share_size;

TEST(feeder_assignment, shares_of_every_size_are_disjoint_and_complete) {
    for (std::size_t n : {1u, 2u, 3u, 7u, 10u, 64u, 101u}) {
        for (std::uint32_t w = 1; w <= 6; ++w) {
            std::map<std::size_t, int> handed;
            std::uint64_t total = 0;
            for (std::uint32_t k = 0; k < w; ++k) {
                const feeder_share s{k, w};
                const auto size = share_size(s, n);
                total += size;
                for (std::uint64_t i = 0; i < size; ++i) {
                    const auto p = pick_record(s, i, n, data_end::stop_test);
                    ASSERT_FALSE(p.exhausted) << n << " " << w << " " << k << " " << i;
                    ++handed[p.record];
                }
                // The draw after the share's last is exhausted, in every mode but recycle.
                EXPECT_TRUE(pick_record(s, size, n, data_end::stop_test).exhausted);
                EXPECT_TRUE(pick_record(s, size, n, data_end::stop_user).exhausted);
                EXPECT_FALSE(pick_record(s, size, n, data_end::recycle).exhausted);
            }
            EXPECT_EQ(total, n) << n << " records, " << w << " workers";
            ASSERT_EQ(handed.size(), n);
            for (const auto& [record, times] : handed) EXPECT_EQ(times, 1) << record;
        }
    }
}

TEST(feeder_assignment, the_first_draws_of_the_first_workers_are_the_first_records) {
    // Worker k's first draw is record k: with one draw each, in join order,
    // the records go out in file order.
    for (std::uint32_t k = 0; k < 4; ++k)
        EXPECT_EQ(pick_record({k, 4}, 0, 10, data_end::stop_test).record, k);
    // Within a worker, its draws go up by the stride.
    EXPECT_EQ(pick_record({1, 4}, 2, 10, data_end::stop_test).record, 9u);
}

TEST(feeder_assignment, recycle_hands_out_every_record_once_per_cycle) {
    const std::size_t n = 10;
    const std::uint32_t w = 3;
    // Draw d is record d mod n of cycle d / n; every draw belongs to one worker.
    std::map<std::uint64_t, std::map<std::size_t, int>> per_cycle;
    for (std::uint32_t k = 0; k < w; ++k) {
        for (std::uint64_t i = 0; i < 20; ++i) {
            const auto draw = k + i * w;
            const auto p = pick_record({k, w}, i, n, data_end::recycle);
            ASSERT_FALSE(p.exhausted);
            EXPECT_EQ(p.record, draw % n);
            ++per_cycle[draw / n][p.record];
        }
    }
    for (std::uint64_t cycle = 0; cycle < 5; ++cycle) {
        ASSERT_EQ(per_cycle[cycle].size(), n) << cycle;
        for (const auto& [record, times] : per_cycle[cycle]) EXPECT_EQ(times, 1);
    }
}

TEST(feeder_assignment, no_share_and_more_workers_than_records) {
    EXPECT_TRUE(pick_record({0, 0}, 0, 10, data_end::stop_test).exhausted);
    EXPECT_EQ(share_size({0, 0}, 10), 0u);
    // Without a share, recycle cycles over the whole set on the worker's own.
    EXPECT_EQ(pick_record({0, 0}, 12, 10, data_end::recycle).record, 2u);
    EXPECT_EQ(share_size({4, 5}, 3), 0u);  // worker 4 of 5, 3 records: none
    EXPECT_TRUE(pick_record({4, 5}, 0, 3, data_end::stop_user).exhausted);
    EXPECT_FALSE(pick_record({4, 5}, 0, 3, data_end::recycle).exhausted);  // record 4 mod 3
    EXPECT_EQ(pick_record({4, 5}, 0, 3, data_end::recycle).record, 1u);
    // Past 2^64 draws a share does not wrap onto the others.
    EXPECT_TRUE(pick_record({1, 3}, ~std::uint64_t{0}, 10, data_end::recycle).exhausted);
}

TEST(feeder_assignment, on_end_words) {
    for (auto e : {data_end::recycle, data_end::stop_user, data_end::stop_test})
        EXPECT_EQ(scenario::parse_data_end(scenario::to_string(e)), e);
    EXPECT_FALSE(scenario::parse_data_end("stop"));
}

TEST(feeder_slots, workers_at_the_start_get_slots_in_join_order) {
    feeder_slots f;
    f.start({"b", "a", "c"});
    EXPECT_EQ(f.share("b"), (feeder_share{0, 3}));
    EXPECT_EQ(f.share("a"), (feeder_share{1, 3}));
    EXPECT_EQ(f.share("c"), (feeder_share{2, 3}));
    EXPECT_EQ(f.share("d"), (feeder_share{0, 0}));
}

TEST(feeder_slots, a_leaver_frees_its_slot_for_the_next_joiner_and_shares_stay_disjoint) {
    feeder_slots f;
    f.start({"a", "b", "c"});
    f.update({"a", "c"});  // b left
    EXPECT_EQ(f.share("b"), (feeder_share{0, 0}));
    f.update({"a", "c", "d"});  // d takes b's slot
    EXPECT_EQ(f.share("d"), (feeder_share{1, 3}));
    f.update({"a", "c", "d", "e"});  // no slot free: no share
    EXPECT_EQ(f.share("e"), (feeder_share{0, 0}));
    std::set<std::uint32_t> slots;
    for (const auto* id : {"a", "c", "d"}) EXPECT_TRUE(slots.insert(f.share(id).slot).second);
    // A new test splits again over who is there.
    f.start({"e", "a"});
    EXPECT_EQ(f.share("e"), (feeder_share{0, 2}));
    EXPECT_EQ(f.share("c"), (feeder_share{0, 0}));
}

TEST(feeder_slots, a_test_started_without_workers_splits_at_the_first_that_come) {
    feeder_slots f;
    f.start({});
    f.update({"a", "b"});
    EXPECT_EQ(f.share("a"), (feeder_share{0, 2}));
    EXPECT_EQ(f.share("b"), (feeder_share{1, 2}));
}

TEST(feeder_slots, used_up_when_every_busy_holder_ran_out) {
    feeder_slots f;
    f.start({"a", "b", "c"});
    std::set<std::string> idle;  // holders without users
    const auto busy = [&](const std::string& id) { return !idle.contains(id); };
    EXPECT_FALSE(f.used_up(busy));
    f.exhausted("a", "accounts");
    f.exhausted("b", "accounts");
    f.exhausted("b", "words");
    EXPECT_FALSE(f.used_up(busy));
    f.exhausted("x", "accounts");  // not a holder: ignored
    EXPECT_FALSE(f.used_up(busy));
    idle.insert("c");  // c runs no users: its records are never drawn
    EXPECT_EQ(f.used_up(busy), "accounts");
    idle.clear();
    f.exhausted("c", "accounts");
    EXPECT_EQ(f.used_up(busy), "accounts");
    // A holder that leaves no longer counts; its successor has to run out too.
    f.start({"a", "b"});
    f.exhausted("a", "accounts");
    f.update({"a"});
    EXPECT_EQ(f.used_up(busy), "accounts");
    f.update({"a", "d"});
    EXPECT_FALSE(f.used_up(busy));
}

}  // namespace
}  // namespace swarm::master
