// The WebSocket client (websocket.hpp) against a hostile raw-socket server
// (a server that never answers, declines, sends oversize, garbage or
// fragmented frames, closes with a code or drops the connection) and
// against `swarm target`'s /ws/echo. Each failure reads as users will see it.

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/read.hpp>

#include <atomic>
#include <optional>
#include <thread>

#include "tests/support/hostile_server.hpp"
#include "tests/support/target_process.hpp"
#include "tests/support/websocket_accept.hpp"
#include "worker/http/client.hpp"
#include "worker/user/failure_text.hpp"

namespace swarm::worker::http {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using test::hostile_connection;
using test::hostile_server;

// Runs `op` on `ioc` to completion (bounded): its result.
template <class T>
T run(net::io_context& ioc, net::awaitable<T> op) {
    std::optional<T> out;
    net::co_spawn(ioc, std::move(op), [&](const std::exception_ptr& e, T v) {
        if (e) std::rethrow_exception(e);
        out.emplace(std::move(v));
    });
    ioc.restart();
    ioc.run_for(20s);
    if (!out) {
        ADD_FAILURE() << "the operation did not complete in 20 s";
        return T(error{errc::internal, "did not complete"});
    }
    return std::move(*out);
}

template <class R>
std::string failure(const R& r) {
    return r ? std::string() : user::failure_text(r.error());
}

std::string header_value(const std::string& head, const std::string& name) {
    const auto at = head.find("\r\n" + name + ": ");
    if (at == std::string::npos) return {};
    const auto start = at + name.size() + 4;
    return head.substr(start, head.find("\r\n", start) - start);
}

// Reads the upgrade and answers 101 (with `extra` header lines); the head read goes to `head`.
bool accept_upgrade(hostile_connection& c, const std::string& extra = "",
                    std::string* head = nullptr) {
    std::string request;
    if (!c.read_request(&request)) return false;
    if (head) *head = request;
    return c.send(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
        test::websocket_accept(header_value(request, "Sec-WebSocket-Key")) + "\r\n" + extra +
        "\r\n");
}

// A server frame (unmasked): `first` is FIN + opcode.
std::string frame(unsigned char first, const std::string& payload) {
    std::string out(1, static_cast<char>(first));
    if (payload.size() < 126) {
        out += static_cast<char>(payload.size());
    } else {
        out += static_cast<char>(126);
        out += static_cast<char>(payload.size() >> 8);
        out += static_cast<char>(payload.size() & 0xff);
    }
    return out + payload;
}

void wait_until_stopped(hostile_connection& c) {
    while (!c.stopping()) std::this_thread::sleep_for(10ms);
}

struct ws_client_test : ::testing::Test {
    net::io_context ioc;
    client c{ioc.get_executor(), client_options{}};

