// The only translation unit of the client that includes Beast and Asio's
// sockets (besides the tests), so their templates compile once.

#include "worker/http/client.hpp"
#include "worker/http/format.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <optional>
#include <variant>

#include "common/ascii.hpp"
#include "worker/http/decode.hpp"
#include "worker/http/exchange.hpp"
#include "worker/http/tls.hpp"
#include "worker/http/url.hpp"
#include "worker/http/ws_upgrade.hpp"

namespace swarm::worker::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;
using error_code = boost::system::error_code;
// A plain socket, not beast::tcp_stream: that one keeps 536 bytes and three
// timers per connection and arms a timer on every read and write. The
// deadline is the send's own (client::in_flight below). The TLS stream (two
// 17 KiB buffers) is on the heap so a plain connection does not pay for its size.
using tls_stream = net::ssl::stream<tcp::socket>;

struct client::connection {
    std::string origin;                    // "https://host:port"
    std::vector<tcp::endpoint> endpoints;  // the DNS answer, cached for reconnects
    // monostate: not connected
    std::variant<std::monostate, tcp::socket, std::unique_ptr<tls_stream>> stream;
    std::uint32_t responses = 0;  // answered on this stream; > 0 means a reused connection

    tcp::socket* lowest() {
        if (auto* s = std::get_if<tcp::socket>(&stream)) return s;
        if (auto* s = std::get_if<std::unique_ptr<tls_stream>>(&stream)) return &(*s)->next_layer();
        return nullptr;
    }
    tls_stream* secure() {
        auto* s = std::get_if<std::unique_ptr<tls_stream>>(&stream);
        return s ? s->get() : nullptr;
    }
    // Only when no operation is pending on the stream (the send coroutine's own calls).
    void reset() {
        if (auto* low = lowest()) {
            error_code ignored;
            low->close(ignored);
        }
        stream.emplace<std::monostate>();
        responses = 0;
    }
};

namespace {

constexpr int max_redirects = 10;
constexpr std::size_t max_origins = 8;  // keep-alive connections per user
constexpr auto as_value = net::as_tuple(net::use_awaitable);

// What a step of a send gives: nothing, or how the send failed.
using step_result = swarm::result<void, error>;

bool same_category(const error_code& ec, bhttp::error sample) {
    return ec.category() == bhttp::make_error_code(sample).category();
}

// Failures where a reused keep-alive connection turned out to be closed by the server.
bool is_stale_connection(const error_code& ec) {
    return ec == net::error::eof || ec == bhttp::error::end_of_stream ||
           ec == net::error::connection_reset || ec == net::error::broken_pipe ||
           ec == net::error::connection_aborted || ec == net::ssl::error::stream_truncated;
}

// RFC 9110 §9.2.2: a request that may be sent twice with the effect of once.
// Only these are re-sent on a fresh connection when a reused one was closed
// under them: the server may have acted on the first copy.
bool is_idempotent(scenario::http_method m) {
    using scenario::http_method;
    return m != http_method::post && m != http_method::patch;
}

// An idle keep-alive connection the server has closed (EOF), broken (an
// error) or written to unasked (a close_notify, garbage) is readable: one
// non-blocking peek tells, before a request that must not be re-sent goes
// out on it.
bool idle_connection_is_stale(tcp::socket& socket) {
    char byte = 0;
    const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
}

// How an exchange failed, from Asio's and Beast's codes.
error exchange_error(const error_code& ec, std::uint64_t max_body_bytes) {
    if (ec == net::error::connection_refused) return error{errc::refused};
    if (ec == net::error::connection_reset || ec == net::error::broken_pipe ||
        ec == net::error::connection_aborted) {
        return error{errc::reset};
    }
    if (ec == bhttp::error::header_limit) return error{errc::header_too_large};
    if (ec == bhttp::error::body_limit) {
        return error{errc::body_too_large, format_bytes(max_body_bytes)};
    }
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
        ec == net::error::eof || ec == net::ssl::error::stream_truncated) {
        return error{errc::closed};
    }
    if (ec == net::error::operation_aborted) return error{errc::cancelled};
    if (same_category(ec, bhttp::error::bad_version)) return error{errc::malformed, ec.message()};
    return error{errc::io, ec.message()};
}

