// The network side of `swarm target`: listening, accepting, TLS, choosing
// the protocol of a connection, and HTTP/1.1 — reading requests with Beast's
// parser and writing `response`s. With h2_server.cpp (HTTP/2 over the same
// streams) the only translation units that include Beast/Asio.
//
// Protocol: a cleartext connection whose first bytes are the HTTP/2 preface
// is h2c (prior knowledge); over TLS, ALPN "h2" (alpn.hpp) is HTTP/2; any
// other connection is HTTP/1.1.
//
// Threads: one io_context per io thread, each run by exactly one thread. One
// acceptor (on thread 0) hands accepted sockets round-robin to the threads'
// contexts, so a connection lives on one thread for its whole life: no strands,
// no locks on the request path except the thread's own, uncontended counters.
// Round-robin also spreads even two connections over two threads, which
// SO_REUSEPORT's hashing does not promise, and needs no port-0 rebinding dance.

#include "target/alpn.hpp"
#include "target/h2_server.hpp"
#include "target/routes.hpp"
#include "target/target.hpp"
#include "target/wire.hpp"
#include "target/ws_session.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <algorithm>
#include <array>
#include <iostream>
#include <optional>
#include <thread>
#include <tuple>
#include <type_traits>
#include <vector>

namespace swarm::target {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

// Deadlines: every wait has one.
constexpr auto idle_timeout = 30s;       // keep-alive connection waiting for a next request
constexpr auto request_timeout = 10s;    // from the first byte to the whole request
constexpr auto write_timeout = 30s;      // writing one response (up to 64 MiB)
constexpr auto handshake_timeout = 10s;  // TLS handshake
constexpr auto shutdown_timeout = 2s;    // TLS close_notify exchange
constexpr auto linger_timeout = 2s;      // draining a rejected request before closing
constexpr std::size_t first_read_size = 4096;
constexpr std::size_t tls_coalesce_limit = 8 * 1024;  // body bytes copied behind the head

// What one io thread owns.
struct io_thread {
    net::io_context ioc{1};
    thread_counters* counters = nullptr;
};

// Per-connection state, reused across the requests of a keep-alive connection.
struct connection {
    connection(site& s, thread_counters& c, const net::any_io_executor& ex)
        : site_(s), counters_(c), timer_(ex) {}

    site& site_;
    thread_counters& counters_;
    net::steady_timer timer_;  // /slow
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    request request_;
    response response_;
    std::string head_;
};

bool is_parse_error(const beast::error_code& ec) {
    return ec.category() == http::make_error_code(http::error::bad_method).category() &&
           ec != http::error::end_of_stream && ec != http::error::partial_message;
}

int status_for_parse_error(const beast::error_code& ec) {
    if (ec == http::error::header_limit) return 431;
    if (ec == http::error::body_limit) return 413;
    return 400;
}

void fill_request(const http::request<http::string_body>& msg, request& req) {
    req.method = msg.method_string();
    req.target = msg.target();
    const auto q = req.target.find('?');
    req.path = req.target.substr(0, q);
    req.query = q == std::string_view::npos ? std::string_view() : req.target.substr(q + 1);
    req.body = msg.body();
    req.headers.clear();
    for (const auto& field : msg) req.headers.push_back({field.name_string(), field.value()});
}

// Writes `head` then `body`. Plain TCP: one gather write. TLS: beast's
// flat_stream completes a write short when asio hands it a buffer sequence
// whose first buffer is empty (as happens after a partial write), so TLS gets
// one buffer per write: small bodies are appended to the head (one record),
// large ones follow it in a second write.
template <class Stream>
net::awaitable<bool> write_parts(Stream& stream, std::string& head, std::string_view body) {
    beast::error_code ec;
    std::size_t n = 0;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
        const std::array<net::const_buffer, 2> buffers{net::buffer(head), net::buffer(body)};
        std::tie(ec, n) = co_await net::async_write(stream, buffers, use_tuple);
        co_return !ec;
    } else {
        if (body.size() <= tls_coalesce_limit) {
            head.append(body);
            body = {};
        }
        if (!head.empty()) {
            std::tie(ec, n) = co_await net::async_write(stream, net::buffer(head), use_tuple);
            if (ec) co_return false;
        }
        if (!body.empty()) {
            std::tie(ec, n) = co_await net::async_write(stream, net::buffer(body), use_tuple);
        }
        co_return !ec;
    }
}

