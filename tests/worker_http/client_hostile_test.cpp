// The client against a hostile raw-socket server on 127.0.0.1: slow drips,
// endless bodies, oversized headers, early closes, garbage, and a server that
// closes idle keep-alive connections. Each is a clear error or a recovery.

#include <gtest/gtest.h>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <mutex>
#include <thread>

#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/hostile_server.hpp"
#include "tests/worker_http/test_run.hpp"
#include "worker/http/client.hpp"

namespace swarm::worker::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using testing::failure;
using testing::get;
using testing::run_send;

using test::hostile_connection;
using test::hostile_server;

struct http_client_hostile : ::testing::Test {
    net::io_context ioc;
};

TEST_F(http_client_hostile, connect_timeout_when_the_server_never_accepts) {
    // A listener whose accept queue is full drops further SYNs: connect hangs.
    tcp::acceptor full(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    full.listen(0);
    // Non-blocking raw connects: Asio's blocking connect would wait for the SYN retries.
    std::vector<int> fillers;
    for (int i = 0; i < 4; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        const auto ep = full.local_endpoint();
        // Non-blocking: "in progress" is the expected answer; the backlog fills either way.
        (void)::connect(fd, ep.data(), static_cast<socklen_t>(ep.size()));
        fillers.push_back(fd);
    }
    std::this_thread::sleep_for(50ms);
    client_options opts;
    opts.connect_timeout = 200ms;
    client c(ioc.get_executor(), opts);
    const auto url = "http://127.0.0.1:" + std::to_string(full.local_endpoint().port()) + "/";
    auto res = run_send(ioc, c, get(url, 5s));
    EXPECT_EQ(failure(res), "connect timeout");
    EXPECT_EQ(res.error().kind, errc::connect_timeout);
    EXPECT_LT(res.error().latency, 2s);
    // When the request's own deadline comes first, it is the request's timeout.
    res = run_send(ioc, c, get(url, 100ms));
    EXPECT_EQ(failure(res), "timeout after 100ms");
    EXPECT_EQ(res.error().kind, errc::timeout);
    for (const int fd : fillers) ::close(fd);
}

TEST_F(http_client_hostile, slow_drip_of_headers_times_out) {
    hostile_server server([](hostile_connection& s) {
        if (!s.read_request()) return;
        s.send("HTTP/1.1 200 OK\r\n");
        s.drip("X-Drip: 1\r\n", 20ms);
    });
    client c(ioc.get_executor(), client_options{});
    const auto res = run_send(ioc, c, get(server.url(), 300ms));
    EXPECT_EQ(failure(res), "timeout after 300ms");
    EXPECT_LT(res.error().latency, 2s);
}

TEST_F(http_client_hostile, never_ending_body_hits_the_body_limit) {
    hostile_server server([](hostile_connection& s) {
        if (!s.read_request()) return;
        s.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        s.drip("1000\r\n" + std::string(0x1000, 'z') + "\r\n", 0ms);
    });
    client_options opts;
    opts.max_body_bytes = 256 * 1024;
    client c(ioc.get_executor(), opts);
    const auto before = testing::heap_bytes();
    const auto res = run_send(ioc, c, get(server.url()));
    EXPECT_EQ(failure(res), "body too large (limit 256 KiB)");
    EXPECT_EQ(res.error().kind, errc::body_too_large);
    // Nothing of the partial body is kept.
    EXPECT_LT(testing::heap_bytes(), before + 16 * 1024);
}

// `response_body: discard`: an 8 MiB body is read and counted, and never held:
// midway through it the heap has grown by a read buffer, not by the body.
TEST_F(http_client_hostile, a_discarded_body_is_counted_and_not_kept) {
    constexpr std::size_t chunk_bytes = 64 * 1024, chunks = 128;
    std::atomic<std::size_t> heap_midway{0};
    hostile_server server([&](hostile_connection& s) {
        if (!s.read_request()) return;
        const std::string chunk(chunk_bytes, 'z');
        if (!s.send("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(chunks * chunk_bytes) +
                    "\r\n\r\n")) {
            return;
        }
        for (std::size_t i = 0; i < chunks; ++i) {
            if (i == chunks / 2) {
                std::this_thread::sleep_for(100ms);  // the client has read what was sent
                heap_midway = testing::heap_bytes();
            }
            if (!s.send(chunk)) return;
        }
    });
    client c(ioc.get_executor(), client_options{});
    auto req = get(server.url());
    req.discard_body = true;
    const auto before = testing::heap_bytes();
    const auto res = run_send(ioc, c, req);
    ASSERT_TRUE(res) << failure(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->wire_bytes, chunks * chunk_bytes);
    EXPECT_TRUE(res->body.empty());
    // Kept, the body's 8 MiB would be reserved up front (Content-Length).
    EXPECT_LT(heap_midway.load(), before + 1024 * 1024)
        << "heap grew by " << (heap_midway.load() - before) / 1024 << " KiB midway";
}

TEST_F(http_client_hostile, a_request_sets_its_own_body_limit) {
    hostile_server server([](hostile_connection& s) {
        while (s.read_request()) {
            if (!s.send("HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n" +
                        std::string(200'000, 'z'))) {
                return;
            }
        }
    });
    client c(ioc.get_executor(), client_options{});  // 16 MiB by default
    auto req = get(server.url());
    ASSERT_TRUE(run_send(ioc, c, req));
    req.max_body_bytes = 100 * 1024;
    auto res = run_send(ioc, c, req);
    EXPECT_EQ(failure(res), "body too large (limit 100 KiB)");
    req.discard_body = true;  // a limit still applies when the request sets one
    res = run_send(ioc, c, req);
    EXPECT_EQ(failure(res), "body too large (limit 100 KiB)");
}

TEST_F(http_client_hostile, never_ending_slow_body_times_out) {
    hostile_server server([](hostile_connection& s) {
        if (!s.read_request()) return;
        s.send("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n");
        s.drip("z", 10ms);
    });
    client c(ioc.get_executor(), client_options{});
    const auto res = run_send(ioc, c, get(server.url(), 250ms));
    EXPECT_EQ(failure(res), "timeout after 250ms");
}

TEST_F(http_client_hostile, oversized_headers_fail_clearly) {
    hostile_server server([](hostile_connection& s) {
        if (!s.read_request()) return;
        s.send("HTTP/1.1 200 OK\r\nX-Big: " + std::string(100'000, 'h') +
               "\r\nContent-Length: 0\r\n\r\n");
    });
    client_options opts;
    opts.max_header_bytes = 8 * 1024;
    client c(ioc.get_executor(), opts);
    const auto res = run_send(ioc, c, get(server.url()));
    EXPECT_EQ(failure(res), "response header too large");
    EXPECT_EQ(res.error().kind, errc::header_too_large);
}

TEST_F(http_client_hostile, close_in_the_middle_of_the_body) {
    hostile_server server([](hostile_connection& s) {
        if (!s.read_request()) return;
        s.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part of it");
    });
    client c(ioc.get_executor(), client_options{});
    const auto res = run_send(ioc, c, get(server.url()));
    EXPECT_EQ(failure(res), "connection closed before the response was complete");
    EXPECT_EQ(res.error().kind, errc::closed);
    EXPECT_EQ(server.accepted(), 1);  // a partial response is never retried
}

TEST_F(http_client_hostile, close_without_any_response) {
    hostile_server server([](hostile_connection& s) { s.read_request(); });
    client c(ioc.get_executor(), client_options{});
    const auto res = run_send(ioc, c, get(server.url()));
    EXPECT_EQ(failure(res), "connection closed before the response was complete");
    EXPECT_EQ(res.error().kind, errc::closed);
    EXPECT_EQ(server.accepted(), 1);  // a fresh connection is not retried either
}

TEST_F(http_client_hostile, garbage_instead_of_http) {
    hostile_server server([](hostile_connection& s) {
        if (!s.read_request()) return;
        s.send("SSH-2.0-OpenSSH_9.2\r\n\r\n");
    });
    client c(ioc.get_executor(), client_options{});
    const auto res = run_send(ioc, c, get(server.url()));
    EXPECT_TRUE(failure(res).starts_with("malformed response: ")) << failure(res);
    EXPECT_EQ(res.error().kind, errc::malformed);
}

TEST_F(http_client_hostile, reconnects_when_the_server_closed_an_idle_connection) {
    hostile_server server([](hostile_connection& s) {
        // One response per connection, then an idle-timeout close without warning.
        if (!s.read_request()) return;
        s.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        std::this_thread::sleep_for(50ms);
    });
    client c(ioc.get_executor(), client_options{});
    for (int i = 0; i < 3; ++i) {
        const auto res = run_send(ioc, c, get(server.url()));
        ASSERT_TRUE(res) << failure(res) << "request " << i;
        EXPECT_EQ(res->body, "ok");
        std::this_thread::sleep_for(100ms);  // let the server's close arrive
    }
    EXPECT_EQ(c.connections_opened(), 3u);
    EXPECT_EQ(server.accepted(), 3);
}

// Answers the first request of each connection, reads the second and closes
// without a word: a keep-alive connection lost under a request.
void answer_once_then_close_under_the_next(hostile_connection& s) {
    if (!s.read_request()) return;
    if (!s.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")) return;
    s.read_request();
}

request with_method(request r, scenario::http_method m) {
    r.method = m;
    r.body = "x=1";
    return r;
}

TEST_F(http_client_hostile, a_post_lost_on_a_reused_connection_is_one_failure_not_a_resend) {
    hostile_server server(answer_once_then_close_under_the_next);
    client c(ioc.get_executor(), client_options{});
    const auto post = with_method(get(server.url()), scenario::http_method::post);
    ASSERT_TRUE(run_send(ioc, c, post));
    const auto res = run_send(ioc, c, post);
    EXPECT_EQ(failure(res),
              "keep-alive connection closed before any response; POST not retried (not "
              "idempotent)");
    EXPECT_EQ(res.error().kind, errc::closed_not_retried);
    // On main the POST went out twice: 3 requests seen for 2 sent.
    EXPECT_EQ(server.requests(), 2);
    EXPECT_EQ(server.accepted(), 1);
}

TEST_F(http_client_hostile, an_idempotent_request_lost_on_a_reused_connection_is_sent_again) {
    hostile_server server(answer_once_then_close_under_the_next);
    client c(ioc.get_executor(), client_options{});
    for (const auto m :
         {scenario::http_method::get, scenario::http_method::put, scenario::http_method::delete_}) {
        const auto req = with_method(get(server.url()), m);
        const auto first = run_send(ioc, c, req);
        ASSERT_TRUE(first) << failure(first);
        const auto res = run_send(ioc, c, req);  // lost, then answered on a new connection
        ASSERT_TRUE(res) << failure(res);
        c.close();
    }
    EXPECT_EQ(server.requests(), 3 * 3);
    EXPECT_EQ(server.accepted(), 3 * 2);
}

TEST_F(http_client_hostile, a_post_does_not_go_out_on_an_idle_connection_already_closed) {
    hostile_server server([](hostile_connection& s) {
        // One response per connection, then an idle-timeout close without warning.
        if (!s.read_request()) return;
        s.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    });
    client c(ioc.get_executor(), client_options{});
    const auto post = with_method(get(server.url()), scenario::http_method::post);
    for (int i = 0; i < 3; ++i) {
        const auto res = run_send(ioc, c, post);
        ASSERT_TRUE(res) << failure(res) << " request " << i;
        std::this_thread::sleep_for(100ms);  // let the server's close arrive
    }
    EXPECT_EQ(server.requests(), 3);
    EXPECT_EQ(server.accepted(), 3);
}

TEST_F(http_client_hostile, honours_connection_close) {
    hostile_server server([](hostile_connection& s) {
        if (!s.read_request()) return;
        s.send("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
    });
    client c(ioc.get_executor(), client_options{});
    for (int i = 0; i < 2; ++i) EXPECT_TRUE(run_send(ioc, c, get(server.url())));
    EXPECT_EQ(c.connections_opened(), 2u);
}

TEST_F(http_client_hostile, redirect_methods_follow_browser_rules) {
    std::vector<std::string> heads;
    std::mutex heads_mutex;
    hostile_server server([&](hostile_connection& s) {
        std::string head;
        while (s.read_request(&head)) {
            {
                std::lock_guard lock(heads_mutex);
                heads.push_back(head.substr(0, head.find("\r\n")));
            }
            std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
            if (head.starts_with("POST /302 ")) {
                reply = "HTTP/1.1 302 Found\r\nLocation: /end\r\nContent-Length: 0\r\n\r\n";
            } else if (head.starts_with("POST /307 ")) {
                reply = "HTTP/1.1 307 Temporary\r\nLocation: end\r\nContent-Length: 0\r\n\r\n";
            } else if (head.starts_with("PUT /303 ")) {
                reply = "HTTP/1.1 303 See Other\r\nLocation: /end\r\nContent-Length: 0\r\n\r\n";
            }
            if (!s.send(reply)) return;
        }
    });
    client c(ioc.get_executor(), client_options{});
    for (const char* path : {"/302", "/307", "/303"}) {
        request req = get(server.url(path));
        req.method =
            std::string(path) == "/303" ? scenario::http_method::put : scenario::http_method::post;
        req.body = "x=1";
        const auto res = run_send(ioc, c, req);
        ASSERT_TRUE(res) << failure(res);
        EXPECT_EQ(res->url, server.url("/end"));
    }
    std::lock_guard lock(heads_mutex);
    EXPECT_EQ(heads, (std::vector<std::string>{"POST /302 HTTP/1.1", "GET /end HTTP/1.1",
                                               "POST /307 HTTP/1.1", "POST /end HTTP/1.1",
                                               "PUT /303 HTTP/1.1", "GET /end HTTP/1.1"}));
}

TEST_F(http_client_hostile, a_gzip_bomb_is_refused) {
    // 32 MiB of zeros gzipped: the server sends the ~32 KiB it compresses to.
    std::string packed;
    {
        std::string cmd = "head -c 33554432 /dev/zero | gzip -c";
        FILE* p = popen(cmd.c_str(), "r");
        ASSERT_NE(p, nullptr);
        char buf[8192];
        for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) packed.append(buf, n);
        pclose(p);
    }
    ASSERT_GT(packed.size(), 1000u);
    hostile_server server([&](hostile_connection& s) {
        if (!s.read_request()) return;
        s.send("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " +
               std::to_string(packed.size()) + "\r\n\r\n" + packed);
    });
    client c(ioc.get_executor(), client_options{});
    const auto res = run_send(ioc, c, get(server.url()));
    EXPECT_EQ(failure(res), "decompressed body too large (limit 16 MiB)");
    EXPECT_EQ(res.error().kind, errc::decoded_too_large);
}

}  // namespace
}  // namespace swarm::worker::http