// A socket that could not be made: out of file descriptors is the usual
// cause (a user per connection), and the fix is the user's to make.
error open_error(const error_code& ec) {
    if (ec == net::error::no_descriptors) return error{errc::no_descriptors};
    return error{errc::no_socket, ec.message()};
}

// What one hop of a send sends; redirects change it.
struct hop_request {
    std::string_view url;  // the caller's URL, or the send's copy of a redirect target
    scenario::http_method method;
    const std::string* body;    // the caller's body, or `no_body` after a 303
    bool cross_origin = false;  // a redirect left the first origin: drop credentials
};

const std::string no_body;

void append_field(std::string& out, std::string_view name, std::string_view value) {
    out.append(name);
    out += ": ";
    out.append(value);
    out += "\r\n";
}

// The request of one hop as bytes, the way Beast's serializer wrote it:
// request line; Host, User-Agent and Accept-Encoding (a user header of that
// name replaces ours); the user's other headers in order; one Cookie header;
// Content-Length when there is a body or the method is POST or PUT (Beast's
// prepare_payload). Formatting it here costs one string where Beast's
// fields and serializer took an allocation per field and many buffer views.
void format_request(const hop_request& hop, const target_url& t, const header_list& user_headers,
                    const client_options& opts, cookie_jar& jar, std::string& out) {
    std::string_view host_name = "Host", host = t.host_header;
    std::string_view agent_name = "User-Agent", agent = opts.user_agent;
    std::string_view encoding_name = "Accept-Encoding", encoding = "gzip";
    std::string cookies = jar.header_for({t.host, t.path, t.tls});
    const bool body_dropped = hop.body == &no_body;
    std::size_t user_bytes = 0;
    for (const auto& [name, value] : user_headers) {
        user_bytes += name.size() + value.size() + 4;
        if (iequals(name, "Cookie")) {
            // One Cookie header (RFC 6265 §5.4): the user's first, then the jar's.
            if (!hop.cross_origin) cookies = cookies.empty() ? value : value + "; " + cookies;
        } else if (iequals(name, "Host")) {
            host_name = name;
            host = value;
        } else if (iequals(name, "User-Agent")) {
            agent_name = name;
            agent = value;
        } else if (iequals(name, "Accept-Encoding")) {
            encoding_name = name;
            encoding = value;
        }
    }
    const std::string_view method = scenario::to_string(hop.method);
    out.clear();
    out.reserve(method.size() + t.target.size() + host.size() + agent.size() + cookies.size() +
                user_bytes + hop.body->size() + 128);
    out.append(method);
    out += ' ';
    out.append(t.target);
    out += " HTTP/1.1\r\n";
    append_field(out, host_name, host);
    append_field(out, agent_name, agent);
    append_field(out, encoding_name, encoding);
    for (const auto& [name, value] : user_headers) {
        if (iequals(name, "Cookie") || iequals(name, "Host") || iequals(name, "User-Agent") ||
            iequals(name, "Accept-Encoding") || iequals(name, "Content-Length") ||
            iequals(name, "Transfer-Encoding") ||
            (hop.cross_origin && iequals(name, "Authorization")) ||
            (body_dropped && iequals(name, "Content-Type"))) {
            continue;  // framing is ours; credentials do not follow a redirect elsewhere
        }
        append_field(out, name, value);
    }
    if (!cookies.empty()) append_field(out, "Cookie", cookies);
    if (!hop.body->empty() || hop.method == scenario::http_method::post ||
        hop.method == scenario::http_method::put) {
        append_field(out, "Content-Length", std::to_string(hop.body->size()));
    }
    out += "\r\n";
    out.append(*hop.body);
}

