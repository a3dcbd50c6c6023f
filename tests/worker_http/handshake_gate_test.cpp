// The handshake gate (worker/http/handshake_gate.hpp): alone (who holds a
// slot, who waits, in which order), and under clients that share one against
// TLS servers in this process that count the connections they hold at once.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/support/tls_server.hpp"
#include "tests/worker_http/test_run.hpp"
#include "worker/http/client.hpp"

namespace swarm::worker::http {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using test::hostile_connection;
using test::hostile_server;
using test::tls_server_context;
using testing::failure;
using testing::get;

TEST(handshake_gate, lets_limit_in_then_the_rest_in_arrival_order) {
    handshake_gate gate(2);
    std::vector<int> woken;
    handshake_gate::turn a, b, c, d;
    EXPECT_TRUE(gate.enter(a, [] {}));
    EXPECT_TRUE(gate.enter(b, [] {}));
    EXPECT_FALSE(gate.enter(c, [&] { woken.push_back(3); }));
    EXPECT_FALSE(gate.enter(d, [&] { woken.push_back(4); }));
    EXPECT_EQ(gate.in_progress(), 2u);
    EXPECT_EQ(gate.waiting(), 2u);
    b.leave();
    EXPECT_EQ(woken, std::vector<int>{3});
    EXPECT_TRUE(c.held());
    EXPECT_FALSE(d.held());
    a.leave();
    EXPECT_EQ(woken, (std::vector<int>{3, 4}));
    c.leave();
    d.leave();
    EXPECT_EQ(gate.in_progress(), 0u);
    EXPECT_EQ(gate.waiting(), 0u);
}

// A turn that gives up its place (its deadline passed) is never woken, and
// one destroyed while holding passes its slot on.
TEST(handshake_gate, a_turn_leaving_the_line_is_never_woken_and_a_destroyed_one_passes_on) {
    handshake_gate gate(1);
    int woken_b = 0;
    int woken_c = 0;
    auto a = std::make_unique<handshake_gate::turn>();
    handshake_gate::turn b, c;
    EXPECT_TRUE(gate.enter(*a, [] {}));
    EXPECT_FALSE(gate.enter(b, [&] { ++woken_b; }));
    EXPECT_FALSE(gate.enter(c, [&] { ++woken_c; }));
    b.leave();
    a.reset();
    EXPECT_EQ(woken_b, 0);
    EXPECT_EQ(woken_c, 1);
    EXPECT_TRUE(c.held());
    EXPECT_EQ(gate.in_progress(), 1u);
    EXPECT_EQ(gate.waiting(), 0u);
}

// When a server accepted its connections. (Not how many it holds at once:
// it sees a close only when its thread reads the end, after the client's
// next connection may already be in.)
struct occupancy {
    const std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    std::mutex mutex;
    std::vector<std::chrono::milliseconds> accepted_at;

    void enter() {
        std::lock_guard lock(mutex);
        accepted_at.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start));
    }
    int total() {
        std::lock_guard lock(mutex);
        return static_cast<int>(accepted_at.size());
    }
    // Accepted less than `t` after the first one.
    int within(std::chrono::milliseconds t) {
        std::lock_guard lock(mutex);
        if (accepted_at.empty()) return 0;
        const auto first = *std::min_element(accepted_at.begin(), accepted_at.end());
        return static_cast<int>(std::count_if(accepted_at.begin(), accepted_at.end(),
                                              [&](auto at) { return at - first < t; }));
    }
};

// Reads the ClientHello, answers half of its first flight and holds the
// connection until the client closes it: every handshake stalls.
hostile_server::behaviour stalling(const tls_server_context& ctx, occupancy& seen) {
    return [&ctx, &seen](hostile_connection& c) {
        seen.enter();
        if (!test::stall_mid_handshake(c, ctx)) return;
        char buf[4096];
        boost::system::error_code ec;
        while (!ec && !c.stopping()) c.socket().read_some(net::buffer(buf), ec);  // until closed
    };
}

