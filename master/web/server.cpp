// The web server's network side: the only translation unit of master/web that
// includes Beast/Asio (their templates compile once, here). One template over
// the stream type serves plain TCP and TLS, for HTTP and WebSocket alike.
//
// Lifetimes: connection coroutines live in the io_context and use the core by
// raw pointer (the core owns the io_context, so it outlives them). Replies
// come back from the control thread through a `gate`, which ~server closes
// before the io_context goes: a late reply is dropped, never posted into a
// destroyed context. A waiting connection is reached through a weak_ptr, so a
// reply that outlives its connection touches nothing.

#include "master/web/server.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <list>
#include <mutex>
#include <optional>
#include <thread>

#include "master/web/connection_table.hpp"

namespace swarm::master::web {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr auto read_timeout = 30s;   // idle keep-alive wait plus one request, once authenticated
constexpr auto write_timeout = 30s;  // writing one response
constexpr auto handshake_timeout = 10s;  // the WebSocket handshake
constexpr auto spare_timeout = 1s;       // a probe on a spare slot: connect to request read
constexpr auto reply_timeout =
    10s;  // the control thread answering (api.hpp: start_after_stop_wait below it)
constexpr std::size_t header_limit = 16 * 1024;
constexpr std::size_t ws_read_limit = 4096;  // browsers send us nothing but control frames

// Posts into the server's io_context while it exists.
struct gate {
    std::mutex mutex;
    net::io_context* ioc = nullptr;

    template <class Fn>
    void post(Fn&& fn) {
        std::lock_guard lock(mutex);
        if (ioc) net::post(*ioc, std::forward<Fn>(fn));
    }
};

// A connection waiting for its handler's reply.
struct waiter {
    explicit waiter(const net::any_io_executor& ex) : timer(ex) {}
    net::steady_timer timer;
    std::optional<web_response> response;
};

// The type-independent part of a WebSocket client, which publish() reaches.
struct ws_client {
    explicit ws_client(const net::any_io_executor& ex) : wake(ex) {}
    virtual ~ws_client() = default;
    net::steady_timer wake;                    // cancelled when there is something to send
    std::shared_ptr<const std::string> hello;  // first message, once it comes
    std::shared_ptr<const std::string>
        next;  // newest unsent snapshot (one slot: slow clients skip)
    bool hello_sent = false;
    bool closed = false;
};

}  // namespace

struct server::core {
    server_options opts;
    server::handler handle;
    server::hello_fn hello;
    std::unique_ptr<ssl::context> tls;
    std::shared_ptr<gate> replies = std::make_shared<gate>();
    // Declared before the io_context so that connection frames it destroys
    // can still unregister.
    std::optional<connection_table> connections;  // from opts' caps
    net::io_context ioc{1};
    tcp::acceptor acceptor{ioc};
    std::list<std::weak_ptr<ws_client>> ws_clients;  // server thread only
    std::string url;
    std::thread thread;
};

