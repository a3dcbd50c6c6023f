// tls_stream on its own, over loopback TCP: against Asio's ssl::stream
// (interoperation), under beast::websocket::stream (what the WebSocket client
// runs over), with ALPN, with completion tokens other than use_awaitable, and
// the error codes of each way a connection ends. Certificates are made by the
// openssl CLI in a temporary directory.

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/worker_http/test_run.hpp"
#include "worker/http/tls.hpp"
#include "worker/http/tls_stream.hpp"

namespace swarm::worker::http {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
constexpr auto as_value = net::as_tuple(net::use_awaitable);

class tls_stream_test : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new testing::temp_dir();
        const std::string script = "cd " + dir_->path +
                                   " && openssl req -x509 -newkey ec -pkeyopt "
                                   "ec_paramgen_curve:prime256v1 -nodes -keyout server.key "
                                   "-out server.pem -days 2 -subj '/CN=127.0.0.1' "
                                   "-addext subjectAltName=IP:127.0.0.1";
        ASSERT_EQ(std::system(("(" + script + ") >/dev/null 2>&1").c_str()), 0) << script;
    }
    static void TearDownTestSuite() { delete dir_; }

    void SetUp() override {
        server_ctx_.use_certificate_chain_file(dir_->path + "/server.pem");
        server_ctx_.use_private_key_file(dir_->path + "/server.key", ssl::context::pem);
        acceptor_.open(tcp::v4());
        acceptor_.bind(tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
        acceptor_.listen();
    }

    // A client stream connected to the acceptor (the server's side is the test's to accept).
    net::awaitable<error_code> connect(tls_stream& client) {
        const auto [ec] =
            co_await client.next_layer().async_connect(acceptor_.local_endpoint(), as_value);
        co_return ec;
    }

    // Runs the io_context until it has no work (at most 20 s).
    void run() {
        ioc_.run_for(std::chrono::seconds(20));
        EXPECT_TRUE(ioc_.stopped()) << "work left after 20 s";
    }

    static testing::temp_dir* dir_;
    net::io_context ioc_;
    ssl::context server_ctx_{ssl::context::tls_server};
    std::shared_ptr<ssl::context> client_ctx_ = make_tls_context(true, dir_->path + "/server.pem");
    tcp::acceptor acceptor_{ioc_};
};

testing::temp_dir* tls_stream_test::dir_ = nullptr;

// The server: Beast's websocket over Asio's ssl::stream, echoing until the close.
net::awaitable<void> echo_server(tcp::acceptor& acceptor, ssl::context& ctx, int& echoed,
                                 error_code& ended) {
    auto [accept_ec, socket] = co_await acceptor.async_accept(as_value);
    if (accept_ec) {
        ended = accept_ec;
        co_return;
    }
    websocket::stream<ssl::stream<tcp::socket>> ws(std::move(socket), ctx);
    if (auto [ec] = co_await ws.next_layer().async_handshake(ssl::stream_base::server, as_value);
        ec) {
        ended = ec;
        co_return;
    }
    if (auto [ec] = co_await ws.async_accept(as_value); ec) {
        ended = ec;
        co_return;
    }
    for (;;) {
        boost::beast::flat_buffer buffer;
        auto [read_ec, n] = co_await ws.async_read(buffer, as_value);
        if (read_ec) {
            ended = read_ec;
            co_return;
        }
        ws.binary(ws.got_binary());
        auto [write_ec, written] = co_await ws.async_write(buffer.data(), as_value);
        if (write_ec) {
            ended = write_ec;
            co_return;
        }
        ++echoed;
    }
}

TEST_F(tls_stream_test, websocket_over_it_echoes_and_closes_cleanly) {
    int echoed = 0;
    error_code server_end, client_end;
    std::vector<std::string> replies;
    // 100 KB takes several TLS records each way, and partial writes.
    const std::vector<std::string> messages = {"hello", std::string(100'000, 'x'), "bye"};
    net::co_spawn(ioc_, echo_server(acceptor_, server_ctx_, echoed, server_end), net::detached);
    net::co_spawn(
        ioc_,
        [&]() -> net::awaitable<void> {
            websocket::stream<tls_stream> ws(ioc_.get_executor(), *client_ctx_);
            if ((client_end = co_await connect(ws.next_layer()))) co_return;
            // The certificate must name the address (the client's own code does this in
            // tls::prepare_handshake).
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ws.next_layer().native_handle()),
                                          "127.0.0.1");
            auto [hs_ec] = co_await ws.next_layer().async_handshake(
                tls_stream::handshake_type::client, as_value);
            if ((client_end = hs_ec)) co_return;
            auto [ws_ec] = co_await ws.async_handshake("127.0.0.1", "/", as_value);
            if ((client_end = ws_ec)) co_return;
            for (const auto& m : messages) {
                auto [write_ec, written] = co_await ws.async_write(net::buffer(m), as_value);
                if ((client_end = write_ec)) co_return;
                boost::beast::flat_buffer buffer;
                auto [read_ec, n] = co_await ws.async_read(buffer, as_value);
                if ((client_end = read_ec)) co_return;
                replies.push_back(boost::beast::buffers_to_string(buffer.data()));
            }
            auto [close_ec] = co_await ws.async_close(websocket::close_code::normal, as_value);
            client_end = close_ec;
        },
        net::detached);
    run();
    EXPECT_FALSE(client_end) << client_end.message();
    EXPECT_EQ(replies, messages);
    EXPECT_EQ(echoed, 3);
    EXPECT_EQ(server_end, websocket::error::closed) << server_end.message();
}

