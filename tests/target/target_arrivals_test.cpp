// `swarm target`'s arrival counters and its /stall route (issue 13): the
// per-second counts and inter-arrival gaps a rate test holds swarm against,
// first as pure parts, then through a real process on 127.0.0.1.

#include "target/arrivals.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/target_process.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

namespace swarm::test {
namespace {

using namespace std::chrono_literals;
using target::gap_clock;
using target::per_second_ring;

// --- pure parts -------------------------------------------------------------

TEST(per_second_ring_test, counts_each_second_and_keeps_the_last_600) {
    per_second_ring ring;
    ring.record(1000);
    ring.record(1000);
    ring.record(1001, 5);
    std::map<std::int64_t, std::uint64_t> out;
    ring.merge_into(out, 1001);
    EXPECT_EQ(out, (std::map<std::int64_t, std::uint64_t>{{1000, 2}, {1001, 5}}));

    // 600 s later second 1600 takes 1000's slot; 1000 is gone, 1001 has aged out.
    ring.record(1600, 3);
    out.clear();
    ring.merge_into(out, 1601);
    EXPECT_EQ(out, (std::map<std::int64_t, std::uint64_t>{{1600, 3}}));
}

TEST(per_second_ring_test, merging_adds_threads_and_leaves_out_the_future) {
    per_second_ring a;
    per_second_ring b;
    a.record(50, 4);
    b.record(50, 6);
    b.record(52, 1);  // after "now": not in a snapshot taken at 51
    std::map<std::int64_t, std::uint64_t> out;
    a.merge_into(out, 51);
    b.merge_into(out, 51);
    EXPECT_EQ(out, (std::map<std::int64_t, std::uint64_t>{{50, 10}}));
    a.clear();
    out.clear();
    a.merge_into(out, 51);
    EXPECT_TRUE(out.empty());
}

TEST(gap_clock_test, gives_microseconds_since_the_latest_arrival) {
    gap_clock clock;
    EXPECT_EQ(clock.arrive(1'000'000), std::nullopt);
    EXPECT_EQ(clock.arrive(3'500'000), std::optional<std::uint64_t>(2500));
    // A timestamp taken before the latest one (another thread was quicker): 0,
    // and the clock does not move back.
    EXPECT_EQ(clock.arrive(3'000'000), std::optional<std::uint64_t>(0));
    EXPECT_EQ(clock.arrive(4'500'000), std::optional<std::uint64_t>(1000));
    clock.reset();
    EXPECT_EQ(clock.arrive(9'000'000), std::nullopt);
}

// --- through a real target ----------------------------------------------------

class target_arrivals_test : public ::testing::Test {
  protected:
    void SetUp() override { target_ = start_target(); }

    boost::json::value stats() {
        const auto res = http_get(target_.url + "/__stats");
        EXPECT_EQ(res.status, 200);
        return boost::json::parse(res.body);
    }