namespace {

using core = server::core;
using connection_ref = connection_table::ref;

// Unregisters a connection when its coroutine ends (or is destroyed with the
// io_context).
struct registration {
    registration(core& c, connection_ref it) : c(c), it(it) {}
    ~registration() { c.connections->remove(it); }
    registration(const registration&) = delete;
    registration& operator=(const registration&) = delete;
    core& c;
    connection_ref it;
};

// How long a connection may wait for, and read, its next request.
std::chrono::milliseconds request_deadline(const core& c, const connection& conn) {
    if (conn.spare) return spare_timeout;
    return conn.trusted ? std::chrono::milliseconds(read_timeout) : c.opts.head_timeout;
}

bool is_parse_error(const beast::error_code& ec) {
    return ec.category() == http::make_error_code(http::error::bad_method).category() &&
           ec != http::error::end_of_stream && ec != http::error::partial_message;
}

web_response parse_error_response(const beast::error_code& ec) {
    if (ec == http::error::header_limit) return json_error(431, "request header fields too large");
    if (ec == http::error::body_limit) return json_error(413, "request body too large");
    return json_error(400, "malformed request: " + ec.message());
}

template <class Stream>
net::awaitable<bool> write_response(Stream& stream, const web_response& r, unsigned version,
                                    bool keep_alive, bool head_only) {
    http::response<http::string_body> res{static_cast<http::status>(r.status), version};
    res.set(http::field::server, "swarm");
    res.set(http::field::content_type, r.content_type);
    res.set(http::field::cache_control, "no-store");
    res.set("X-Content-Type-Options", "nosniff");
    for (const auto& [name, value] : r.headers) res.set(name, value);
    res.body() = r.body;
    res.keep_alive(keep_alive);
    res.prepare_payload();
    if (head_only) res.body().clear();
    beast::get_lowest_layer(stream).expires_after(write_timeout);
    http::response_serializer<http::string_body> sr{res};
    if (head_only) sr.split(true);
    beast::error_code ec;
    std::size_t n = 0;
    if (head_only) {
        std::tie(ec, n) = co_await http::async_write_header(stream, sr, use_tuple);
    } else {
        std::tie(ec, n) = co_await http::async_write(stream, sr, use_tuple);
    }
    co_return !ec;
}

// Asks the handler and waits (bounded) for its reply.
net::awaitable<web_response> ask(core& c, web_request req) {
    auto w = std::make_shared<waiter>(co_await net::this_coro::executor);
    w->timer.expires_after(reply_timeout);
    std::weak_ptr<waiter> weak = w;
    c.handle(req, [weak, g = c.replies](web_response r) {
        g->post([weak, r = std::move(r)]() mutable {
            if (auto live = weak.lock(); live && !live->response) {
                live->response = std::move(r);
                live->timer.cancel();
            }
        });
    });
    co_await w->timer.async_wait(use_tuple);
    if (!w->response) co_return json_error(503, "the master did not answer in time");
    co_return std::move(*w->response);
}

template <class Stream>
struct ws_session : ws_client {
    ws_session(Stream&& s, const net::any_io_executor& ex) : ws_client(ex), ws(std::move(s)) {}
    websocket::stream<Stream> ws;
};

template <class Stream>
net::awaitable<void> ws_writer(std::shared_ptr<ws_session<Stream>> s) {
    for (;;) {
        if (s->closed) break;
        std::shared_ptr<const std::string> message;
        if (s->hello) {
            message = std::exchange(s->hello, nullptr);
            s->hello_sent = true;
        } else if (s->hello_sent && s->next) {
            message = std::exchange(s->next, nullptr);
        }
        if (!message) {
            s->wake.expires_at(net::steady_timer::time_point::max());
            co_await s->wake.async_wait(use_tuple);
            continue;
        }
        s->ws.text(true);
        auto [ec, n] = co_await s->ws.async_write(net::buffer(*message), use_tuple);
        if (ec) break;
    }
    s->closed = true;
    beast::get_lowest_layer(s->ws).cancel();  // ends the reader's pending read
}

template <class Stream>
net::awaitable<void> ws_reader(std::shared_ptr<ws_session<Stream>> s) {
    beast::flat_buffer buffer;
    for (;;) {
        auto [ec, n] = co_await s->ws.async_read(buffer, use_tuple);
        if (ec) break;
        buffer.consume(buffer.size());
    }
    s->closed = true;
    s->wake.cancel();
}

template <class Stream>
net::awaitable<void> serve_ws(core& c, Stream stream, http::request<http::string_body> req) {
    const auto ex = co_await net::this_coro::executor;
    auto s = std::make_shared<ws_session<Stream>>(std::move(stream), ex);
    beast::get_lowest_layer(s->ws).expires_never();  // the websocket's own timeouts from here on
    websocket::stream_base::timeout t{};
    t.handshake_timeout = handshake_timeout;
    t.idle_timeout = 20s;  // a browser that answers no ping for this long is gone
    t.keep_alive_pings = true;
    s->ws.set_option(t);
    s->ws.read_message_max(ws_read_limit);
    auto [ec] = co_await s->ws.async_accept(req, use_tuple);
    if (ec) co_return;
    c.ws_clients.push_back(s);
    std::weak_ptr<ws_session<Stream>> weak = s;
    c.hello([weak, g = c.replies](std::string text) {
        g->post([weak, t = std::make_shared<const std::string>(std::move(text))] {
            if (auto live = weak.lock()) {
                live->hello = t;
                live->wake.cancel();
            }
        });
    });
    net::co_spawn(ex, ws_writer(s), net::detached);
    co_await ws_reader(s);
}

// Splits the target, strips the base path; nullopt when outside it.
std::optional<web_request> to_web_request(const core& c,
                                          const http::request<http::string_body>& msg) {
    const std::string_view target = msg.target();
    const auto q = target.find('?');
    std::string_view path = target.substr(0, q);
    const auto& base = c.opts.base_path;
    if (!base.empty()) {
        if (path.substr(0, base.size()) != base) return std::nullopt;
        path.remove_prefix(base.size());
        if (!path.empty() && path.front() != '/') return std::nullopt;
    }
    web_request r;
    r.method = msg.method_string();
    r.path = path.empty() ? "/" : std::string(path);
    r.query = q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
    r.content_type = msg[http::field::content_type];
    r.body = msg.body();
    return r;
}

// "/base" (no slash) → a redirect to "/base/": the UI's relative URLs
// (app.js, ws, stats/...) only resolve under the slash. 308 keeps the method.
std::optional<web_response> base_redirect(const core& c, std::string_view target) {
    const auto& base = c.opts.base_path;
    const auto q = target.find('?');
    if (base.empty() || target.substr(0, q) != base) return std::nullopt;
    web_response r = json_error(308, "the UI is at " + base + "/");
    r.headers.emplace_back(
        "Location", base + "/" + std::string(q == std::string_view::npos ? "" : target.substr(q)));
    return r;
}

bool is_probe(const std::string& path) {
    return path == "/healthz" || path == "/readyz";
}

// Reads a request's head and body within `conn`'s deadline; the connection
// may be evicted only while no head has arrived.
template <class Stream>
net::awaitable<beast::error_code> read_request(core& c, Stream& stream, connection& conn,
                                               beast::flat_buffer& buffer,
                                               http::request_parser<http::string_body>& parser) {
    if (conn.evicted) co_return net::error::operation_aborted;
    c.connections->begin_wait(conn);
    beast::get_lowest_layer(stream).expires_after(request_deadline(c, conn));
    auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
    conn.waiting = false;
    if (!ec && conn.evicted) ec = net::error::operation_aborted;  // evicted as the head came
    if (!ec) std::tie(ec, n) = co_await http::async_read(stream, buffer, parser, use_tuple);
    co_return ec;
}

template <class Stream>
net::awaitable<void> serve_http(core& c, Stream& stream, connection& conn) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(header_limit);
        parser.body_limit(c.opts.body_limit);
        const auto ec = co_await read_request(c, stream, conn, buffer, parser);
        if (ec) {
            if (is_parse_error(ec))
                co_await write_response(stream, parse_error_response(ec), 11, false, false);
            break;
        }
        auto msg = parser.release();
        bool keep_alive = msg.keep_alive() && !conn.spare;
        const auto req = to_web_request(c, msg);
        web_response res;
        if (const auto slash = base_redirect(c, msg.target())) {
            res = *slash;
        } else if (!req) {
            res = json_error(404, "not found (the UI is under " + c.opts.base_path + "/)");
        } else if (conn.spare && !is_probe(req->path)) {
            res = json_error(503, "the web UI has too many connections; try again");
        } else if (!is_probe(req->path) && !c.opts.auth.check(msg[http::field::authorization])) {
            res = json_error(401, "authentication required");
            res.headers.emplace_back("WWW-Authenticate",
                                     "Basic realm=\"swarm\", charset=\"UTF-8\"");
        } else if (req->path == "/ws") {
            if (websocket::is_upgrade(msg)) {
                conn.trusted = true;
                conn.stream = nullptr;  // the WebSocket owns the stream from here on
                co_await serve_ws(c, std::move(stream), std::move(msg));
                co_return;
            }
            res = json_error(426, "/ws is a WebSocket");
        } else {
            conn.trusted = conn.trusted || !is_probe(req->path);
            res = co_await ask(c, *req);
        }
        const bool written = co_await write_response(stream, res, msg.version(), keep_alive,
                                                     msg.method() == http::verb::head);
        if (!written || !keep_alive) break;
    }
    beast::error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
}

