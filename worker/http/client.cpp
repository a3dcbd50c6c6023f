// The only translation unit of the client that includes Beast and Asio's
// sockets (besides the tests), so their templates compile once.

#include "worker/http/client.hpp"
#include "worker/http/format.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <optional>
#include <utility>
#include <variant>

#include "common/ascii.hpp"
#include "worker/http/decode.hpp"
#include "worker/http/exchange.hpp"
#include "worker/http/h2_fields.hpp"
#include "worker/http/h2_io.hpp"
#include "worker/http/tls.hpp"
#include "worker/http/tls_stream.hpp"
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
// deadline is the send's own (client::in_flight below). The TLS stream is
// ours (tls_stream.hpp): a socket and an SSL object, no buffers while idle.

struct client::connection {
    std::string origin;                    // "https://host:port"
    std::vector<tcp::endpoint> endpoints;  // the DNS answer, cached for reconnects
    // monostate: not connected
    std::variant<std::monostate, tcp::socket, tls_stream> stream;
    std::uint32_t responses = 0;  // answered on this stream; > 0 means a reused connection
    // Set when the connection speaks HTTP/2 (ALPN chose h2, or h2c): its
    // session and the sends using it (h2_io.hpp). Null for HTTP/1.1.
    std::unique_ptr<h2_channel> h2;
    tls::session_slot session;  // this user's TLS session here, resumed on a reconnect
    // Sends using it (take_connection .. give_back): at most one on HTTP/1.1,
    // any number of streams on an HTTP/2 session.
    std::uint32_t busy = 0;
    // TLS only: the handshake offered ALPN h2,http/1.1 (not `protocol: h1`).
    bool alpn_offered = false;

    tcp::socket* lowest() {
        if (auto* s = std::get_if<tcp::socket>(&stream)) return s;
        if (auto* s = std::get_if<tls_stream>(&stream)) return &s->next_layer();
        return nullptr;
    }
    tls_stream* secure() { return std::get_if<tls_stream>(&stream); }
    // Only when no operation is pending on the stream (the send coroutine's
    // own calls) and no other send uses its HTTP/2 session.
    void reset() {
        if (auto* s = secure()) tls::release(s->native_handle());
        if (auto* low = lowest()) {
            error_code ignored;
            low->close(ignored);
        }
        h2.reset();
        stream.emplace<std::monostate>();
        responses = 0;
        alpn_offered = false;
    }
    // Whether the connection (if open) carries a request asking for `p` as
    // README's table says: h1 wants no HTTP/2; over https auto and h2c want
    // what the server picked when offered h2 (a connection opened for h1
    // never asked it); over http:// h2c wants HTTP/2 and auto HTTP/1.1.
    bool fits(scenario::http_protocol p, bool tls) const {
        if (std::holds_alternative<std::monostate>(stream)) return true;
        if (p == scenario::http_protocol::h1) return !h2;
        if (tls) return alpn_offered;
        return (p == scenario::http_protocol::h2c) == (h2 != nullptr);
    }
};

namespace {

constexpr int max_redirects = 10;
constexpr auto as_value = net::as_tuple(net::use_awaitable);
// ALPN's list (RFC 7301): HTTP/2 first, HTTP/1.1 as the fallback.
constexpr unsigned char alpn_h2_and_h1[] = "\x02h2\x08http/1.1";

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
// It lives in client::send's coroutine frame, and the client lists it while
// it does (pending_, linked through next_: sends may overlap). There is one
// timer: when it expires it closes
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
          timer_(c.ex_),
          next_(c.pending_) {
        c_.pending_ = this;
        arm(deadline_);
    }
    ~in_flight() {
        for (in_flight** p = &c_.pending_; *p != nullptr; p = &(*p)->next_) {
            if (*p == this) {
                *p = next_;
                break;
            }
        }
    }
    in_flight(const in_flight&) = delete;
    in_flight& operator=(const in_flight&) = delete;

