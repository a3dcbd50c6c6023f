#include <gtest/gtest.h>

#include "tests/worker_user/harness.hpp"

namespace swarm::worker::user {
namespace {

using testing::harness;
using strings = std::vector<std::string>;
using std::chrono::milliseconds;

const char* const three_step_task = R"(host: http://h
users:
  U:
    wait: {constant: 1h}
    on_stop: [{get: /bye}]
    tasks:
      t: [{get: /1}, {get: /2}, {get: /3}]
)";

TEST(stop, graceful_finishes_the_task_then_runs_on_stop) {
    harness h(three_step_task);
    h.start();
    h.stop_after(2, stop_mode::graceful);
    h.run();
    EXPECT_EQ(h.web->lines(),
              (strings{"GET http://h/1", "GET http://h/2", "GET http://h/3", "GET http://h/bye"}));
    EXPECT_EQ(h.delta.requests.total().requests(), 4u);
}

TEST(stop, now_cancels_the_in_flight_request_records_it_once_and_skips_on_stop) {
    harness h(three_step_task);
    h.web->routes["GET http://h/2"].delay = std::chrono::hours(1);  // a target that hangs
    auto& u = h.start();
    boost::asio::steady_timer t(h.io, milliseconds(10));
    t.async_wait([&](boost::system::error_code) { u.request_stop(stop_mode::now); });
    const auto t0 = std::chrono::steady_clock::now();
    h.run();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
    EXPECT_EQ(h.web->lines(), (strings{"GET http://h/1", "GET http://h/2"}));
    EXPECT_EQ(h.count("GET", "/2"), 1u);
    EXPECT_EQ(h.errors("GET", "/2", "cancelled: test stopped"), 1u);
    EXPECT_EQ(h.delta.requests.total().requests(), 2u);
    EXPECT_TRUE(u.done());
}

TEST(stop, cancel_cancels_the_in_flight_request_once_then_runs_on_stop) {
    harness h(three_step_task);
    h.web->routes["GET http://h/2"].delay = std::chrono::hours(1);
    auto& u = h.start();
    boost::asio::steady_timer t(h.io, milliseconds(10));
    t.async_wait([&](boost::system::error_code) { u.request_stop(stop_mode::cancel); });
    const auto t0 = std::chrono::steady_clock::now();
    h.run();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
    EXPECT_EQ(h.web->lines(), (strings{"GET http://h/1", "GET http://h/2", "GET http://h/bye"}));
    EXPECT_EQ(h.errors("GET", "/2", "cancelled: test stopped"), 1u);
    EXPECT_EQ(h.count("GET", "/bye"), 1u);
    EXPECT_EQ(h.failures("GET", "/bye"), 0u);
    EXPECT_EQ(h.delta.requests.total().requests(), 3u);
}

TEST(stop, a_graceful_stop_escalated_to_cancel_cancels_the_task_but_not_on_stop) {
    harness h(three_step_task);
    h.web->routes["GET http://h/2"].delay = std::chrono::hours(1);
    h.web->routes["GET http://h/bye"].delay = milliseconds(100);
    auto& u = h.start();
    boost::asio::steady_timer t1(h.io, milliseconds(10));
    t1.async_wait([&](boost::system::error_code) { u.request_stop(stop_mode::graceful); });
    boost::asio::steady_timer t2(h.io, milliseconds(20));  // the stop timeout ran out
    t2.async_wait([&](boost::system::error_code) { u.request_stop(stop_mode::cancel); });
    // on_stop's request is in flight: another cancel leaves it its own bound,
    // and a graceful request does not make the stop milder.
    boost::asio::steady_timer t3(h.io, milliseconds(60));
    t3.async_wait([&](boost::system::error_code) {
        u.request_stop(stop_mode::cancel);
        u.request_stop(stop_mode::graceful);
    });
    h.run();
    EXPECT_EQ(h.web->lines(), (strings{"GET http://h/1", "GET http://h/2", "GET http://h/bye"}));
    EXPECT_EQ(h.errors("GET", "/2", "cancelled: test stopped"), 1u);
    EXPECT_EQ(h.failures("GET", "/bye"), 0u);
    EXPECT_EQ(h.delta.requests.total().requests(), 3u);
}

TEST(stop, the_final_on_stop_is_bounded_by_its_time_limit) {
    // Takes on_stop_time_limit (10 s) of real time: the bound is the behaviour.
    harness h(R"(host: http://h
users:
  U:
    wait: {constant: 1h}
    on_stop: [{get: /bye}, {get: /after}]
    tasks:
      t: {get: /1}
)");
    h.web->routes["GET http://h/bye"].delay = std::chrono::hours(1);  // logout hangs
    auto& u = h.start();
    h.stop_after(1, stop_mode::cancel);
    const auto t0 = std::chrono::steady_clock::now();
    h.run();
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_GE(took, on_stop_time_limit - milliseconds(50));
    EXPECT_LT(took, on_stop_time_limit + std::chrono::seconds(2));
    EXPECT_TRUE(u.done());
    EXPECT_EQ(h.failures("GET", "/bye"), 1u);  // timed out at the bound
    EXPECT_EQ(h.count("GET", "/after"), 0u);   // on_stop's time was up
}

TEST(stop, a_long_wait_is_cut_short_in_both_modes) {
    for (auto mode : {stop_mode::graceful, stop_mode::now}) {
        harness h(three_step_task);
        auto& u = h.start();
        h.web->after_send = [&](std::size_t n) {
            if (n != 3) return;
            // The user is about to wait an hour after the task.
            boost::asio::post(h.io, [&u, mode] { u.request_stop(mode); });
        };
        const auto t0 = std::chrono::steady_clock::now();
        h.run();
        EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
        EXPECT_TRUE(u.done());
        const auto expected =
            mode == stop_mode::graceful
                ? strings{"GET http://h/1", "GET http://h/2", "GET http://h/3", "GET http://h/bye"}
                : strings{"GET http://h/1", "GET http://h/2", "GET http://h/3"};
        EXPECT_EQ(h.web->lines(), expected);
    }
}

TEST(stop, graceful_inside_a_nested_set_finishes_only_the_current_task) {
    harness h(R"(host: http://h
users:
  U:
    on_stop: [{get: /bye}]
    tasks:
      n:
        sequential: true
        on_stop: [{get: /nested-out}]
        tasks:
          a: [{get: /a1}, {get: /a2}]
          b: {get: /b}
)");
    h.start();
    h.stop_after(1);
    h.run();
    EXPECT_EQ(h.web->lines(), (strings{"GET http://h/a1", "GET http://h/a2", "GET http://h/bye"}));
}

TEST(stop, zero_wait_users_share_the_thread_and_see_the_stop) {
    harness h("host: http://h\nusers:\n  U:\n    tasks:\n      t: [{let: {x: \"1\"}}]\n");
    auto& a = h.start(1);
    auto& b = h.start(2);
    boost::asio::steady_timer t(h.io, milliseconds(20));
    t.async_wait([&](boost::system::error_code) {
        a.request_stop(stop_mode::graceful);
        b.request_stop(stop_mode::now);
    });
    h.run();
    EXPECT_TRUE(a.done());
    EXPECT_TRUE(b.done());
    EXPECT_GT(a.environment().iteration(), 10);
    EXPECT_GT(b.environment().iteration(), 10);
}

// The fake session answers without suspending, as the real client does for
// an invalid URL: zero-wait users must still give way now and then.
TEST(stop, zero_wait_users_whose_requests_never_suspend_share_the_thread) {
    harness h("host: http://h\nusers:\n  U:\n    tasks:\n      t: {get: /x}\n");
    h.web->keep_requests = false;
    auto& a = h.start(1);
    auto& b = h.start(2);
    boost::asio::steady_timer t(h.io, milliseconds(20));
    t.async_wait([&](boost::system::error_code) {
        a.request_stop(stop_mode::now);
        b.request_stop(stop_mode::now);
    });
    h.run();
    EXPECT_TRUE(a.done());
    EXPECT_TRUE(b.done());
    EXPECT_GT(a.environment().iteration(), 10);
    EXPECT_GT(b.environment().iteration(), 10);
}

TEST(stop, requested_before_start_runs_nothing) {
    harness h(three_step_task);
    auto& u = h.start();
    u.request_stop(stop_mode::graceful);
    h.run();
    EXPECT_TRUE(h.web->received.empty());
    EXPECT_TRUE(u.done());
}

}  // namespace
}  // namespace swarm::worker::user