net::awaitable<void> serve_connection(core& c, tcp::socket socket, connection_ref conn) {
    const registration registered(c, conn);  // outlives the stream, which the entry points to
    if (conn->evicted) co_return;            // before it even started
    if (c.tls) {
        beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *c.tls);
        conn->stream = &beast::get_lowest_layer(stream);
        // The handshake is waiting too: the request's deadline, evictable.
        beast::get_lowest_layer(stream).expires_after(request_deadline(c, *conn));
        auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
        if (ec || conn->evicted) co_return;
        co_await serve_http(c, stream, *conn);
    } else {
        beast::tcp_stream stream(std::move(socket));
        conn->stream = &stream;
        co_await serve_http(c, stream, *conn);
    }
}

net::awaitable<void> accept_loop(core& c) {
    net::steady_timer backoff(c.ioc);
    for (;;) {
        auto [ec, socket] = co_await c.acceptor.async_accept(use_tuple);
        if (ec == net::error::operation_aborted) co_return;
        if (ec) {
            c.opts.log.error("web UI: accept: " + ec.message());
            backoff.expires_after(100ms);
            co_await backoff.async_wait(use_tuple);
            continue;
        }
        beast::error_code peer_ec;
        const auto peer = socket.remote_endpoint(peer_ec);
        if (peer_ec) continue;  // already gone
        const auto conn = c.connections->admit(peer.address());
        if (!conn) continue;  // closed by the socket's destructor
        net::co_spawn(
            c.ioc, serve_connection(c, std::move(socket), *conn),
            [&c](const std::exception_ptr& e) {
                if (!e) return;
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    c.opts.log.error(std::string("web UI: connection failed: ") + ex.what());
                }
            });
    }
}