template <class Stream>
net::awaitable<bool> write_response(Stream& stream, connection& c, connection_mode mode,
                                    bool head_only) {
    const response& res = c.response_;
    c.head_.clear();
    render_head(res, mode, c.head_);
    beast::get_lowest_layer(stream).expires_after(write_timeout);
    const bool bodyless = head_only || res.status < 200 || res.status == 204 || res.status == 304;
    if (bodyless || res.filler_bytes == 0) {
        const std::string_view body = bodyless ? std::string_view() : res.body_view();
        co_return co_await write_parts(stream, c.head_, body);
    }
    // /bytes/N: the head, then the pattern chunk repeated, never N bytes in memory.
    for (std::uint64_t left = res.filler_bytes; left > 0;) {
        const auto n =
            static_cast<std::size_t>(std::min<std::uint64_t>(left, filler_pattern().size()));
        const bool written =
            co_await write_parts(stream, c.head_, std::string_view(filler_pattern()).substr(0, n));
        if (!written) co_return false;
        c.head_.clear();
        left -= n;
    }
    co_return true;
}

// Lingering close after an error answer: closing with unread input makes the
// kernel send RST, which can destroy the answer before the client reads it.
// So stop sending, then read and drop what is left, for a bounded time.
template <class Stream>
net::awaitable<void> drain(Stream& stream) {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream.expires_after(linger_timeout);
        std::array<char, 4096> scratch;
        for (std::uint64_t dropped = 0; dropped <= site::body_limit;) {
            auto [ec, n] = co_await stream.async_read_some(net::buffer(scratch), use_tuple);
            if (ec) break;
            dropped += n;
        }
    }
}

// Answers a request that could not be parsed, then the caller closes.
template <class Stream>
net::awaitable<void> reject(Stream& stream, connection& c, const beast::error_code& ec) {
    c.response_.reset();
    c.response_.status = status_for_parse_error(ec);
    c.response_.content_type = "text/plain; charset=utf-8";
    c.response_.body = std::string(reason_phrase(c.response_.status)) + "\n";
    const auto& parser = *c.parser_;
    // The start line is parsed before the body limit can trip (the header may
    // not be marked done: Content-Length is checked while finishing it).
    if (ec == http::error::body_limit) {
        const auto& msg = parser.get();
        const std::string_view target = msg.target();
        c.counters_.record(msg.method_string(), target.substr(0, target.find('?')),
                           c.response_.status, http_protocol::h1);
    } else {
        c.counters_.record_malformed();
    }
    const bool written = co_await write_response(stream, c, connection_mode::close, false);
    if (written) co_await drain(stream);
}

// Feeds the bytes already buffered to the parser, without an async operation:
// with keep-alive the whole request usually arrives in the first read.
// http::error::need_more when the request is not complete yet.
beast::error_code parse_buffered(connection& c) {
    auto& parser = *c.parser_;
    beast::error_code ec;
    while (!parser.is_done()) {
        if (c.buffer_.size() == 0) return http::error::need_more;
        const std::size_t used = parser.put(c.buffer_.data(), ec);
        c.buffer_.consume(used);
        if (ec) return ec;
        if (used == 0) return http::error::need_more;
    }
    return ec;
}

