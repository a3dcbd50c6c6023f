// The worker's master liveness rules on simulated time: lost after 3 s of
// silence, gone 3 s later, the worker's own pauses not counted, hellos
// backing off 1, 2, 4, 5, 5 s, giving up after --master-timeout.
#include <gtest/gtest.h>

#include "worker/master_watch.hpp"

namespace swarm::worker {
namespace {

using namespace std::chrono_literals;
using clock = master_watch::clock;

const clock::time_point t0{std::chrono::hours(1)};

TEST(master_watch_test, master_is_lost_only_after_lost_after_of_silence) {
    master_watch w({}, t0);
    EXPECT_FALSE(w.lost(t0 + 3s));
    EXPECT_TRUE(w.lost(t0 + 3001ms));
    w.heard(t0 + 2s);
    EXPECT_FALSE(w.lost(t0 + 5s));
    EXPECT_TRUE(w.lost(t0 + 5001ms));
    EXPECT_EQ(w.silent_for(t0 + 4s), 2s);
}

TEST(master_watch_test, gone_only_after_lost_after_plus_rejoin_after) {
    master_watch w({}, t0);
    EXPECT_TRUE(w.lost(t0 + 4s));
    EXPECT_FALSE(w.gone(t0 + 6s));
    EXPECT_TRUE(w.gone(t0 + 6001ms));
}

// The worker's own pause is not the master's silence, and the silence
// never goes below zero however long the pause.
TEST(master_watch_test, a_pause_of_the_worker_does_not_count_as_silence) {
    master_watch w({}, t0);
    w.heard(t0 + 1s);
    w.paused(10s, t0 + 12s);  // stopped from 2 s to 12 s
    EXPECT_EQ(w.silent_for(t0 + 12s), 1s);
    EXPECT_FALSE(w.lost(t0 + 14s));
    EXPECT_TRUE(w.lost(t0 + 14001ms));
    w.heard(t0 + 20s);
    w.paused(30s, t0 + 21s);
    EXPECT_EQ(w.silent_for(t0 + 21s), 0s);
}

TEST(master_watch_test, lost_after_is_configurable) {
    master_watch_options o;
    o.lost_after = 500ms;
    master_watch w(o, t0);
    EXPECT_FALSE(w.lost(t0 + 500ms));
    EXPECT_TRUE(w.lost(t0 + 501ms));
}

TEST(master_watch_test, hellos_back_off_from_one_second_to_five) {
    master_watch w({}, t0);
    std::vector<std::chrono::milliseconds> waits;
    auto now = t0;
    for (int i = 0; i < 6; ++i) {
        ASSERT_TRUE(w.hello_due(now));
        w.hello_sent(now);
        waits.push_back(w.last_wait());
        EXPECT_FALSE(w.hello_due(now + w.last_wait() - 1ms));
        now += w.last_wait();
    }
    const std::vector<std::chrono::milliseconds> expected{1s, 2s, 4s, 5s, 5s, 5s};
    EXPECT_EQ(waits, expected);
}

TEST(master_watch_test, a_welcome_or_a_loss_starts_the_backoff_again) {
    master_watch w({}, t0);
    auto now = t0;
    for (int i = 0; i < 4; ++i) {
        w.hello_sent(now);
        now += w.last_wait();
    }
    EXPECT_EQ(w.last_wait(), 5s);
    w.hello_sent(now);
    w.reset_backoff(now + 10ms);
    EXPECT_TRUE(w.hello_due(now + 10ms));  // at once, not after the 5 s wait
    w.hello_sent(now + 10ms);
    EXPECT_EQ(w.last_wait(), 1s);
}

TEST(master_watch_test, never_gives_up_without_a_master_timeout) {
    master_watch w({}, t0);
    EXPECT_FALSE(w.give_up(t0 + std::chrono::hours(24 * 365)));
}

TEST(master_watch_test, gives_up_after_the_master_timeout_of_silence) {
    master_watch_options o;
    o.give_up_after = 10s;
    master_watch w(o, t0);
    EXPECT_FALSE(w.give_up(t0 + 9999ms));
    EXPECT_TRUE(w.give_up(t0 + 10s));
    w.heard(t0 + 8s);
    EXPECT_FALSE(w.give_up(t0 + 17s));
    EXPECT_TRUE(w.give_up(t0 + 18s));
}

}  // namespace
}  // namespace swarm::worker