std::unique_ptr<ssl::context> make_tls(const server_options& opts) {
    if (opts.tls_cert.empty() && opts.tls_key.empty()) return nullptr;
    if (opts.tls_cert.empty() || opts.tls_key.empty())
        throw std::runtime_error("--tls-cert and --tls-key go together");
    auto tls = std::make_unique<ssl::context>(ssl::context::tls_server);
    tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    tls->use_certificate_chain_file(opts.tls_cert, ec);
    if (ec) throw std::runtime_error("--tls-cert " + opts.tls_cert + ": " + ec.message());
    tls->use_private_key_file(opts.tls_key, ssl::context::pem, ec);
    if (ec) throw std::runtime_error("--tls-key " + opts.tls_key + ": " + ec.message());
    return tls;
}

}  // namespace

result<std::string> normalize_base_path(const std::string& text) {
    std::string path = text;
    while (!path.empty() && path.back() == '/') path.pop_back();
    // (A plain `return path;` is ambiguous: swarm::error is constructible from a string too.)
    if (path.empty()) return path;
    if (path.front() != '/') path.insert(path.begin(), '/');
    for (const char ch : path) {
        const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                        (ch >= '0' && ch <= '9') || ch == '/' || ch == '-' || ch == '_' ||
                        ch == '.' || ch == '~';
        if (!ok) {
            return fail("--web-base-path: '" + text + "' holds '" + std::string(1, ch) +
                        "'; use letters, digits, '/', '-', '_', '.', '~'");
        }
    }
    return path;
}

server::server(server_options opts, handler handle, hello_fn hello)
    : core_(std::make_unique<core>()) {
    auto& c = *core_;
    c.opts = std::move(opts);
    c.opts.base_path = normalize_base_path(c.opts.base_path).value();  // throws std::runtime_error
    c.connections.emplace(c.opts.max_connections, c.opts.max_connections_per_address);
    c.handle = std::move(handle);
    c.hello = std::move(hello);
    c.tls = make_tls(c.opts);
    beast::error_code ec;
    const auto address =
        net::ip::make_address(c.opts.host == "localhost" ? "127.0.0.1" : c.opts.host, ec);
    if (ec)
        throw std::runtime_error("--web-host: expected an IP address, got '" + c.opts.host + "'");
    const tcp::endpoint wanted(address, c.opts.port);
    c.acceptor.open(wanted.protocol());
    c.acceptor.set_option(net::socket_base::reuse_address(true));
    c.acceptor.bind(wanted, ec);
    if (ec) {
        throw std::runtime_error("web UI: cannot listen on " + c.opts.host + ":" +
                                 std::to_string(c.opts.port) + ": " + ec.message());
    }
    c.acceptor.listen(net::socket_base::max_listen_connections);
    const auto bound = c.acceptor.local_endpoint();
    const auto a = bound.address();
    c.url = std::string(c.tls ? "https" : "http") + "://" +
            (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" +
            std::to_string(bound.port()) + c.opts.base_path + "/";
    c.replies->ioc = &c.ioc;
    net::co_spawn(c.ioc, accept_loop(c), net::detached);
    c.thread = std::thread([&c] {
        try {
            c.ioc.run();
        } catch (const std::exception& e) {
            c.opts.log.error(std::string("web UI stopped: ") + e.what());
        }
    });
}

server::~server() {
    {
        std::lock_guard lock(core_->replies->mutex);
        core_->replies->ioc = nullptr;
    }
    core_->ioc.stop();
    if (core_->thread.joinable()) core_->thread.join();
}

std::string server::url() const {
    return core_->url;
}

void server::publish(std::shared_ptr<const std::string> snapshot) {
    core_->replies->post([c = core_.get(), snapshot = std::move(snapshot)] {
        for (auto it = c->ws_clients.begin(); it != c->ws_clients.end();) {
            if (auto s = it->lock(); s && !s->closed) {
                s->next = snapshot;
                s->wake.cancel();
                ++it;
            } else {
                it = c->ws_clients.erase(it);
            }
        }
    });
}

}  // namespace swarm::master::web