// Reads the next request into c.parser_. False when the connection should end
// quietly (peer closed, idle, timeout) or after a parse error was answered.
template <class Stream>
net::awaitable<bool> read_request(Stream& stream, connection& c) {
    auto& parser = c.parser_.emplace();
    parser.header_limit(site::header_limit);
    parser.body_limit(site::body_limit);
    beast::error_code ec;
    std::size_t n = 0;
    if (c.buffer_.size() == 0) {
        // Idle keep-alive wait: a long deadline until the first byte arrives...
        beast::get_lowest_layer(stream).expires_after(idle_timeout);
        std::tie(ec, n) =
            co_await stream.async_read_some(c.buffer_.prepare(first_read_size), use_tuple);
        if (ec) co_return false;
        c.buffer_.commit(n);
    }
    ec = parse_buffered(c);
    if (ec == http::error::need_more && parser.is_header_done() &&
        beast::iequals(parser.get()[http::field::expect], "100-continue")) {
        // The client waits for this before it sends the body (curl: for 1 s).
        static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
        beast::get_lowest_layer(stream).expires_after(write_timeout);
        std::tie(ec, n) = co_await net::async_write(stream, net::buffer(go_on), use_tuple);
        if (ec) co_return false;
        ec = http::error::need_more;
    }
    if (ec == http::error::need_more) {
        // ...then a short one for the rest, so a slow-drip client is cut off.
        beast::get_lowest_layer(stream).expires_after(request_timeout);
        std::tie(ec, n) = co_await http::async_read(stream, c.buffer_, parser, use_tuple);
    }
    if (!ec) co_return true;
    if (is_parse_error(ec)) co_await reject(stream, c, ec);
    co_return false;
}

// Answers one parsed request. False when the connection should close after it.
template <class Stream>
net::awaitable<bool> answer(Stream& stream, connection& c) {
    const auto& msg = c.parser_->get();
    fill_request(msg, c.request_);
    c.response_.reset();
    const arrival_time arrived = arrival_time::now();
    try {
        c.site_.handle(c.request_, c.response_);
    } catch (const std::exception& e) {
        c.response_.reset();
        c.response_.status = 500;
        c.response_.content_type = "text/plain; charset=utf-8";
        c.response_.body = std::string("internal error: ") + e.what() + "\n";
    }
    // The arrival is when the request was read, not when a delayed answer left.
    if (c.response_.counted) c.counters_.record_arrival(arrived);
    if (c.response_.delay.count() > 0) {
        c.timer_.expires_after(c.response_.delay);
        auto [ec] = co_await c.timer_.async_wait(use_tuple);
        if (ec) co_return false;
    }
    if (c.response_.counted) {
        // Counted before the write: a client that has its answer and then asks
        // /__stats (on any connection) must see it.
        c.counters_.record(c.request_.method, c.request_.path, c.response_.status,
                           http_protocol::h1);
    }
    const bool keep_alive = msg.keep_alive() && !c.response_.close;
    const auto mode = !keep_alive           ? connection_mode::close
                      : msg.version() == 10 ? connection_mode::keep_alive_http10
                                            : connection_mode::keep_alive;
    const bool written = co_await write_response(stream, c, mode, msg.method() == http::verb::head);
    const bool next = written && keep_alive;
    co_return next;
}

// A WebSocket upgrade to /ws/echo or /ws/chat: counted as its request
// ("GET /ws/echo" 101), then the connection belongs to ws_session.cpp.
bool is_ws_upgrade(const connection& c) {
    const auto& msg = c.parser_->get();
    const std::string_view target = msg.target();
    return beast::websocket::is_upgrade(msg) && is_ws_endpoint(target.substr(0, target.find('?')));
}