// A plain callback: the handler runs from the io_context, never inside the
// call that started the operation, even when OpenSSL had the result at once.
TEST_F(tls_stream_test, callback_handlers_run_after_the_initiating_call) {
    tls_stream client(ioc_.get_executor(), *client_ctx_);
    std::optional<ssl::stream<tcp::socket>> server;
    std::string received;
    int handlers = 0;
    bool inside = false;
    client.next_layer().async_connect(acceptor_.local_endpoint(), [&](error_code ec) {
        ASSERT_FALSE(ec) << ec.message();
        inside = true;
        client.async_handshake(tls_stream::handshake_type::client, [&](error_code hs_ec) {
            EXPECT_FALSE(inside);
            ASSERT_FALSE(hs_ec) << hs_ec.message();
            ++handlers;
            inside = true;
            // Writable at once: OpenSSL's answer is immediate, the handler is posted.
            client.async_write_some(net::buffer("ping", 4), [&](error_code w_ec, std::size_t n) {
                EXPECT_FALSE(inside);
                EXPECT_FALSE(w_ec) << w_ec.message();
                EXPECT_EQ(n, 4u);
                ++handlers;
            });
            inside = false;
        });
        inside = false;
    });
    acceptor_.async_accept([&](error_code ec, tcp::socket socket) {
        ASSERT_FALSE(ec) << ec.message();
        server.emplace(std::move(socket), server_ctx_);
        server->async_handshake(ssl::stream_base::server, [&](error_code hs_ec) {
            ASSERT_FALSE(hs_ec) << hs_ec.message();
            received.resize(4);
            net::async_read(*server, net::buffer(received), [&](error_code r_ec, std::size_t) {
                EXPECT_FALSE(r_ec) << r_ec.message();
                ++handlers;
            });
        });
    });
    run();
    EXPECT_EQ(handlers, 3);
    EXPECT_EQ(received, "ping");
}

// The server here is a tls_stream too (its accept role), choosing h2 when offered.
int select_h2(SSL*, const unsigned char** out, unsigned char* out_len, const unsigned char* in,
              unsigned in_len, void*) {
    static const unsigned char h2[] = {2, 'h', '2'};
    unsigned char* selected = nullptr;
    if (SSL_select_next_proto(&selected, out_len, h2, sizeof h2, in, in_len) !=
        OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_NOACK;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

// Handshakes a client (offering `offered`) with a tls_stream server; returns
// what each side saw selected, "error: ..." when the handshake failed.
std::pair<std::string, std::string> alpn_round(net::io_context& ioc, tcp::acceptor& acceptor,
                                               ssl::context& server_ctx, ssl::context& client_ctx,
                                               const std::vector<std::string_view>& offered) {
    std::pair<std::string, std::string> seen;
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
            auto [ec, socket] = co_await acceptor.async_accept(as_value);
            if (ec) co_return;
            tls_stream server(std::move(socket), server_ctx);
            auto [hs_ec] =
                co_await server.async_handshake(tls_stream::handshake_type::server, as_value);
            seen.second = hs_ec ? "error: " + hs_ec.message() : std::string(server.alpn_selected());
        },
        net::detached);
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
            tls_stream client(ioc.get_executor(), client_ctx);
            EXPECT_TRUE(client.set_alpn(offered));
            auto [ec] =
                co_await client.next_layer().async_connect(acceptor.local_endpoint(), as_value);
            if (ec) co_return;
            auto [hs_ec] =
                co_await client.async_handshake(tls_stream::handshake_type::client, as_value);
            seen.first = hs_ec ? "error: " + hs_ec.message() : std::string(client.alpn_selected());
        },
        net::detached);
    ioc.run_for(std::chrono::seconds(20));
    ioc.restart();
    return seen;
}

TEST_F(tls_stream_test, alpn_offers_and_reads_the_selected_protocol) {
    SSL_CTX_set_alpn_select_cb(server_ctx_.native_handle(), select_h2, nullptr);
    EXPECT_EQ(alpn_round(ioc_, acceptor_, server_ctx_, *client_ctx_, {"h2", "http/1.1"}),
              std::make_pair(std::string("h2"), std::string("h2")));
    EXPECT_EQ(alpn_round(ioc_, acceptor_, server_ctx_, *client_ctx_, {"http/1.1"}),
              std::make_pair(std::string(), std::string()));
    EXPECT_EQ(alpn_round(ioc_, acceptor_, server_ctx_, *client_ctx_, {}),
              std::make_pair(std::string(), std::string()));
    tls_stream s(ioc_.get_executor(), *client_ctx_);
    EXPECT_FALSE(s.set_alpn({""}));
    EXPECT_FALSE(s.set_alpn({std::string_view(std::string(256, 'a'))}));
}