    running_target target_;
};

std::uint64_t sum_per_second(const boost::json::value& stats) {
    std::uint64_t sum = 0;
    for (const auto& row : stats.at("arrivals").at("per_second").as_array()) {
        sum += boost::json::value_to<std::uint64_t>(row.as_array().at(1));
    }
    return sum;
}

std::uint64_t u64(const boost::json::value& v) {
    return boost::json::value_to<std::uint64_t>(v);
}

TEST_F(target_arrivals_test, counts_arrivals_per_second_and_reset_clears_them) {
    http_client client(target_.url);
    for (int i = 0; i < 30; ++i) {
        ASSERT_EQ(client.get("/about").status, 200);
        if (i % 10 == 0) {
            EXPECT_EQ(client.get("/__stats").status, 200);  // not an arrival
        }
    }
    const auto s = stats();
    const auto& arrivals = s.at("arrivals");
    EXPECT_EQ(u64(arrivals.at("total")), 30u);
    EXPECT_EQ(sum_per_second(s), 30u);
    EXPECT_EQ(u64(s.at("gaps_us").at("count")), 29u);
    const auto now_s = boost::json::value_to<std::int64_t>(arrivals.at("now_unix_ms")) / 1000;
    for (const auto& row : arrivals.at("per_second").as_array()) {
        const auto second = boost::json::value_to<std::int64_t>(row.as_array().at(0));
        EXPECT_LE(second, now_s);
        EXPECT_GT(second, now_s - 60);  // this test takes seconds, not minutes
    }

    ASSERT_EQ(http_get(target_.url + "/__reset").status, 200);
    const auto cleared = stats();
    EXPECT_EQ(u64(cleared.at("arrivals").at("total")), 0u);
    EXPECT_TRUE(cleared.at("arrivals").at("per_second").as_array().empty());
    EXPECT_EQ(u64(cleared.at("gaps_us").at("count")), 0u);
    EXPECT_EQ(u64(cleared.at("gaps_us").at("max")), 0u);
}

TEST_F(target_arrivals_test, gaps_follow_the_clients_spacing) {
    http_client client(target_.url);
    constexpr auto spacing = 20ms;
    for (int i = 0; i < 15; ++i) {
        ASSERT_EQ(client.get("/").status, 200);
        std::this_thread::sleep_for(spacing);
    }
    const auto gaps = stats().at("gaps_us");
    EXPECT_EQ(u64(gaps.at("count")), 14u);
    // Each gap is at least the sleep (the next request is sent after it);
    // the histogram reports within 1/128.
    const std::uint64_t floor_us = 20'000 * 127 / 128;
    EXPECT_GE(u64(gaps.at("p50")), floor_us);
    EXPECT_LT(u64(gaps.at("p50")), 80'000u);  // generous: a loaded ASan machine
    EXPECT_GE(u64(gaps.at("p99")), u64(gaps.at("p50")));
    EXPECT_GE(u64(gaps.at("max")), u64(gaps.at("p99")) * 127 / 128);
}

TEST_F(target_arrivals_test, an_arrival_is_counted_before_its_delayed_answer) {
    std::jthread slow(
        [url = target_.url] { EXPECT_EQ(http_get(url + "/slow?ms=1500").status, 200); });
    std::this_thread::sleep_for(500ms);
    const auto during = stats();
    EXPECT_EQ(u64(during.at("arrivals").at("total")), 1u);
    EXPECT_EQ(u64(during.at("total")), 0u);  // answered requests: not yet
    slow.join();
    EXPECT_EQ(u64(stats().at("total")), 1u);
}

TEST_F(target_arrivals_test, several_io_threads_count_each_arrival_once) {
    auto target = start_target({"--threads", "3"});
    {
        std::vector<std::jthread> clients;
        clients.reserve(3);
        for (int c = 0; c < 3; ++c) {
            clients.emplace_back([&target] {
                http_client client(target.url);
                for (int i = 0; i < 40; ++i) EXPECT_EQ(client.get("/").status, 200);
            });
        }
    }
    const auto s = boost::json::parse(http_get(target.url + "/__stats").body);
    EXPECT_EQ(u64(s.at("arrivals").at("total")), 120u);
    EXPECT_EQ(sum_per_second(s), 120u);
    EXPECT_EQ(u64(s.at("gaps_us").at("count")), 119u);
    EXPECT_EQ(u64(s.at("total")), 120u);
}

// Where in the stall period the client is now (ms), by the phase /__stats gives.
std::int64_t period_position_ms(std::int64_t phase_unix_ms, std::int64_t every_ms) {
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    return ((now_ms - phase_unix_ms) % every_ms + every_ms) % every_ms;
}

TEST_F(target_arrivals_test, stall_holds_requests_arriving_in_the_window_until_it_ends) {
    const auto phase = boost::json::value_to<std::int64_t>(stats().at("stall").at("phase_unix_ms"));
    ASSERT_GT(phase, 0);
    constexpr std::int64_t every_ms = 400;
    constexpr std::int64_t window_ms = 200;
    http_client client(target_.url);
    // Send at chosen points of the period, away from the window's edges (the
    // clock reads and the trip take a few ms): in it, then after it.
    for (const std::int64_t wanted : {40, 100, 160, 240, 300, 360, 70, 280}) {
        const std::int64_t now = period_position_ms(phase, every_ms);
        std::this_thread::sleep_for(
            std::chrono::milliseconds((wanted - now + every_ms) % every_ms));
        const std::int64_t at = period_position_ms(phase, every_ms);
        const auto sent = std::chrono::steady_clock::now();
        const auto res = client.get("/stall?every_ms=400&for_ms=200");
        const auto took = std::chrono::steady_clock::now() - sent;
        ASSERT_EQ(res.status, 200);
        const auto waited_us = u64(boost::json::parse(res.body).at("stalled_us"));
        EXPECT_GE(took, std::chrono::microseconds(waited_us));
        if (wanted < window_ms) {
            // Answered when the window ends: waited about (window − arrival point).
            EXPECT_NEAR(static_cast<double>(waited_us) / 1000.0,
                        static_cast<double>(window_ms - at), 30.0)
                << "sent at " << at << " ms of the period";
        } else {
            EXPECT_EQ(waited_us, 0u) << "sent at " << at << " ms of the period";
            EXPECT_LT(took, 100ms);
        }
    }
}

TEST_F(target_arrivals_test, stall_rejects_bad_parameters) {
    http_client client(target_.url);
    EXPECT_EQ(client.get("/stall").status, 400);
    EXPECT_EQ(client.get("/stall?every_ms=0&for_ms=0").status, 400);
    EXPECT_EQ(client.get("/stall?every_ms=100&for_ms=200").status, 400);
    EXPECT_EQ(client.get("/stall?every_ms=60001&for_ms=1").status, 400);
    EXPECT_EQ(client.get("/stall?every_ms=x&for_ms=1").status, 400);
    EXPECT_EQ(client.get("/stall?every_ms=100&for_ms=0").status, 200);  // never stalls
    http_request post;
    post.method = "POST";
    post.target = "/stall?every_ms=100&for_ms=10";
    EXPECT_EQ(client.request(post).status, 405);
}

}  // namespace
}  // namespace swarm::test
