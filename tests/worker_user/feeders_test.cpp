// Data feeders on a worker (issue 16): the worker's cursors split over its io
// threads, next() handing each record once, unique() one record per user
// for life, and on_end (recycle, stop_user, stop_test) when the data runs out.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/worker_user/harness.hpp"
#include "worker/user/feeders.hpp"

namespace swarm::worker::user {
namespace {

using testing::harness;

// A class whose users loop over one request; `wait` lets them take turns
// (with the fake web and no wait a user runs until it is stopped).
std::string items_scenario(const std::string& on_end, const std::string& get, int n = 5,
                           const std::string& wait = "") {
    std::string items;
    for (int i = 0; i < n; ++i) items += (i ? ", r" : "r") + std::to_string(i);
    return "host: http://h\ndata:\n  accounts: {items: [" + items + "], on_end: " + on_end +
           "}\nusers:\n  U:\n" + (wait.empty() ? "" : "    wait: " + wait + "\n") +
           "    tasks:\n      t: {get: \"" + get + "\"}\n";
}

// The record in a line "GET http://h/a/r3..." after `prefix`.
std::string after(const std::string& line, const std::string& prefix) {
    return line.starts_with(prefix) ? line.substr(prefix.size()) : std::string();
}

TEST(data_feeders, workers_times_threads_hand_out_each_record_once) {
    constexpr int records = 1000, workers = 3, threads = 4;
    auto plan =
        testing::compile_plan(items_scenario("stop_test", "/{{ next(accounts) }}", records));
    ASSERT_TRUE(plan);
    const auto& ds = *plan->data.at(0);
    std::mutex m;
    std::map<std::size_t, int> handed;
    for (std::uint32_t w = 0; w < workers; ++w) {
        data_feeders feeders(*plan);
        feeders.assign(1, {w, workers});
        EXPECT_TRUE(feeders.take_exhausted().empty());
        std::vector<std::thread> pool;
        pool.reserve(threads);
        for (int t = 0; t < threads; ++t) {
            pool.emplace_back([&] {
                std::vector<std::size_t> mine;
                for (;;) {
                    const auto d = feeders.draw(ds);
                    if (d.exhausted) break;
                    mine.push_back(d.index);
                }
                const std::lock_guard lock(m);
                for (auto i : mine) ++handed[i];
            });
        }
        for (auto& t : pool) t.join();
        // Ran out: reported once, for the next stats_report.
        EXPECT_EQ(feeders.take_exhausted(), std::vector<std::string>{"accounts"});
        EXPECT_TRUE(feeders.take_exhausted().empty());
    }
    ASSERT_EQ(handed.size(), static_cast<std::size_t>(records));
    for (const auto& [i, times] : handed) EXPECT_EQ(times, 1) << "record " << i;
}

TEST(data_feeders, a_new_run_or_share_starts_over_and_the_same_share_continues) {
    auto plan = testing::compile_plan(items_scenario("stop_user", "/{{ next(accounts) }}", 10));
    ASSERT_TRUE(plan);
    const auto& ds = *plan->data.at(0);
    data_feeders feeders(*plan);
    feeders.assign(1, {1, 2});
    EXPECT_EQ(feeders.draw(ds).index, 1u);
    EXPECT_EQ(feeders.draw(ds).index, 3u);
    feeders.assign(1, {1, 2});  // a rebalance with the same share
    EXPECT_EQ(feeders.draw(ds).index, 5u);
    feeders.assign(2, {1, 2});  // a new test
    EXPECT_EQ(feeders.draw(ds).index, 1u);
    feeders.assign(2, {0, 0});  // no share (a late worker)
    EXPECT_TRUE(feeders.draw(ds).exhausted);
    // stop_user data sets are not reported to the master.
    EXPECT_TRUE(feeders.take_exhausted().empty());
}

TEST(data_feeders, a_share_without_records_is_reported_at_once) {
    auto plan = testing::compile_plan(items_scenario("stop_test", "/{{ next(accounts) }}", 2));
    ASSERT_TRUE(plan);
    data_feeders feeders(*plan);
    feeders.assign(1, {2, 3});  // worker 2 of 3, 2 records: none for it
    EXPECT_EQ(feeders.take_exhausted(), std::vector<std::string>{"accounts"});
}

TEST(feeder_users, next_gives_each_record_once_then_stop_user_ends_the_users) {
    harness h(items_scenario("stop_user", "/a/{{ next(accounts) }}"));
    data_feeders feeders(*h.plan);
    h.sink.feeders = &feeders;
    h.start(1);
    h.start(2);
    h.run();  // ends by itself: both users run out
    EXPECT_EQ(h.finished, 2);
    std::multiset<std::string> seen;
    for (const auto& l : h.web->lines()) seen.insert(after(l, "GET http://h/a/"));
    EXPECT_EQ(seen, (std::multiset<std::string>{"r0", "r1", "r2", "r3", "r4"}));
    // The request built with the missing record was not sent.
    EXPECT_EQ(h.web->lines().size(), 5u);
}

TEST(feeder_users, recycle_starts_over_in_order) {
    harness h(items_scenario("recycle", "/a/{{ next(accounts) }}", 3));
    data_feeders feeders(*h.plan);
    h.sink.feeders = &feeders;
    h.start(1);
    h.stop_after(7);
    h.run();
    std::vector<std::string> seen;
    for (const auto& l : h.web->lines()) seen.push_back(after(l, "GET http://h/a/"));
    EXPECT_EQ(seen, (std::vector<std::string>{"r0", "r1", "r2", "r0", "r1", "r2", "r0"}));
}

TEST(feeder_users, unique_keeps_one_record_per_user_for_life) {
    harness h(items_scenario("stop_user", "/u/{{ user_id }}/{{ unique(accounts) }}", 3,
                             "{constant: 1ms}"));
    data_feeders feeders(*h.plan);
    h.sink.feeders = &feeders;
    for (int u = 1; u <= 4; ++u) h.start(u);  // 4 users, 3 records: the 4th ends
    h.stop_after(30);
    h.run();
    std::map<std::string, std::set<std::string>> records_of;  // user → records
    for (const auto& l : h.web->lines()) {
        const auto rest = after(l, "GET http://h/u/");
        const auto slash = rest.find('/');
        ASSERT_NE(slash, std::string::npos) << l;
        records_of[rest.substr(0, slash)].insert(rest.substr(slash + 1));
    }
    ASSERT_EQ(records_of.size(), 3u);  // the user without a record sent nothing
    std::set<std::string> all;
    for (const auto& [user, records] : records_of) {
        EXPECT_EQ(records.size(), 1u) << "user " << user;
        all.insert(*records.begin());
    }
    EXPECT_EQ(all, (std::set<std::string>{"r0", "r1", "r2"}));
}

TEST(feeder_users, a_record_missing_from_vars_ends_the_user_before_any_request) {
    harness h(
        "host: http://h\ndata:\n  accounts: {items: [r0], on_end: stop_test}\nusers:\n  U:\n"
        "    wait: {constant: 1ms}\n    vars: {login: \"{{ next(accounts) }}\"}\n    tasks:\n      "
        "t: {get: \"/{{ login "
        "}}\"}\n");
    data_feeders feeders(*h.plan);
    feeders.assign(1, {0, 1});
    h.sink.feeders = &feeders;
    h.start(1);
    h.start(2);
    h.stop_after(5);
    h.run();
    for (const auto& l : h.web->lines()) EXPECT_EQ(l, "GET http://h/r0");
    EXPECT_EQ(feeders.take_exhausted(), std::vector<std::string>{"accounts"});
}

}  // namespace
}  // namespace swarm::worker::user