// One template over the stream type serves plain TCP and TLS. False when
// the stream was handed to a WebSocket (moved from: not to be touched).
template <class Stream>
net::awaitable<bool> serve(Stream& stream, connection& c) {
    // No co_await inside a loop condition: gcc 12 miscompiles that (SIGILL).
    for (;;) {
        const bool have_request = co_await read_request(stream, c);
        if (!have_request) break;
        if (is_ws_upgrade(c)) {
            const std::string_view target = c.parser_->get().target();
            c.counters_.record_arrival(arrival_time::now());
            c.counters_.record("GET", target.substr(0, target.find('?')), 101, http_protocol::h1);
            co_await serve_websocket(std::move(stream), c.parser_->release(), c.site_);
            co_return false;
        }
        const bool keep_going = co_await answer(stream, c);
        if (!keep_going) break;
    }
    co_return true;
}

enum class first_bytes { h1, h2, none };

// Reads until the first bytes tell the HTTP/2 preface (h2c with prior
// knowledge) from anything else; `none` when the client left or stayed silent
// first. What was read stays in `buffer` for the protocol's reader.
net::awaitable<first_bytes> sniff(beast::tcp_stream& stream, beast::flat_buffer& buffer) {
    for (;;) {
        const std::string_view got(static_cast<const char*>(buffer.data().data()), buffer.size());
        const std::size_t n = std::min(got.size(), h2_preface.size());
        if (got.substr(0, n) != h2_preface.substr(0, n)) co_return first_bytes::h1;
        if (n == h2_preface.size()) co_return first_bytes::h2;
        stream.expires_after(idle_timeout);
        auto [ec, read] =
            co_await stream.async_read_some(buffer.prepare(first_read_size), use_tuple);
        if (ec) co_return first_bytes::none;
        buffer.commit(read);
    }
}

net::awaitable<void> run_plain(tcp::socket socket, site& s, thread_counters& counters) {
    beast::tcp_stream stream(std::move(socket));
    connection c(s, counters, stream.get_executor());
    const first_bytes protocol = co_await sniff(stream, c.buffer_);
    if (protocol == first_bytes::h2) {
        const std::string_view preface(static_cast<const char*>(c.buffer_.data().data()),
                                       c.buffer_.size());
        co_await serve_h2(stream, preface, s, counters);
    } else if (protocol == first_bytes::h1) {
        if (!co_await serve(stream, c)) co_return;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

net::awaitable<void> run_tls(tcp::socket socket, site& s, thread_counters& counters,
                             ssl::context& tls) {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), tls);
    beast::get_lowest_layer(stream).expires_after(handshake_timeout);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
    if (ec) co_return;
    if (negotiated_h2(stream.native_handle())) {
        co_await serve_h2(stream, s, counters);
    } else {
        connection c(s, counters, stream.get_executor());
        if (!co_await serve(stream, c)) co_return;
    }
    beast::get_lowest_layer(stream).expires_after(shutdown_timeout);
    co_await stream.async_shutdown(use_tuple);
}

// A connection's completion handler: what ended it early, if anything, goes to `log`.
auto log_failure(const log::logger& log) {
    return [&log](const std::exception_ptr& e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            log.error(std::string("connection failed: ") + ex.what());
        }
    };
}

net::awaitable<void> accept_loop(tcp::acceptor& acceptor,
                                 std::vector<std::unique_ptr<io_thread>>& threads, site& s,
                                 ssl::context* tls, const log::logger& log) {
    net::steady_timer backoff(acceptor.get_executor());
    for (std::size_t next = 0;; ++next) {
        io_thread& t = *threads[next % threads.size()];
        auto [ec, socket] = co_await acceptor.async_accept(t.ioc, use_tuple);
        if (ec == net::error::operation_aborted) co_return;
        if (ec) {
            // Out of file descriptors and the like: wait instead of spinning.
            log.error("accept: " + ec.message());
            backoff.expires_after(100ms);
            co_await backoff.async_wait(use_tuple);
            continue;
        }
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        if (tls) {
            net::co_spawn(t.ioc, run_tls(std::move(socket), s, *t.counters, *tls),
                          log_failure(log));
        } else {
            net::co_spawn(t.ioc, run_plain(std::move(socket), s, *t.counters), log_failure(log));
        }
    }
}