// Decodes the body into out.body (moved, not copied, when not encoded);
// `max_body_bytes` bounds the decoded size too.
step_result decode_into(received_response& msg, std::uint64_t max_body_bytes, response& out) {
    out.wire_bytes = msg.body_bytes;
    if (msg.discard_body) return {};  // nothing kept, nothing to decode
    const auto encoding = msg.field("Content-Encoding");
    const bool gzip = iequals(encoding, "gzip") || iequals(encoding, "x-gzip");
    if (!gzip && !iequals(encoding, "deflate")) {
        out.body = std::move(msg.body);
        return {};
    }
    switch (inflate_body(msg.body, gzip, max_body_bytes, out.body)) {
        case decode_result::ok:
            return {};
        case decode_result::too_large:
            return error{errc::decoded_too_large, format_bytes(max_body_bytes)};
        case decode_result::corrupt:
            break;
    }
    return error{errc::malformed, std::string("corrupt ") + (gzip ? "gzip" : "deflate") + " body"};
}

}  // namespace

// One send in progress: its deadline, the connection it is using, and the
// operations of the exchange (resolve, connect, write and read, and ending
// whatever is pending when the deadline passes or close() is called).
//
// It lives in client::send's coroutine frame, and the client points at it
// while it does (pending_). There is one timer: when it expires it closes
// the socket of the connection in use (and cancels a DNS lookup), so
// whatever operation is pending there ends at once with an error the send
// reports as a timeout. An idle connection holds no timer, and a send costs
// one timer wait, where beast::tcp_stream armed and cancelled a timer
// around every read and write.
class client::in_flight {
  public:
    in_flight(client& c, std::chrono::microseconds timeout)
        : c_(c),
          start_(steady::now()),
          deadline_(start_ + std::chrono::duration_cast<steady::duration>(timeout)),
          timeout_(timeout),
          timer_(c.ex_) {
        c_.pending_ = this;
        arm(deadline_);
    }
    ~in_flight() { c_.pending_ = nullptr; }
    in_flight(const in_flight&) = delete;
    in_flight& operator=(const in_flight&) = delete;

    steady::time_point start() const { return start_; }
    steady::time_point deadline() const { return deadline_; }
    std::chrono::microseconds timeout() const { return timeout_; }

    // Connects `conn` (not one of the client's) for a WebSocket: DNS, TCP, TLS.
    net::awaitable<step_result> open(connection& conn, const target_url& t) {
        conn_ = &conn;
        auto out = co_await connect(conn, t);
        co_return out;
    }

    // One request and its response on the origin's keep-alive connection.
    // When a reused connection turns out to be closed before any byte of the
    // response, an idempotent request is sent once more on a new connection;
    // any other fails (errc::closed_not_retried). `wire` is the request as
    // bytes.
    net::awaitable<step_result> round_trip(const target_url& t, std::string_view wire,
                                           scenario::http_method method, exchange_limits limits,
                                           exchange_outcome& out);

    // close(): ends the pending operation now; the send reports errc::cancelled.
    void cancel() {
        cancelled_ = true;
        interrupt();
    }
    // The connection the send is using, if any (close() keeps it for the send to free).
    const connection* in_use() const { return conn_; }

    // Turns the deadline off at the end of the send. True when no timer
    // handler can touch this object any more; false when an expiry is
    // already queued, and then drain() must run before the frame ends.
    bool settle() {
        // The send is done with its connection: a close() from now on (while
        // drain() waits) frees it rather than keeping a socket it closed.
        conn_ = nullptr;
        ++armed_;  // an expiry already queued is stale: the connection stays open
        live_waits_ -= static_cast<std::uint32_t>(timer_.cancel());
        return live_waits_ == 0;
    }
    net::awaitable<void> drain() {
        while (live_waits_ > 0) co_await net::post(c_.ex_, net::use_awaitable);
    }

  private:
    net::awaitable<step_result> connect(connection& conn, const target_url& t);
    net::awaitable<step_result> resolve(connection& conn, const target_url& t);
    connection& connection_for(const std::string& origin);