    steady::time_point start() const { return start_; }
    steady::time_point deadline() const { return deadline_; }
    std::chrono::microseconds timeout() const { return timeout_; }

    // Connects `conn` (not one of the client's) for a WebSocket: DNS, TCP, TLS.
    net::awaitable<step_result> open(connection& conn, const target_url& t) {
        conn_ = &conn;
        // HTTP/1.1 only: the upgrade is an HTTP/1.1 request (no ALPN h2 offered).
        auto out = co_await connect(conn, t, scenario::http_protocol::h1);
        co_return out;
    }

    // One request and its response on the origin's keep-alive connection,
    // over HTTP/1.1 or HTTP/2 (as the connection negotiated, `protocol`
    // asks). When a reused connection turns out to be closed before any
    // byte of the response (or an HTTP/2 server says it did not process
    // the stream), an idempotent request is sent once more on a new
    // connection; any other fails (errc::closed_not_retried).
    net::awaitable<step_result> round_trip(const target_url& t, const hop_request& hop,
                                           const header_list& user_headers,
                                           scenario::http_protocol protocol, exchange_limits limits,
                                           exchange_outcome& out);

    // close(): ends the pending operation now; the send reports errc::cancelled.
    void cancel() {
        cancelled_ = true;
        interrupt();
    }
    // A connection was given back: a send waiting for one looks again.
    void wake() {
        if (waiting_) waiting_->cancel();
    }
    in_flight* next() const { return next_; }

    // Turns the deadline off at the end of the send. True when no timer
    // handler can touch this object any more; false when an expiry is
    // already queued, and then drain() must run before the frame ends.
    bool settle() {
        // The send is done with its connection (each hop gave it back): a
        // close() from now on (while drain() waits) frees it.
        release();
        ++armed_;  // an expiry already queued is stale: the connection stays open
        live_waits_ -= static_cast<std::uint32_t>(timer_.cancel());
        return live_waits_ == 0;
    }
    net::awaitable<void> drain() {
        while (live_waits_ > 0) co_await net::post(c_.ex_, net::use_awaitable);
    }

  private:
    net::awaitable<step_result> connect(connection& conn, const target_url& t,
                                        scenario::http_protocol protocol);
    // One stream on conn's HTTP/2 session; `unprocessed`: it failed before
    // the server could have acted on it (safe to send again).
    net::awaitable<step_result> h2_exchange(connection& conn, const target_url& t,
                                            const hop_request& hop, const header_list& user_headers,
                                            exchange_limits limits, exchange_outcome& out,
                                            bool& unprocessed);
    net::awaitable<step_result> resolve(connection& conn, const target_url& t);
    // The origin's connection for this hop, waiting while all it may have are busy.
    net::awaitable<step_result> acquire(const target_url& t, scenario::http_protocol protocol);
    // Until a connection is given back, the deadline passes or close().
    net::awaitable<step_result> wait_for_connection();
    // Until the thread's handshake gate lets `turn` in, the deadline passes or close().
    net::awaitable<step_result> wait_for_handshake_turn(handshake_gate::turn& turn);
    // The hop is done with conn_: back to the client.
    void release() {
        if (connection* conn = std::exchange(conn_, nullptr)) c_.give_back(*conn);
    }

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
    // Ends the operation pending on the connection in use, the DNS lookup,
    // or the wait for a connection. An HTTP/2 stream ends alone: the
    // connection serves others.
    void interrupt() {
        auto* socket = conn_ ? conn_->lowest() : nullptr;
        if (socket && conn_->h2 && h2_stream_ != 0) {
            error_code ignored;
            if (conn_->h2->interrupt(h2_stream_)) socket->cancel(ignored);
        } else if (socket) {
            error_code ignored;
            socket->close(ignored);
        }
        if (resolver_) resolver_->cancel();
        wake();
    }
    error timed_out() const { return error{errc::timeout, format_duration(timeout_)}; }

