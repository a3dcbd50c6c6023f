// sequence_tracker: next, duplicate, gap, restart and forget, per worker.
#include "master/stats/sequence_tracker.hpp"

#include <gtest/gtest.h>

namespace swarm::master {
namespace {

TEST(sequence_tracker_test, consecutive_reports_are_fresh) {
    sequence_tracker t;
    for (std::uint64_t s = 1; s <= 5; ++s) {
        const sequence_result r = t.observe("w1", s);
        EXPECT_EQ(r.verdict, sequence_verdict::fresh) << s;
        EXPECT_TRUE(r.accept());
    }
    EXPECT_EQ(t.lost(), 0u);
    EXPECT_EQ(t.duplicates(), 0u);
}

TEST(sequence_tracker_test, repeated_or_older_reports_are_duplicates) {
    sequence_tracker t;
    t.observe("w1", 1);
    t.observe("w1", 2);
    t.observe("w1", 3);
    EXPECT_EQ(t.observe("w1", 3).verdict, sequence_verdict::duplicate);
    EXPECT_EQ(t.observe("w1", 2).verdict, sequence_verdict::duplicate);
    EXPECT_FALSE(t.observe("w1", 3).accept());
    EXPECT_EQ(t.observe("w1", 0).verdict, sequence_verdict::duplicate);  // invalid
    EXPECT_EQ(t.duplicates(), 4u);
    EXPECT_EQ(t.observe("w1", 4).verdict, sequence_verdict::fresh);
}

TEST(sequence_tracker_test, a_jump_is_a_gap_with_the_number_missing) {
    sequence_tracker t;
    t.observe("w1", 1);
    const sequence_result r = t.observe("w1", 5);
    EXPECT_EQ(r.verdict, sequence_verdict::gap);
    EXPECT_EQ(r.missing, 3u);
    EXPECT_TRUE(r.accept());
    EXPECT_EQ(t.observe("w1", 6).verdict, sequence_verdict::fresh);
    EXPECT_EQ(t.observe("w1", 4).verdict, sequence_verdict::duplicate);  // late, already lost
    EXPECT_EQ(t.lost(), 3u);
}

TEST(sequence_tracker_test, workers_are_tracked_apart) {
    sequence_tracker t;
    t.observe("w1", 1);
    t.observe("w1", 2);
    EXPECT_EQ(t.observe("w2", 1).verdict, sequence_verdict::fresh);
    EXPECT_EQ(t.observe("w2", 2).verdict, sequence_verdict::fresh);
    EXPECT_EQ(t.observe("w1", 2).verdict, sequence_verdict::duplicate);
}

TEST(sequence_tracker_test, first_report_is_fresh_whatever_its_number) {
    sequence_tracker t;
    const sequence_result r = t.observe("w1", 57);  // worker outlived a previous master
    EXPECT_EQ(r.verdict, sequence_verdict::fresh);
    EXPECT_EQ(r.missing, 0u);
    EXPECT_EQ(t.observe("w1", 58).verdict, sequence_verdict::fresh);
}

TEST(sequence_tracker_test, a_restarted_worker_starting_again_at_one_is_fresh) {
    sequence_tracker t;
    for (std::uint64_t s = 1; s <= 10; ++s) t.observe("w1", s);
    const sequence_result r = t.observe("w1", 1);
    EXPECT_EQ(r.verdict, sequence_verdict::fresh);
    EXPECT_TRUE(r.restarted);
    EXPECT_EQ(t.observe("w1", 2).verdict, sequence_verdict::fresh);
    EXPECT_EQ(t.observe("w1", 2).verdict, sequence_verdict::duplicate);
}

TEST(sequence_tracker_test, forget_makes_the_next_report_a_first) {
    sequence_tracker t;
    t.observe("w1", 1);
    EXPECT_EQ(t.observe("w1", 1).verdict, sequence_verdict::duplicate);
    t.forget("w1");  // hello again after a reconnect
    EXPECT_EQ(t.observe("w1", 1).verdict, sequence_verdict::fresh);
    t.forget("unknown");  // harmless
}

}  // namespace
}  // namespace swarm::master