    // Sets (or moves) the deadline to `at`.
    void arm(steady::time_point at) {
        live_waits_ -= static_cast<std::uint32_t>(timer_.expires_at(at));
        expired_ = false;
        ++live_waits_;
        timer_.async_wait([this, n = ++armed_](const error_code& ec) {
            // A cancelled wait ends with an error, possibly after the send
            // (and this object) is gone: it must not touch `this`. One that
            // expired may already be queued when the send ends; settle()
            // and drain() keep the object until it has run.
            if (ec) return;
            --live_waits_;
            if (n != armed_) return;  // the deadline has moved since
            expired_ = true;
            interrupt();
        });
    }
    // Ends the operation pending on the connection in use, or the DNS lookup.
    void interrupt() {
        if (auto* socket = conn_ ? conn_->lowest() : nullptr) {
            error_code ignored;
            socket->close(ignored);
        }
        if (resolver_) resolver_->cancel();
    }
    error timed_out() const { return error{errc::timeout, format_duration(timeout_)}; }

    client& c_;
    const steady::time_point start_;
    const steady::time_point deadline_;  // of the whole send, redirects included
    const std::chrono::microseconds timeout_;
    net::steady_timer timer_;
    connection* conn_ = nullptr;         // in use (the client owns it)
    tcp::resolver* resolver_ = nullptr;  // while resolve() waits for DNS (in its frame)
    std::uint32_t armed_ = 0;       // bumped by arm(): an expiry queued for an older one is stale
    std::uint32_t live_waits_ = 0;  // timer waits that may still end without error (and touch this)
    bool expired_ = false;          // the armed time passed: the failure at hand is a timeout
    bool cancelled_ = false;        // close() was called
};

client::connection& client::in_flight::connection_for(const std::string& origin) {
    auto& list = c_.connections_;
    auto it = std::find_if(list.begin(), list.end(),
                           [&](const auto& conn) { return conn->origin == origin; });
    if (it == list.end()) {
        if (list.size() >= max_origins) list.pop_back();  // least recently used
        auto conn = std::make_unique<connection>();
        conn->origin = origin;
        list.insert(list.begin(), std::move(conn));
    } else {
        std::rotate(list.begin(), it, it + 1);
    }
    return *list.front();
}

// Fills conn.endpoints (IP literals skip the resolver).
net::awaitable<step_result> client::in_flight::resolve(connection& conn, const target_url& t) {
    error_code parse_ec;
    const auto address = net::ip::make_address(t.host, parse_ec);
    if (!parse_ec) {
        conn.endpoints.assign(1, tcp::endpoint(address, t.port));
        co_return step_result();
    }
    tcp::resolver resolver(c_.ex_);
    struct forget_on_exit {
        tcp::resolver*& pointer;
        ~forget_on_exit() { pointer = nullptr; }
    } forget{resolver_};  // also when async_resolve throws (no memory)
    resolver_ = &resolver;
    const auto [ec, results] =
        co_await resolver.async_resolve(t.host, std::to_string(t.port), as_value);
    // Also when the answer came anyway: nothing would bound the connect.
    if (expired_) co_return timed_out();
    if (ec == net::error::operation_aborted) co_return error{errc::cancelled};
    if (ec) co_return error{errc::dns, t.host + ": " + ec.message()};
    conn.endpoints.clear();
    for (const auto& entry : results) conn.endpoints.push_back(entry.endpoint());
    if (conn.endpoints.empty()) co_return error{errc::dns, t.host + ": no addresses"};
    co_return step_result();
}

