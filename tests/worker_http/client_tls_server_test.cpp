// The client against OpenSSL test servers in this process (tests/support/
// tls_server.hpp) that count full and resumed handshakes and see SNI,
// version and cipher: who resumes whose session, what `tls:` settings put on
// the wire, and hostile TLS servers (a stall mid-handshake, a 100 KiB
// certificate, renegotiation, close_notify mid-body). Each failure is a
// clear message, and the same client then goes on to a good server.

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <mutex>
#include <thread>

#include "tests/support/tls_server.hpp"
#include "tests/worker_http/test_run.hpp"
#include "worker/http/client.hpp"

namespace swarm::worker::http {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using test::hostile_connection;
using test::hostile_server;
using test::tls_handshake_counts;
using test::tls_server_connection;
using test::tls_server_context;
using testing::failure;
using testing::get;
using testing::run_send;

// What a test server saw of the client's handshakes.
struct seen {
    std::mutex mutex;
    std::string server_name = "(none)";
    int version = 0;
    std::string cipher;

    void record(SSL* ssl) {
        std::lock_guard lock(mutex);
        const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        server_name = sni ? sni : "(none)";
        version = SSL_version(ssl);
        cipher = SSL_CIPHER_get_name(SSL_get_current_cipher(ssl));
    }
};

// Answers requests over TLS; `close`: each response ends its connection.
hostile_server::behaviour answering(const tls_server_context& ctx, tls_handshake_counts& counts,
                                    bool close, seen* s = nullptr) {
    return [&ctx, &counts, close, s](hostile_connection& c) {
        tls_server_connection tls(c, ctx);
        if (!tls.handshake(counts)) return;
        if (s) s->record(tls.ssl());
        while (tls.read_request()) {
            if (!tls.send(test::http_response("ok", close))) return;
            if (close) {
                tls.close_notify();  // as nginx does; the session stays resumable
                return;
            }
        }
    };
}

struct http_client_tls_server : ::testing::Test {
    client_options options(scenario::tls_spec spec = {}) {
        client_options opts;
        opts.tls = make_tls_context(tls_options{false, "", std::move(spec)});
        opts.connect_timeout = 2s;
        return opts;
    }
    // `c` still works: a request to a well-behaved TLS server succeeds.
    void expect_goes_on(client& c) {
        const auto res = run_send(ioc, c, get(test::https_url(good_)));
        EXPECT_TRUE(res) << failure(res);
    }