// How a read ends when the server goes: close_notify then TCP close is eof;
// a TCP close without close_notify is stream_truncated (what the client
// counts as a closed connection); the client closing its own socket ends a
// pending read with operation_aborted (how deadlines work).
enum class server_ending { close_notify, tcp_close, none };

error_code read_end(net::io_context& ioc, tcp::acceptor& acceptor, ssl::context& server_ctx,
                    ssl::context& client_ctx, server_ending how) {
    error_code seen = net::error::would_block;  // replaced by what the read gives
    auto timer = std::make_shared<net::steady_timer>(ioc);
    net::co_spawn(
        ioc,
        [&, timer]() -> net::awaitable<void> {
            auto [ec, socket] = co_await acceptor.async_accept(as_value);
            if (ec) co_return;
            tls_stream server(std::move(socket), server_ctx);
            auto [hs_ec] =
                co_await server.async_handshake(tls_stream::handshake_type::server, as_value);
            if (hs_ec) co_return;
            if (how == server_ending::close_notify) {
                co_await server.async_shutdown(as_value);
            } else if (how == server_ending::none) {
                timer->expires_after(std::chrono::seconds(5));
                co_await timer->async_wait(as_value);  // until the client is done
            }
        },
        net::detached);
    net::co_spawn(
        ioc,
        [&, timer]() -> net::awaitable<void> {
            tls_stream client(ioc.get_executor(), client_ctx);
            auto [ec] =
                co_await client.next_layer().async_connect(acceptor.local_endpoint(), as_value);
            if (ec) co_return;
            auto [hs_ec] =
                co_await client.async_handshake(tls_stream::handshake_type::client, as_value);
            if (hs_ec) co_return;
            if (how == server_ending::none) {
                net::post(ioc, [&client] { client.next_layer().close(); });
            }
            char byte = 0;
            auto [read_ec, n] = co_await client.async_read_some(net::buffer(&byte, 1), as_value);
            seen = read_ec;
            timer->cancel();
        },
        net::detached);
    ioc.run_for(std::chrono::seconds(20));
    ioc.restart();
    return seen;
}

TEST_F(tls_stream_test, reads_end_with_the_codes_of_asio_ssl_stream) {
    EXPECT_EQ(read_end(ioc_, acceptor_, server_ctx_, *client_ctx_, server_ending::close_notify),
              net::error::eof);
    // A context that wants close_notify (OpenSSL's default) sees a bare TCP
    // close as a truncation, as Asio's stream does ...
    ssl::context strict(ssl::context::tls_client);
    strict.set_verify_mode(ssl::verify_none);
    EXPECT_EQ(read_end(ioc_, acceptor_, server_ctx_, strict, server_ending::tcp_close),
              ssl::error::stream_truncated);
    // ... the client's own contexts take it as a close (SSL_OP_IGNORE_UNEXPECTED_EOF:
    // the session stays resumable; HTTP's framing catches a body cut short).
    EXPECT_EQ(read_end(ioc_, acceptor_, server_ctx_, *client_ctx_, server_ending::tcp_close),
              net::error::eof);
    EXPECT_EQ(read_end(ioc_, acceptor_, server_ctx_, *client_ctx_, server_ending::none),
              net::error::operation_aborted);
}

TEST_F(tls_stream_test, a_failed_verification_reads_as_with_ssl_stream) {
    const auto untrusting = make_tls_context(true, "");
    error_code seen;
    net::co_spawn(
        ioc_,
        [&]() -> net::awaitable<void> {
            auto [ec, socket] = co_await acceptor_.async_accept(as_value);
            if (ec) co_return;
            tls_stream server(std::move(socket), server_ctx_);
            co_await server.async_handshake(tls_stream::handshake_type::server, as_value);
        },
        net::detached);
    net::co_spawn(
        ioc_,
        [&]() -> net::awaitable<void> {
            tls_stream client(ioc_.get_executor(), *untrusting);
            if (co_await connect(client)) co_return;
            auto [hs_ec] =
                co_await client.async_handshake(tls_stream::handshake_type::client, as_value);
            seen = hs_ec;
            EXPECT_EQ(tls::handshake_error(client.native_handle(), hs_ec, "127.0.0.1"),
                      "certificate verify failed (self-signed certificate)");
        },
        net::detached);
    run();
    EXPECT_EQ(seen.category(), net::error::get_ssl_category());
}

}  // namespace
}  // namespace swarm::worker::http