    ws_open_result open(const std::string& url, std::chrono::milliseconds timeout = 5s,
                        std::uint64_t max_message = 1 << 20) {
        ws_request req;
        req.url = url;
        req.timeout = timeout;
        req.max_message_bytes = max_message;
        return run(ioc, c.open_websocket(req));
    }
    ws_result receive(websocket& ws, ws_message& m, std::chrono::milliseconds timeout = 5s) {
        return run(ioc, ws.receive(m, timeout));
    }
};

std::string ws_url(const hostile_server& s) {
    return "ws://127.0.0.1:" + std::to_string(s.port_number()) + "/chat";
}

TEST_F(ws_client_test, a_server_that_never_answers_the_upgrade_times_out) {
    hostile_server server([](hostile_connection& conn) {
        conn.read_request();
        wait_until_stopped(conn);
    });
    const auto started = std::chrono::steady_clock::now();
    const auto opened = open(ws_url(server), 300ms);
    EXPECT_EQ(failure(opened), "timeout after 300ms");
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST_F(ws_client_test, a_declined_upgrade_names_the_status) {
    hostile_server server([](hostile_connection& conn) {
        conn.read_request();
        conn.send("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
    });
    EXPECT_EQ(failure(open(ws_url(server))), "WebSocket upgrade declined: HTTP 403");
}

TEST_F(ws_client_test, an_oversize_message_fails_with_the_limit) {
    hostile_server server([](hostile_connection& conn) {
        if (accept_upgrade(conn)) conn.send(frame(0x81, std::string(2000, 'x')));
        wait_until_stopped(conn);
    });
    auto ws = open(ws_url(server), 5s, 1000);
    ASSERT_TRUE(ws) << failure(ws);
    ws_message m;
    // Beast then waits for the server to end TCP: this one never does, and
    // the receive's deadline still ends it with the real cause.
    EXPECT_EQ(failure(receive(**ws, m, 500ms)), "WebSocket message too large (limit 1000 bytes)");
    EXPECT_FALSE((*ws)->is_open());
}

TEST_F(ws_client_test, a_close_from_the_server_reports_its_code_and_reason) {
    hostile_server server([](hostile_connection& conn) {
        if (accept_upgrade(conn)) conn.send(frame(0x88, std::string("\x03\xf3", 2) + "boom"));
        wait_until_stopped(conn);
    });
    auto ws = open(ws_url(server));
    ASSERT_TRUE(ws) << failure(ws);
    ws_message m;
    EXPECT_EQ(failure(receive(**ws, m, 500ms)),
              "WebSocket closed by the server: 1011 internal error: boom");
    // The connection is over: the next step says so.
    EXPECT_EQ(failure(receive(**ws, m)), "no open WebSocket (it failed)");
}

TEST_F(ws_client_test, a_garbage_frame_is_a_protocol_error) {
    hostile_server server([](hostile_connection& conn) {
        if (accept_upgrade(conn)) conn.send("\x83\x02zz");  // opcode 3 is reserved
        wait_until_stopped(conn);
    });
    auto ws = open(ws_url(server));
    ASSERT_TRUE(ws) << failure(ws);
    ws_message m;
    const auto text = failure(receive(**ws, m, 500ms));
    EXPECT_EQ(text.rfind("WebSocket protocol error: ", 0), 0u) << text;
}

TEST_F(ws_client_test, fragments_are_joined_and_a_ping_between_them_is_answered) {
    std::atomic<bool> ponged{false};
    hostile_server server([&ponged](hostile_connection& conn) {
        if (!accept_upgrade(conn)) return;
        conn.send(frame(0x01, "hel") + frame(0x89, "p1") + frame(0x80, "lo"));
        // The pong: FIN + opcode 10, masked, 2 bytes of payload.
        unsigned char pong[8] = {};
        boost::system::error_code ec;
        net::read(conn.socket(), net::buffer(pong), ec);
        const std::string payload{static_cast<char>(pong[6] ^ pong[2]),
                                  static_cast<char>(pong[7] ^ pong[3])};
        ponged = !ec && pong[0] == 0x8a && (pong[1] & 0x7f) == 2 && payload == "p1";
        wait_until_stopped(conn);
    });
    auto ws = open(ws_url(server));
    ASSERT_TRUE(ws) << failure(ws);
    ws_message m;
    ASSERT_TRUE(receive(**ws, m));
    EXPECT_EQ(m.data, "hello");
    EXPECT_FALSE(m.binary);
    for (int i = 0; i < 100 && !ponged; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(ponged);
}

TEST_F(ws_client_test, a_silent_server_times_a_receive_out_and_a_dropped_one_is_named) {
    hostile_server silent([](hostile_connection& conn) {
        if (accept_upgrade(conn)) wait_until_stopped(conn);
    });
    auto ws = open(ws_url(silent));
    ASSERT_TRUE(ws) << failure(ws);
    ws_message m;
    EXPECT_EQ(failure(receive(**ws, m, 200ms)), "timeout after 200ms");

    hostile_server dropping([](hostile_connection& conn) { accept_upgrade(conn); });
    auto dropped = open(ws_url(dropping));
    ASSERT_TRUE(dropped) << failure(dropped);
    EXPECT_EQ(failure(receive(**dropped, m)), "WebSocket connection lost without a close frame");
}

TEST_F(ws_client_test, the_upgrade_carries_cookies_headers_and_subprotocols) {
    std::string head;
    hostile_server server([&head](hostile_connection& conn) {
        accept_upgrade(conn, "Sec-WebSocket-Protocol: chat\r\nSet-Cookie: s=2\r\n", &head);
        wait_until_stopped(conn);
    });
    ws_request req;
    req.url = ws_url(server);
    req.headers = {{"X-Token", "t1"}, {"Cookie", "a=1"}};
    req.subprotocols = {"chat.v2", "chat"};
    auto ws = run(ioc, c.open_websocket(req));
    ASSERT_TRUE(ws) << failure(ws);
    EXPECT_EQ((*ws)->subprotocol(), "chat");
    EXPECT_EQ(header_value(head, "X-Token"), "t1");
    EXPECT_EQ(header_value(head, "Cookie"), "a=1");
    EXPECT_EQ(header_value(head, "Sec-WebSocket-Protocol"), "chat.v2, chat");
    EXPECT_EQ(head.rfind("GET /chat HTTP/1.1\r\n", 0), 0u);
    // The 101's cookie is the session's, for HTTP as for the next upgrade.
    const auto* s = c.cookie("http://127.0.0.1:" + std::to_string(server.port_number()) + "/", "s");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(*s, "2");
}

TEST_F(ws_client_test, a_subprotocol_that_was_not_offered_is_refused) {
    hostile_server server([](hostile_connection& conn) {
        accept_upgrade(conn, "Sec-WebSocket-Protocol: other\r\n");
        wait_until_stopped(conn);
    });
    EXPECT_EQ(failure(open(ws_url(server))),
              "WebSocket handshake failed: the server chose subprotocol 'other', which was not "
              "offered");
}

TEST_F(ws_client_test, echo_on_the_target_round_trips_text_and_binary_then_closes) {
    const auto target = test::start_target();
    auto ws = open(target.url + "/ws/echo");
    ASSERT_TRUE(ws) << failure(ws);
    const std::string binary("\x00\x01\xfe\xff", 4);
    ASSERT_TRUE(run(ioc, (*ws)->send("hello", false, 2s)));
    ASSERT_TRUE(run(ioc, (*ws)->send(binary, true, 2s)));
    const std::string big(300'000, 'b');  // several frames' worth, one message
    ASSERT_TRUE(run(ioc, (*ws)->send(big, false, 2s)));
    ws_message m;
    ASSERT_TRUE(receive(**ws, m));
    EXPECT_EQ(m.data, "hello");
    EXPECT_FALSE(m.binary);
    ASSERT_TRUE(receive(**ws, m));
    EXPECT_EQ(m.data, binary);
    EXPECT_TRUE(m.binary);
    ASSERT_TRUE(receive(**ws, m));
    EXPECT_EQ(m.data, big);
    const auto closed = run(ioc, (*ws)->close(1000, "bye", 2s));
    EXPECT_TRUE(closed) << failure(closed);
    EXPECT_EQ(failure(receive(**ws, m)), "no open WebSocket (closed by a close step)");
}

}  // namespace
}  // namespace swarm::worker::http