// Connects (and handshakes) conn under min(deadline, now + connect_timeout).
net::awaitable<step_result> client::in_flight::connect(connection& conn, const target_url& t) {
    const client_options& opts = *c_.opts_;
    if (conn.endpoints.empty()) {
        auto resolved = co_await resolve(conn, t);
        if (!resolved) co_return resolved;
        // close() after the answer was queued: the lookup ended without error.
        if (cancelled_) co_return error{errc::cancelled};
    }
    const auto connect_deadline =
        std::min(deadline_, steady::now() +
                                std::chrono::duration_cast<steady::duration>(opts.connect_timeout));
    const bool own_deadline = connect_deadline < deadline_;
    if (t.tls) {
        if (!c_.tls_) c_.tls_ = opts.tls;
        if (!c_.tls_ && opts.make_tls) c_.tls_ = opts.make_tls();
        if (!c_.tls_) c_.tls_ = make_tls_context();
        conn.stream.emplace<std::unique_ptr<tls_stream>>(
            std::make_unique<tls_stream>(c_.ex_, *c_.tls_));
    } else {
        conn.stream.emplace<tcp::socket>(c_.ex_);
    }
    // Opened here, not by async_connect: when no descriptor is left it
    // reports "operation aborted" for every address and hides the cause.
    error_code open_ec;
    conn.lowest()->open(conn.endpoints.front().protocol(), open_ec);
    if (open_ec) {
        conn.reset();
        co_return open_error(open_ec);
    }
    if (own_deadline) arm(connect_deadline);
    const auto [ec, endpoint] =
        co_await net::async_connect(*conn.lowest(), conn.endpoints, as_value);
    if (ec) {
        conn.reset();
        // A changed address (or none left) is looked up again next time.
        if (ec != net::error::connection_refused) conn.endpoints.clear();
        if (expired_) co_return own_deadline ? error{errc::connect_timeout} : timed_out();
        co_return exchange_error(ec, opts.max_body_bytes);
    }
    if (cancelled_) {  // close() after the connect completed
        conn.reset();
        co_return error{errc::cancelled};
    }
    ++c_.connects_;
    error_code ignored;
    conn.lowest()->set_option(tcp::no_delay(true), ignored);
    if (tls_stream* secure = conn.secure()) {
        SSL* ssl = secure->native_handle();
        // SNI is for names only (RFC 6066 forbids IP literals).
        error_code not_an_address;
        net::ip::make_address(t.host, not_an_address);
        if (not_an_address) SSL_set_tlsext_host_name(ssl, t.host.c_str());
        if (tls::verifies_peer(ssl)) tls::expect_peer_name(ssl, t.host);
        tls::offer_session(ssl, conn.origin);
        const auto [hs_ec] =
            co_await secure->async_handshake(net::ssl::stream_base::client, as_value);
        if (hs_ec) {
            error failed = !expired_ ? error{errc::tls, tls::handshake_error(ssl, hs_ec, t.host)}
                           : own_deadline ? error{errc::handshake_timeout}
                                          : timed_out();
            conn.reset();
            co_return failed;
        }
    }
    if (own_deadline) arm(deadline_);  // back to the request's
    co_return step_result();
}

net::awaitable<step_result> client::in_flight::round_trip(const target_url& t,
                                                          std::string_view wire,
                                                          scenario::http_method method,
                                                          exchange_limits limits,
                                                          exchange_outcome& out) {
    connection& conn = connection_for(t.origin);
    conn_ = &conn;
    const bool head = method == scenario::http_method::head;
    const bool idempotent = is_idempotent(method);
    // Not re-sent if lost: not sent on a connection already known to be closed.
    if (!idempotent && conn.responses > 0 && conn.lowest() &&
        idle_connection_is_stale(*conn.lowest())) {
        conn.reset();
    }
    for (int attempt = 0;; ++attempt) {
        if (cancelled_) co_return error{errc::cancelled};  // close() between two hops
        if (!conn.lowest()) {
            auto connected = co_await connect(conn, t);
            if (cancelled_) {
                conn.reset();
                co_return error{errc::cancelled};
            }
            if (!connected) co_return connected;
        }
        const bool reused = conn.responses > 0;
        // Dispatched here rather than in a helper coroutine: one frame less per request.
        if (tls_stream* secure = conn.secure()) {
            out = co_await exchange(*secure, wire, head, limits);
        } else {
            out = co_await exchange(std::get<tcp::socket>(conn.stream), wire, head, limits);
        }
        if (cancelled_) {
            conn.reset();
            co_return error{errc::cancelled};
        }
        if (!out.ec) {
            ++conn.responses;
            if (tls_stream* secure = conn.secure()) {
                tls::remember_session(secure->native_handle(), conn.origin);
            }
            if (!out.keep_alive) conn.reset();
            co_return step_result();
        }
        conn.reset();
        if (expired_) co_return timed_out();
        if (reused && !out.received_any && is_stale_connection(out.ec)) {
            if (attempt == 0 && idempotent) continue;
            if (!idempotent) {
                co_return error{errc::closed_not_retried, std::string(scenario::to_string(method))};
            }
        }
        co_return exchange_error(out.ec, limits.body_bytes);
    }
}