// "host:port" or "[v6]:port" → endpoint; throws with a clear message.
tcp::endpoint resolve_listen(net::io_context& ioc, const std::string& listen) {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error("--listen must be HOST:PORT");
    std::string host = listen.substr(0, colon);
    const std::string port = listen.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    if (host.empty()) host = "0.0.0.0";
    tcp::resolver resolver(ioc);
    const auto results = resolver.resolve(host, port, tcp::resolver::passive);
    if (results.empty()) throw std::runtime_error("cannot resolve " + listen);
    return results.begin()->endpoint();
}

std::string url_of(const tcp::endpoint& ep, bool tls) {
    const auto address = ep.address();
    const std::string host =
        address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    return std::string(tls ? "https" : "http") + "://" + host + ":" + std::to_string(ep.port());
}

std::unique_ptr<ssl::context> make_tls(const options& opts) {
    if (opts.tls_cert.empty() && opts.tls_key.empty()) return nullptr;
    if (opts.tls_cert.empty() || opts.tls_key.empty()) {
        throw std::runtime_error("--tls-cert and --tls-key go together");
    }
    auto tls = std::make_unique<ssl::context>(ssl::context::tls_server);
    tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    tls->use_certificate_chain_file(opts.tls_cert);
    tls->use_private_key_file(opts.tls_key, ssl::context::pem);
    offer_alpn(tls->native_handle());
    return tls;
}

int serve_until_signal(const options& opts) {
    const unsigned n = std::max(1u, opts.threads);
    // Declared before the contexts so that they outlive every connection.
    site s(n);
    const auto tls = make_tls(opts);
    std::vector<std::unique_ptr<io_thread>> threads;
    for (unsigned i = 0; i < n; ++i) {
        threads.push_back(std::make_unique<io_thread>());
        threads.back()->counters = &s.counters().for_thread(i);
    }
    net::io_context& main_ioc = threads.front()->ioc;
    {
        const tcp::endpoint wanted = resolve_listen(main_ioc, opts.listen);
        tcp::acceptor acceptor(main_ioc);
        acceptor.open(wanted.protocol());
        acceptor.set_option(net::socket_base::reuse_address(true));
        acceptor.bind(wanted);
        acceptor.listen(net::socket_base::max_listen_connections);

        net::signal_set signals(main_ioc, SIGINT, SIGTERM);
        signals.async_wait([&threads, &log = opts.log](const beast::error_code& ec, int sig) {
            if (ec) return;
            log.info(std::string("stopping on ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"));
            for (auto& t : threads) t->ioc.stop();
        });
        // Keep the other contexts running while they have no connection yet.
        std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
        work.reserve(threads.size());
        for (auto& t : threads) work.push_back(net::make_work_guard(t->ioc));

        net::co_spawn(main_ioc, accept_loop(acceptor, threads, s, tls.get(), opts.log),
                      [](const std::exception_ptr& e) {
                          if (e) std::rethrow_exception(e);
                      });
        std::cout << "swarm target listening on "
                  << url_of(acceptor.local_endpoint(), tls != nullptr) << std::endl;
        opts.log.info("serving with " + std::to_string(n) +
                      (n == 1 ? " io thread" : " io threads"));

        std::vector<std::jthread> runners;
        for (unsigned i = 1; i < n; ++i) runners.emplace_back([&t = *threads[i]] { t.ioc.run(); });
        main_ioc.run();
        for (auto& t : threads) t->ioc.stop();
    }  // joins the runners, then closes the acceptor while every context still exists
    // Destroy thread 0's context first: the accept loop's frame may hold a
    // socket that belongs to another thread's context.
    for (auto& t : threads) t.reset();
    return 0;
}

}  // namespace

int run(const options& opts) {
    try {
        return serve_until_signal(opts);
    } catch (const std::exception& e) {
        opts.log.error(e.what());
        return 1;
    }
}

}  // namespace swarm::target