    client& c_;
    const steady::time_point start_;
    const steady::time_point deadline_;  // of the whole send, redirects included
    const std::chrono::microseconds timeout_;
    net::steady_timer timer_;
    in_flight* next_;                       // the client's next pending send
    connection* conn_ = nullptr;            // in use, busy (the client owns it)
    tcp::resolver* resolver_ = nullptr;     // while resolve() waits for DNS (in its frame)
    net::steady_timer* waiting_ = nullptr;  // while waiting for a connection (in that frame)
    std::int32_t h2_stream_ = 0;            // the HTTP/2 stream h2_exchange() waits for
    std::uint32_t armed_ = 0;       // bumped by arm(): an expiry queued for an older one is stale
    std::uint32_t live_waits_ = 0;  // timer waits that may still end without error (and touch this)
    bool expired_ = false;          // the armed time passed: the failure at hand is a timeout
    bool cancelled_ = false;        // close() was called
};

client::connection* client::take_connection(const std::string& origin,
                                            scenario::http_protocol protocol, bool tls) {
    std::size_t same_origin = 0;
    const connection* sibling = nullptr;  // one of the origin: its DNS answer serves
    auto other = connections_.end();      // an idle one speaking another protocol
    const auto take = [this](auto it) {
        std::rotate(connections_.begin(), it, it + 1);  // most recently used first
        ++connections_.front()->busy;
        return connections_.front().get();
    };
    for (auto it = connections_.begin(); it != connections_.end(); ++it) {
        connection& conn = **it;
        if (conn.origin != origin) continue;
        ++same_origin;
        sibling = &conn;
        // A connection serves the sends it fits: an h1 request must not ride
        // an HTTP/2 session, an auto one not a connection opened for h1.
        if (!conn.fits(protocol, tls)) {
            if (conn.busy == 0 && other == connections_.end()) other = it;
            continue;
        }
        // An HTTP/2 session carries any number of sends; HTTP/1.1 one at a time.
        if (conn.busy == 0 || (conn.h2 && conn.h2->session.usable())) return take(it);
    }
    if (same_origin >= max_connections_per_origin) {
        // No room for one more: an idle one of another protocol, which the
        // send reconnects, else wait.
        return other != connections_.end() ? take(other) : nullptr;
    }
    if (connections_.size() >= max_kept_connections) {
        // The least recently used idle one makes room (busy ones are in use).
        const auto idle = std::find_if(connections_.rbegin(), connections_.rend(),
                                       [](const auto& conn) { return conn->busy == 0; });
        if (idle != connections_.rend()) connections_.erase(std::next(idle).base());
    }
    auto conn = std::make_unique<connection>();
    conn->origin = origin;
    if (sibling) conn->endpoints = sibling->endpoints;
    conn->busy = 1;
    connections_.insert(connections_.begin(), std::move(conn));
    return connections_.front().get();
}

void client::give_back(connection& conn) {
    --conn.busy;
    // Few sends overlap (a parallel block's): wake them all, the first takes it.
    for (in_flight* p = pending_; p != nullptr; p = p->next()) p->wake();
}

net::awaitable<step_result> client::in_flight::acquire(const target_url& t,
                                                       scenario::http_protocol protocol) {
    // An expiry handled between two hops left nothing to interrupt: no
    // deadline would bound this hop.
    if (expired_) co_return timed_out();
    while (!(conn_ = c_.take_connection(t.origin, protocol, t.tls))) {
        auto waited = co_await wait_for_connection();
        if (!waited) co_return waited;
    }
    co_return step_result();
}

net::awaitable<step_result> client::in_flight::wait_for_connection() {
    // Its own frame, not round_trip's: only a send that waits pays for the timer.
    net::steady_timer until_free(c_.ex_, steady::time_point::max());
    struct forget_on_exit {
        net::steady_timer*& pointer;
        ~forget_on_exit() { pointer = nullptr; }
    } forget{waiting_};
    waiting_ = &until_free;
    co_await until_free.async_wait(as_value);  // cancelled: by give_back, the deadline or close()
    if (expired_) co_return timed_out();
    if (cancelled_) co_return error{errc::cancelled};
    co_return step_result();
}

