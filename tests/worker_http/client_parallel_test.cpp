// Overlapping sends of one client (a user's `parallel:` block) against
// loopback servers that count the connections they accept: up to 6
// connections per origin, each send under its own deadline, close() ending
// every pending one, and the block taking about its slowest request's time.

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/hostile_server.hpp"
#include "tests/worker_http/test_run.hpp"
#include "worker/http/client.hpp"

namespace swarm::worker::http {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;
using test::hostile_connection;
using test::hostile_server;
using testing::failure;
using testing::get;
using testing::run_send;
using testing::run_sends;

// Answers every request on a keep-alive connection after `delay`.
hostile_server::behaviour answer_after(std::chrono::milliseconds delay) {
    return [delay](hostile_connection& c) {
        while (c.read_request()) {
            for (auto waited = 0ms; waited < delay && !c.stopping(); waited += 10ms)
                std::this_thread::sleep_for(10ms);
            if (!c.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")) return;
        }
    };
}

std::vector<request> gets(const hostile_server& server, int n,
                          std::chrono::milliseconds timeout = 10s) {
    std::vector<request> out;
    out.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) out.push_back(get(server.url("/r" + std::to_string(i)), timeout));
    return out;
}

struct http_client_parallel : ::testing::Test {
    net::io_context ioc;
    client c{ioc.get_executor(), client_options{}};
};

TEST_F(http_client_parallel, six_overlapping_sends_take_six_connections_and_the_slowest_time) {
    hostile_server server(answer_after(300ms));
    const auto started = steady::now();
    const auto results = run_sends(ioc, c, gets(server, 6));
    const auto took = steady::now() - started;
    for (const auto& r : results) {
        ASSERT_TRUE(r) << failure(r);
        EXPECT_EQ(r->body, "ok");
    }
    EXPECT_EQ(server.accepted(), 6);
    EXPECT_EQ(server.requests(), 6);
    EXPECT_EQ(c.connections_opened(), 6u);
    // About the slowest request (300 ms), not the sum (1800 ms).
    EXPECT_LT(took, 0.8 * 1800ms);
    // Kept alive: the next block reuses them.
    for (const auto& r : run_sends(ioc, c, gets(server, 6))) ASSERT_TRUE(r) << failure(r);
    EXPECT_EQ(server.accepted(), 6);
    EXPECT_EQ(server.requests(), 12);
}

TEST_F(http_client_parallel, more_sends_than_six_wait_for_a_free_connection) {
    hostile_server server(answer_after(200ms));
    const auto started = steady::now();
    const auto results = run_sends(ioc, c, gets(server, 14));
    const auto took = steady::now() - started;
    for (const auto& r : results) ASSERT_TRUE(r) << failure(r);
    EXPECT_EQ(server.accepted(), 6);  // never more than 6 to one origin
    EXPECT_EQ(server.requests(), 14);
    // Three rounds of 200 ms over 6 connections, far below the 2800 ms of one at a time.
    EXPECT_GE(took, 600ms);
    EXPECT_LT(took, 0.8 * 2800ms);
    // Sequential sends afterwards use one of the kept connections.
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(run_send(ioc, c, get(server.url("/one"))));
    EXPECT_EQ(server.accepted(), 6);
}

TEST_F(http_client_parallel, each_origin_gets_its_own_six) {
    hostile_server a(answer_after(200ms));
    hostile_server b(answer_after(200ms));
    auto reqs = gets(a, 8);
    for (auto& r : gets(b, 8)) reqs.push_back(std::move(r));
    for (const auto& r : run_sends(ioc, c, reqs)) ASSERT_TRUE(r) << failure(r);
    EXPECT_EQ(a.accepted(), 6);
    EXPECT_EQ(b.accepted(), 6);
    EXPECT_EQ(a.requests() + b.requests(), 16);
}

TEST_F(http_client_parallel, a_send_waiting_for_a_connection_keeps_its_deadline) {
    hostile_server server(answer_after(1500ms));
    auto reqs = gets(server, 6);
    reqs.push_back(get(server.url("/late"), 200ms));  // finds all 6 busy
    const auto results = run_sends(ioc, c, reqs);
    for (std::size_t i = 0; i < 6; ++i) ASSERT_TRUE(results[i]) << failure(results[i]);
    ASSERT_FALSE(results[6]);
    EXPECT_EQ(results[6].error().kind, errc::timeout);
    EXPECT_EQ(failure(results[6]), "timeout after 200ms");
    EXPECT_LT(results[6].error().latency, 1s);  // when its own deadline passed, not after a wait
    EXPECT_EQ(server.requests(), 6);            // it was never sent
}

TEST_F(http_client_parallel, close_ends_sends_in_progress_and_waiting) {
    hostile_server server(answer_after(5s));
    std::vector<send_result> out(9);
    int done = 0;
    const auto reqs = gets(server, 9);
    for (std::size_t i = 0; i < reqs.size(); ++i) {
        net::co_spawn(
            ioc,
            [&, i]() -> net::awaitable<void> {
                out[i] = co_await c.send(reqs[i]);
                ++done;
            },
            net::detached);
    }
    ioc.run_for(300ms);
    ioc.restart();
    ASSERT_EQ(done, 0);
    const auto closed_at = steady::now();
    c.close();
    while (done < 9 && steady::now() - closed_at < 3s) {
        ioc.run_for(10ms);
        ioc.restart();
    }
    ASSERT_EQ(done, 9);
    EXPECT_LT(steady::now() - closed_at, 2s);
    for (const auto& r : out) {
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().kind, errc::cancelled);
    }
    EXPECT_EQ(server.accepted(), 6);
    // Still usable: a new connection for the next send.
    hostile_server quick(answer_after(0ms));
    const auto after = run_send(ioc, c, get(quick.url("/after")));
    ASSERT_TRUE(after) << failure(after);
}

}  // namespace
}  // namespace swarm::worker::http