// `users` clients with one gate (or none), one GET each, all at once.
std::vector<send_result> send_all(net::io_context& ioc, const client_options& opts, int users,
                                  const std::string& url) {
    std::vector<std::unique_ptr<client>> clients;
    std::vector<send_result> results(static_cast<std::size_t>(users));
    for (int i = 0; i < users; ++i) {
        clients.push_back(std::make_unique<client>(ioc.get_executor(), opts));
        net::co_spawn(
            ioc,
            [&c = *clients.back(), &out = results[static_cast<std::size_t>(i)],
             url]() -> net::awaitable<void> { out = co_await c.send(get(url, 5s)); },
            net::detached);
    }
    ioc.run_for(20s);
    return results;
}

struct http_client_handshake_gate : ::testing::Test {
    client_options options(std::shared_ptr<handshake_gate> gate) {
        client_options opts;
        opts.tls = make_tls_context(tls_options{false, "", {}});
        opts.connect_timeout = 300ms;
        opts.handshakes = std::move(gate);
        return opts;
    }
    net::io_context ioc;
    tls_server_context ctx;
    occupancy seen;
    hostile_server stalls{stalling(ctx, seen)};
};

// Five users, a gate of two, handshakes that never end: the server gets two
// connections in the first round (300 ms, the connect timeout), each user
// gets its full connect timeout once its turn comes (a handshake timeout,
// not a timeout of the request), and the last turn comes in the third round.
TEST_F(http_client_handshake_gate, holds_the_threads_handshakes_in_progress_to_its_limit) {
    const auto gate = std::make_shared<handshake_gate>(2);
    const auto results = send_all(ioc, options(gate), 5, test::https_url(stalls));
    ASSERT_EQ(results.size(), 5u);
    std::vector<std::chrono::microseconds> latencies;
    for (const auto& r : results) {
        EXPECT_EQ(failure(r), "TLS handshake failed: timeout");
        if (!r) latencies.push_back(r.error().latency);
    }
    EXPECT_EQ(seen.total(), 5);
    EXPECT_EQ(seen.within(200ms), 2);
    std::sort(latencies.begin(), latencies.end());
    ASSERT_EQ(latencies.size(), 5u);
    EXPECT_GE(latencies.back(), 900ms);  // three rounds of 300 ms
    EXPECT_EQ(gate->in_progress(), 0u);
    EXPECT_EQ(gate->waiting(), 0u);
}

// The same without a gate: all five handshake at once (what the gate is for).
TEST_F(http_client_handshake_gate, without_one_every_handshake_starts_at_once) {
    const auto results = send_all(ioc, options(nullptr), 5, test::https_url(stalls));
    for (const auto& r : results) EXPECT_EQ(failure(r), "TLS handshake failed: timeout");
    EXPECT_EQ(seen.total(), 5);
    EXPECT_EQ(seen.within(200ms), 5);
}

// A request's own deadline still bounds a wait in line: it fails as a
// timeout of the request, and leaves the line.
TEST_F(http_client_handshake_gate, a_wait_in_line_ends_at_the_requests_deadline) {
    const auto gate = std::make_shared<handshake_gate>(1);
    auto opts = options(gate);
    opts.connect_timeout = 3s;
    client first(ioc.get_executor(), opts);
    client second(ioc.get_executor(), opts);
    send_result a, b;
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
            a = co_await first.send(get(test::https_url(stalls), 2s));
        },
        net::detached);
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
            b = co_await second.send(get(test::https_url(stalls), 500ms));
        },
        net::detached);
    ioc.run_for(20s);
    EXPECT_EQ(failure(b), "timeout after 500ms");
    ASSERT_FALSE(b);
    EXPECT_LT(b.error().latency, 1500ms);
    EXPECT_EQ(failure(a), "timeout after 2s");
    EXPECT_EQ(seen.total(), 1);  // the second never connected
    EXPECT_EQ(gate->in_progress(), 0u);
    EXPECT_EQ(gate->waiting(), 0u);
}

}  // namespace
}  // namespace swarm::worker::http