net::awaitable<step_result> client::in_flight::wait_for_handshake_turn(handshake_gate::turn& turn) {
    if (expired_) co_return timed_out();
    // Its own frame, as wait_for_connection's: only a connection that waits pays for the timer.
    net::steady_timer my_turn(c_.ex_, steady::time_point::max());
    if (c_.opts_->handshakes->enter(turn, [&my_turn] { my_turn.cancel(); })) {
        co_return step_result();
    }
    struct forget_on_exit {
        net::steady_timer*& pointer;
        ~forget_on_exit() { pointer = nullptr; }
    } forget{waiting_};
    // Out of the line before my_turn goes, also when the frame is destroyed
    // without resuming (an io_context shut down): a slot passed on later
    // must not wake a timer that is gone.
    struct leave_line_on_exit {
        handshake_gate::turn& turn;
        ~leave_line_on_exit() {
            if (!turn.held()) turn.leave();
        }
    } stay_out{turn};
    waiting_ = &my_turn;  // interrupt() wakes it: the deadline or close()
    while (!turn.held()) {
        if (expired_ || cancelled_) {
            turn.leave();  // out of the line: its wake must not touch my_turn
            co_return expired_ ? timed_out() : error{errc::cancelled};
        }
        // Also woken by a connection given back (give_back wakes every send): wait on.
        co_await my_turn.async_wait(as_value);
        my_turn.expires_at(steady::time_point::max());
    }
    co_return step_result();
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
net::awaitable<step_result> client::in_flight::connect(connection& conn, const target_url& t,
                                                       scenario::http_protocol protocol) {
    const client_options& opts = *c_.opts_;
    if (conn.endpoints.empty()) {
        auto resolved = co_await resolve(conn, t);
        if (!resolved) co_return resolved;
        // close() after the answer was queued: the lookup ended without error.
        if (cancelled_) co_return error{errc::cancelled};
    }
    // Before the TCP connect, and outside the connect timeout (the wait is
    // the client's own CPU, not the server's slowness).
    handshake_gate::turn turn;
    if (t.tls && c_.opts_->handshakes) {
        auto entered = co_await wait_for_handshake_turn(turn);
        if (!entered) co_return entered;
    }
    const auto connect_deadline =
        std::min(deadline_, steady::now() +
                                std::chrono::duration_cast<steady::duration>(opts.connect_timeout));
    const bool own_deadline = connect_deadline < deadline_;
    if (t.tls) {
        if (!c_.tls_) c_.tls_ = opts.tls;
        if (!c_.tls_ && opts.make_tls) c_.tls_ = opts.make_tls();
        if (!c_.tls_) c_.tls_ = make_tls_context();
        conn.stream.emplace<tls_stream>(c_.ex_, *c_.tls_);
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
        tls::prepare_handshake(ssl, t.host, conn.origin, conn.session);
        // h1 offers nothing: a server without ALPN answers as before.
        if (protocol != scenario::http_protocol::h1) {
            SSL_set_alpn_protos(ssl, alpn_h2_and_h1, sizeof alpn_h2_and_h1 - 1);
            conn.alpn_offered = true;
        }
        const auto [hs_ec] =
            co_await secure->async_handshake(tls_stream::handshake_type::client, as_value);
        turn.leave();  // the next connection in line may handshake
        if (hs_ec) {
            error failed = !expired_ ? error{errc::tls, tls::handshake_error(ssl, hs_ec, t.host)}
                           : own_deadline ? error{errc::handshake_timeout}
                                          : timed_out();
            conn.reset();
            co_return failed;
        }
        const unsigned char* chosen = nullptr;
        unsigned chosen_len = 0;
        SSL_get0_alpn_selected(ssl, &chosen, &chosen_len);
        if (chosen_len == 2 && chosen[0] == 'h' && chosen[1] == '2') {
            conn.h2 = std::make_unique<h2_channel>(
                c_.ex_, static_cast<std::uint32_t>(opts.max_header_bytes));
        }
    } else if (protocol == scenario::http_protocol::h2c) {
        conn.h2 =
            std::make_unique<h2_channel>(c_.ex_, static_cast<std::uint32_t>(opts.max_header_bytes));
    }
    if (own_deadline) arm(deadline_);  // back to the request's
    co_return step_result();
}

net::awaitable<step_result> client::in_flight::round_trip(
    const target_url& t, const hop_request& hop, const header_list& user_headers,
    scenario::http_protocol protocol, exchange_limits limits, exchange_outcome& out) {
    if (cancelled_) co_return error{errc::cancelled};  // close() between two hops
    auto acquired = co_await acquire(t, protocol);
    if (!acquired) co_return acquired;
    struct release_on_exit {
        in_flight& flight;
        ~release_on_exit() {
            try {
                flight.release();
            } catch (...) {
                // Only a timer's cancel() can throw here (it does not in
                // practice); a destructor must not, and the connection is idle.
            }
        }
    } release_later{*this};  // every way out of this hop, an exception's too
    connection& conn = *conn_;
    const scenario::http_method method = hop.method;
    const bool head = method == scenario::http_method::head;
    const bool idempotent = is_idempotent(method);
    const bool shared = conn.h2 && conn.h2->users > 0;  // other sends' streams: keep it
    if (!shared && (!conn.fits(protocol, t.tls) || (conn.h2 && !conn.h2->session.usable()))) {
        conn.reset();  // another protocol asked for, or an HTTP/2 session that ended
    }
    // Not re-sent if lost: not sent on a connection already known to be closed.
    if (!idempotent && !conn.h2 && conn.responses > 0 && conn.lowest() &&
        idle_connection_is_stale(*conn.lowest())) {
        conn.reset();
    }
    std::string wire;  // the HTTP/1.1 request as bytes, made once a connection is there
    for (int attempt = 0;; ++attempt) {
        if (cancelled_) co_return error{errc::cancelled};  // close() between two hops
        if (!conn.lowest()) {
            auto connected = co_await connect(conn, t, protocol);
            if (cancelled_) {
                conn.reset();
                co_return error{errc::cancelled};
            }
            if (!connected) co_return connected;
        }
        const bool reused = conn.responses > 0;
        if (conn.h2) {
            bool unprocessed = false;
            auto done = co_await h2_exchange(conn, t, hop, user_headers, limits, out, unprocessed);
            if (cancelled_) co_return error{errc::cancelled};
            if (expired_) co_return timed_out();
            if (done || !unprocessed) co_return done;
            if (attempt == 0 && idempotent) {
                if (conn.h2 && conn.h2->users == 0) conn.reset();  // the retry's new connection
                continue;
            }
            if (!idempotent && done.error().kind != errc::goaway &&
                done.error().kind != errc::stream_reset) {
                co_return error{errc::closed_not_retried, std::string(scenario::to_string(method))};
            }
            co_return done;
        }
        if (wire.empty()) format_request(hop, t, user_headers, *c_.opts_, c_.jar_, wire);
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
                tls::remember_session(secure->native_handle(), conn.origin, conn.session);
            }
            if (!out.keep_alive) conn.reset();
            co_return step_result();
        }
        // Read before reset() frees the SSL: why TLS ended the exchange.
        std::string tls_failure =
            conn.secure() ? tls::exchange_error(conn.secure()->native_handle(), out.ec) : "";
        conn.reset();
        if (expired_) co_return timed_out();
        if (reused && !out.received_any && is_stale_connection(out.ec)) {
            if (attempt == 0 && idempotent) continue;
            if (!idempotent) {
                co_return error{errc::closed_not_retried, std::string(scenario::to_string(method))};
            }
        }
        if (!tls_failure.empty()) co_return error{errc::io, std::move(tls_failure)};
        co_return exchange_error(out.ec, limits.body_bytes);
    }
}