client::client(boost::asio::any_io_executor ex, std::shared_ptr<const client_options> opts)
    : ex_(std::move(ex)), opts_(std::move(opts)) {}

client::client(boost::asio::any_io_executor ex, const client_options& opts)
    : client(std::move(ex), std::make_shared<const client_options>(opts)) {}

client::~client() = default;

// The whole send in this one frame (redirects are a loop, not calls).
net::awaitable<send_result> client::send(const request& req) {
    in_flight flight(*this, req.timeout.count() > 0 ? req.timeout : opts_->timeout);
    // A discarded body has no size limit unless the request sets one: it costs no memory.
    const std::uint64_t max_body = req.max_body_bytes > 0 ? req.max_body_bytes
                                   : req.discard_body ? std::numeric_limits<std::uint64_t>::max()
                                                      : opts_->max_body_bytes;
    const exchange_limits limits{static_cast<std::uint32_t>(opts_->max_header_bytes), max_body,
                                 req.discard_body};
    response out;
    step_result outcome;
    try {
        hop_request hop{req.url, req.method, &req.body};
        const target_url* first = req.parsed_url.get();  // the first hop's URL
        // Heap, not frame: a frame that holds them costs every request in flight.
        std::unique_ptr<const target_url> parsed_first, parsed_hop;
        std::string redirect_url;  // where hop.url points after a redirect
        std::string wire;          // the request bytes of the current hop
        for (int hops = 0;; ++hops) {
            const target_url* t = hops == 0 ? first : nullptr;
            if (!t) {
                auto parsed = parse_target_url(hop.url);
                if (!parsed) {
                    outcome = parsed.error();
                    break;
                }
                auto& slot = hops == 0 ? parsed_first : parsed_hop;
                slot = std::make_unique<const target_url>(std::move(*parsed));
                t = slot.get();
                if (hops == 0) first = t;
            }
            hop.cross_origin = t->origin != first->origin;
            format_request(hop, *t, req.headers, *opts_, jar_, wire);
            exchange_outcome exchanged;
            outcome = co_await flight.round_trip(*t, wire, hop.method, limits, exchanged);
            if (!outcome) break;
            out.latency = std::chrono::duration_cast<std::chrono::microseconds>(steady::now() -
                                                                                flight.start());
            out.url.assign(hop.url);
            auto& msg = exchanged.message;
            for (const auto& [name, value] : msg.headers) {
                if (iequals(name, "Set-Cookie")) jar_.set(value, {t->host, t->path, t->tls});
            }
            out.status = msg.status;
            const auto location = msg.field("Location");
            if (req.follow_redirects && is_redirect(out.status) && !location.empty()) {
                if (hops == max_redirects) {
                    outcome = error{errc::too_many_redirects, std::to_string(max_redirects)};
                    break;
                }
                auto next = resolve_location(hop.url, location);
                if (!next) {
                    outcome = error{errc::bad_redirect, std::string(location)};
                    break;
                }
                if (redirect_becomes_get(out.status, hop.method)) {
                    hop.method = scenario::http_method::get;
                    hop.body = &no_body;
                }
                redirect_url = std::move(*next);
                hop.url = redirect_url;
                continue;
            }
            outcome = decode_into(msg, max_body, out);  // reads Content-Encoding
            out.headers = std::move(msg.headers);
            break;
        }
    } catch (const std::exception& e) {
        // Not expected (allocation failure, a bug): still a value, never a throw.
        for (auto& conn : connections_) conn->reset();
        outcome = error{errc::internal, e.what()};
    } catch (...) {
        // Whatever it is, settle() below must run before this frame goes.
        for (auto& conn : connections_) conn->reset();
        outcome = error{errc::internal, "unknown exception"};
    }
    if (!flight.settle()) co_await flight.drain();
    if (outcome) co_return std::move(out);
    error failed = outcome.error();
    failed.latency =
        std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - flight.start());
    failed.status = out.status;
    failed.wire_bytes = out.wire_bytes;
    co_return failed;
}