    net::io_context ioc;
    tls_server_context good_ctx_;
    tls_handshake_counts good_counts_;
    hostile_server good_{answering(good_ctx_, good_counts_, false)};
};

// Three users, three requests each, a new connection per request
// (Connection: close): each user's first handshake is full, its reconnects
// resume its own session. TLS 1.3 (tickets) and 1.2 (session IDs).
TEST_F(http_client_tls_server, each_new_user_does_a_full_handshake_then_resumes_its_own) {
    for (const int version : {0, TLS1_2_VERSION}) {
        tls_server_context ctx({0, version});
        tls_handshake_counts counts;
        hostile_server server(answering(ctx, counts, true));
        const auto opts = std::make_shared<const client_options>(options());  // one context
        for (int user = 0; user < 3; ++user) {
            client c(ioc.get_executor(), opts);
            for (int i = 0; i < 3; ++i) {
                const auto res = run_send(ioc, c, get(test::https_url(server)));
                ASSERT_TRUE(res) << failure(res);
            }
            EXPECT_EQ(c.connections_opened(), 3u);
        }
        EXPECT_EQ(counts.full, 3) << "version " << version;
        EXPECT_EQ(counts.resumed, 6) << "version " << version;
        EXPECT_EQ(counts.failed, 0);
    }
}

// `tls: {resume: true}`: the thread's users share sessions; only the first
// handshake is full.
TEST_F(http_client_tls_server, resume_true_shares_sessions_across_users) {
    for (const int version : {0, TLS1_2_VERSION}) {
        tls_server_context ctx({0, version});
        tls_handshake_counts counts;
        hostile_server server(answering(ctx, counts, true));
        scenario::tls_spec spec;
        spec.resume = true;
        const auto opts = std::make_shared<const client_options>(options(spec));
        for (int user = 0; user < 3; ++user) {
            client c(ioc.get_executor(), opts);
            for (int i = 0; i < 3; ++i) {
                const auto res = run_send(ioc, c, get(test::https_url(server)));
                ASSERT_TRUE(res) << failure(res);
            }
        }
        EXPECT_EQ(counts.full, 1) << "version " << version;
        EXPECT_EQ(counts.resumed, 8) << "version " << version;
    }
}

// The server closes an idle keep-alive connection without close_notify
// (as nginx's keepalive_timeout does): the user's next request reconnects
// and resumes its session.
TEST_F(http_client_tls_server, a_reconnect_after_an_idle_close_resumes) {
    tls_server_context ctx;
    tls_handshake_counts counts;
    hostile_server server([&](hostile_connection& c) {
        tls_server_connection tls(c, ctx);
        if (!tls.handshake(counts) || !tls.read_request()) return;
        tls.send(test::http_response("ok"));
        std::this_thread::sleep_for(50ms);  // then closes, keep-alive notwithstanding
    });
    client c(ioc.get_executor(), options());
    ASSERT_TRUE(run_send(ioc, c, get(test::https_url(server))));
    std::this_thread::sleep_for(200ms);
    const auto res = run_send(ioc, c, get(test::https_url(server)));
    ASSERT_TRUE(res) << failure(res);
    EXPECT_EQ(counts.full, 1);
    EXPECT_EQ(counts.resumed, 1);
}

TEST_F(http_client_tls_server, sni_is_the_url_host_the_class_name_or_none) {
    tls_server_context ctx;
    tls_handshake_counts counts;
    seen s;
    hostile_server server(answering(ctx, counts, true, &s));
    const auto port = std::to_string(server.port_number());
    auto sni_for = [&](const std::string& host, std::optional<std::string> sni) {
        scenario::tls_spec spec;
        spec.sni = std::move(sni);
        client c(ioc.get_executor(), options(spec));
        const auto res = run_send(ioc, c, get("https://" + host + ":" + port + "/"));
        EXPECT_TRUE(res) << failure(res);
        std::lock_guard lock(s.mutex);
        return s.server_name;
    };
    EXPECT_EQ(sni_for("localhost", std::nullopt), "localhost");
    EXPECT_EQ(sni_for("127.0.0.1", std::nullopt), "(none)");  // never an IP (RFC 6066)
    EXPECT_EQ(sni_for("127.0.0.1", "www.example.test"), "www.example.test");
    EXPECT_EQ(sni_for("localhost", ""), "(none)");  // sni: false
}

TEST_F(http_client_tls_server, versions_and_ciphers_reach_the_wire) {
    tls_server_context ctx;
    tls_handshake_counts counts;
    seen s;
    hostile_server server(answering(ctx, counts, true, &s));
    auto negotiate = [&](scenario::tls_spec spec) {
        client c(ioc.get_executor(), options(std::move(spec)));
        const auto res = run_send(ioc, c, get(test::https_url(server)));
        EXPECT_TRUE(res) << failure(res);
        std::lock_guard lock(s.mutex);
        return std::make_pair(s.version, s.cipher);
    };
    scenario::tls_spec spec;
    EXPECT_EQ(negotiate(spec).first, TLS1_3_VERSION);
    spec.ciphersuites = "TLS_CHACHA20_POLY1305_SHA256";
    EXPECT_EQ(negotiate(spec),
              std::make_pair(TLS1_3_VERSION, std::string("TLS_CHACHA20_POLY1305_SHA256")));
    spec = {};
    spec.max_version = scenario::tls_spec::tls_1_2;
    spec.ciphers = "ECDHE-ECDSA-CHACHA20-POLY1305";
    EXPECT_EQ(negotiate(spec),
              std::make_pair(TLS1_2_VERSION, std::string("ECDHE-ECDSA-CHACHA20-POLY1305")));
}

TEST_F(http_client_tls_server, a_version_the_server_lacks_fails_the_handshake_clearly) {
    tls_server_context ctx({0, TLS1_2_VERSION});
    tls_handshake_counts counts;
    hostile_server server(answering(ctx, counts, true));
    scenario::tls_spec spec;
    spec.min_version = scenario::tls_spec::tls_1_3;
    client c(ioc.get_executor(), options(spec));
    const auto res = run_send(ioc, c, get(test::https_url(server)));
    EXPECT_EQ(failure(res), "TLS handshake failed: tlsv1 alert protocol version");
    EXPECT_EQ(res.error().kind, errc::tls);
}

// The server reads the ClientHello, sends half of its first flight and
// stalls: the client waits no longer than its connect timeout.
TEST_F(http_client_tls_server, a_server_stalling_mid_handshake_is_a_handshake_timeout) {
    tls_server_context ctx;
    hostile_server server([&](hostile_connection& c) {
        if (!test::stall_mid_handshake(c, ctx)) return;
        while (!c.stopping()) std::this_thread::sleep_for(10ms);
    });
    auto opts = options();
    opts.connect_timeout = 300ms;
    client c(ioc.get_executor(), opts);
    const auto res = run_send(ioc, c, get(test::https_url(server), 5s));
    EXPECT_EQ(failure(res), "TLS handshake failed: timeout");
    EXPECT_EQ(res.error().kind, errc::handshake_timeout);
    EXPECT_GE(res.error().latency, 300ms);
    EXPECT_LT(res.error().latency, 2s);
    expect_goes_on(c);
}

// OpenSSL's client takes a Certificate message of up to 100 KiB
// (max_cert_list). TLS 1.3's message is the DER certificate + 9 bytes
// (context, list and entry lengths, entry extensions): a certificate that
// makes it exactly 100 KiB is accepted; one byte more is refused, with the
// reason, and the client's memory goes back to where it was.
TEST_F(http_client_tls_server, a_certificate_chain_over_100_KiB_is_refused_clearly) {
    constexpr std::size_t limit = 100 * 1024, tls13_overhead = 9;
    for (const std::size_t extra : {0, 1}) {
        tls_server_context ctx({limit - tls13_overhead + extra, 0});
        tls_handshake_counts counts;
        hostile_server server(answering(ctx, counts, true));
        client c(ioc.get_executor(), options());
        const auto res = run_send(ioc, c, get(test::https_url(server)));
        if (extra == 0) {
            EXPECT_TRUE(res) << failure(res);
        } else {
            EXPECT_EQ(failure(res),
                      "TLS handshake failed: the server's certificate chain is over the "
                      "client's limit of 100 KiB (excessive message size)");
            EXPECT_EQ(res.error().kind, errc::tls);
            // Refusing it keeps nothing: more refusals do not grow the heap
            // (the first one warmed OpenSSL's caches and the server's).
            // The server is in this process: measure once its side of each
            // refused handshake has ended and freed its SSL.
            auto server_done = [&](int failed) {
                for (int i = 0; i < 200 && counts.failed < failed; ++i)
                    std::this_thread::sleep_for(10ms);
                std::this_thread::sleep_for(50ms);
                return testing::heap_bytes();
            };
            const auto before = server_done(1);
            for (int i = 0; i < 4; ++i) {
                EXPECT_EQ(run_send(ioc, c, get(test::https_url(server))).error().kind, errc::tls);
            }
            EXPECT_LT(server_done(5), before + 16 * 1024);
        }
        expect_goes_on(c);
    }
}

// A TLS 1.2 server asks to renegotiate (HelloRequest) before its response:
// the client refuses (a no_renegotiation alert) and does not hang; OpenSSL's
// server then ends the connection with a fatal alert, a counted failure.
TEST_F(http_client_tls_server, a_renegotiation_request_is_refused_without_a_hang) {
    tls_server_context ctx({0, TLS1_2_VERSION});
    tls_handshake_counts counts;
    std::atomic<bool> renegotiation_failed{false};
    hostile_server server([&](hostile_connection& c) {
        tls_server_connection tls(c, ctx);
        if (!tls.handshake(counts) || !tls.read_request()) return;
        SSL* ssl = tls.ssl();
        if (SSL_renegotiate(ssl) != 1 || SSL_do_handshake(ssl) != 1) return;
        char buf[512];
        // The client's answer: a no_renegotiation alert, not a ClientHello.
        if (SSL_read(ssl, buf, static_cast<int>(sizeof buf)) <= 0) renegotiation_failed = true;
        tls.send(test::http_response("late"));
    });
    client c(ioc.get_executor(), options());
    const auto res = run_send(ioc, c, get(test::https_url(server), 5s));
    EXPECT_EQ(failure(res),
              "TLS: the server asked to renegotiate, which swarm refuses "
              "(sslv3 alert handshake failure)");
    EXPECT_LT(res.error().latency, 2s);
    // The server's thread records it just after the alert the client got.
    for (int i = 0; i < 200 && !renegotiation_failed; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(renegotiation_failed);
    expect_goes_on(c);
}

// close_notify after 400 of 1000 body bytes: a failure, never a short success.
TEST_F(http_client_tls_server, close_notify_in_the_middle_of_a_body_is_a_failure) {
    tls_server_context ctx;
    tls_handshake_counts counts;
    hostile_server server([&](hostile_connection& c) {
        tls_server_connection tls(c, ctx);
        if (!tls.handshake(counts) || !tls.read_request()) return;
        tls.send("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + std::string(400, 'b'));
        tls.close_notify();
        // The TCP connection stays open: the close_notify alone must end the read.
        for (int i = 0; i < 300 && !c.stopping(); ++i) std::this_thread::sleep_for(10ms);
    });
    client c(ioc.get_executor(), options());
    const auto res = run_send(ioc, c, get(test::https_url(server), 5s));
    EXPECT_EQ(failure(res), "connection closed before the response was complete");
    EXPECT_EQ(res.error().kind, errc::closed);
    EXPECT_LT(res.error().latency, 2s);
    EXPECT_EQ(server.accepted(), 1);  // a partial response is never retried
    expect_goes_on(c);
}

}  // namespace
}  // namespace swarm::worker::http