net::awaitable<step_result> client::in_flight::h2_exchange(
    connection& conn, const target_url& t, const hop_request& hop, const header_list& user_headers,
    exchange_limits limits, exchange_outcome& out, bool& unprocessed) {
    h2_channel& ch = *conn.h2;
    const bool reused = conn.responses > 0;
    const h2_head head = make_h2_head({
        .user_headers = &user_headers,
        .host = t.host_header,
        .user_agent = c_.opts_->user_agent,
        .cookies = c_.jar_.header_for({t.host, t.path, t.tls}),
        .body_size = hop.body->size(),
        .content_length =
            hop.method == scenario::http_method::post || hop.method == scenario::http_method::put,
        .cross_origin = hop.cross_origin,
        .body_dropped = hop.body == &no_body,
    });
    const std::int32_t id = ch.session.submit({
        .method = scenario::to_string(hop.method),
        .scheme = t.tls ? "https" : "http",
        .authority = head.authority,
        .path = t.target,
        .fields = &head.fields,
        .body = *hop.body,
        .max_body_bytes = limits.body_bytes,
        .discard_body = limits.discard_body,
    });
    if (id == 0) {
        // The session takes no more streams (a GOAWAY came while others used it).
        unprocessed = true;
        co_return error{errc::closed};
    }
    ++ch.users;
    h2_stream_ = id;
    if (tls_stream* secure = conn.secure()) {
        co_await h2_run(*secure, ch, id);
    } else {
        co_await h2_run(std::get<tcp::socket>(conn.stream), ch, id);
    }
    h2_stream_ = 0;
    --ch.users;
    step_result result;
    h2_stream* s = ch.session.stream(id);
    if (s && s->done) {
        out.message = std::move(s->message);
        ++conn.responses;
        if (tls_stream* secure = conn.secure()) {
            tls::remember_session(secure->native_handle(), conn.origin, conn.session);
        }
    } else if (s && s->failed) {
        result = s->failure;
        // Unprocessed by the server's word, or a reused connection that
        // closed before any frame of it (as for HTTP/1.1 keep-alive).
        unprocessed =
            s->unprocessed || (reused && !s->got_frames &&
                               (s->failure.kind == errc::closed || s->failure.kind == errc::reset));
    } else {
        // Interrupted (the caller knows why), or the connection ended.
        result = ch.session.error_reason().value_or(error{errc::closed});
    }
    ch.session.forget(id);
    if (ch.session.over() && ch.users == 0) conn.reset();
    co_return result;
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
            exchange_outcome exchanged;
            outcome =
                co_await flight.round_trip(*t, hop, req.headers, req.protocol, limits, exchanged);
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
        // Not expected (allocation failure, a bug): still a value, never a
        // throw. The idle connections' state is unknown (this send's among
        // them); the busy ones are other sends'.
        drop_idle_streams(false);
        outcome = error{errc::internal, e.what()};
    } catch (...) {
        // Whatever it is, settle() below must run before this frame goes.
        drop_idle_streams(false);
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
                    upgraded =
                        co_await ws_upgrade_over(std::move(std::get<tls_stream>(conn.stream)), up);
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
    // Each send in progress keeps its connection until it ends: the pending
    // operation there (or its wait for a connection) fails now, and the send
    // frees the stream.
    for (in_flight* p = pending_; p != nullptr; p = p->next()) p->cancel();
    std::erase_if(connections_, [](const auto& conn) { return conn->busy == 0; });
}

void client::close_idle() {
    drop_idle_streams(true);
}

void client::drop_idle_streams(bool close_notify) {
    for (auto& conn : connections_) {
        if (conn->busy != 0) continue;
        if (auto* s = conn->secure(); s && close_notify) s->send_close_notify();
        conn->reset();
    }
}

}  // namespace swarm::worker::http