// One frame for the whole open, like send(); the Beast side is ws_client.cpp.
net::awaitable<ws_open_result> client::open_websocket(const ws_request& req) {
    connection conn;  // the WebSocket's own: it takes the stream
    in_flight flight(*this, req.timeout.count() > 0 ? req.timeout : opts_->timeout);
    ws_open_result out = error{errc::internal, "WebSocket open did not finish"};
    try {
        auto parsed = parse_target_url(ws_to_http_url(req.url));
        if (!parsed) {
            out = parsed.error();
        } else {
            const target_url& t = *parsed;
            conn.origin = t.origin;
            const auto connected = co_await flight.open(conn, t);
            if (!connected) {
                out = connected.error();
            } else {
                ws_upgrade up;
                up.host_header = t.host_header;
                up.target = t.target;
                up.user_agent = opts_->user_agent;
                up.cookie_header = jar_.header_for({t.host, t.path, t.tls});
                for (const auto& [name, value] : req.headers) {
                    if (!iequals(name, "Cookie")) continue;  // the user's first, as for HTTP
                    up.cookie_header =
                        up.cookie_header.empty() ? value : value + "; " + up.cookie_header;
                }
                up.headers = &req.headers;
                up.subprotocols = &req.subprotocols;
                up.max_message_bytes = req.max_message_bytes;
                up.deadline = flight.deadline();
                up.timeout = flight.timeout();
                up.default_timeout = opts_->timeout;
                ws_upgrade_result upgraded = error{errc::internal};
                if (t.tls) {
                    upgraded = co_await ws_upgrade_over(
                        std::move(std::get<std::unique_ptr<tls_stream>>(conn.stream)), up);
                } else {
                    upgraded =
                        co_await ws_upgrade_over(std::move(std::get<tcp::socket>(conn.stream)), up);
                }
                conn.stream.emplace<std::monostate>();
                if (upgraded) {
                    for (const auto& c : upgraded->set_cookies)
                        jar_.set(c, {t.host, t.path, t.tls});
                    out = std::move(upgraded->socket);
                } else {
                    out = upgraded.error();
                }
            }
        }
    } catch (const std::exception& e) {
        out = error{errc::internal, e.what()};
    }
    if (!flight.settle()) co_await flight.drain();
    conn.reset();
    if (!out) {
        error failed = out.error();
        failed.latency =
            std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - flight.start());
        co_return failed;
    }
    co_return std::move(out);
}

const std::string* client::cookie(std::string_view url, std::string_view name) const {
    const auto t = parse_target_url(url);
    if (!t) return nullptr;
    const auto* c = jar_.find({t->host, t->path, t->tls}, name);
    return c ? &c->value : nullptr;
}

void client::close() {
    // The send in progress keeps its connection until it ends: the pending
    // operation there fails now, and the send frees the stream.
    const connection* kept = pending_ ? pending_->in_use() : nullptr;
    if (pending_) pending_->cancel();
    std::erase_if(connections_, [&](const auto& conn) { return conn.get() != kept; });
}

}  // namespace swarm::worker::http
