// The only translation unit of the client that includes Beast and Asio's
// sockets (besides the tests), so their templates compile once.

#include "worker/http/client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <optional>
#include <variant>

#include "worker/http/decode.hpp"
#include "worker/http/exchange.hpp"
#include "worker/http/tls.hpp"
#include "worker/http/url.hpp"

namespace swarm::worker::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;
using error_code = boost::system::error_code;
// A plain socket, not beast::tcp_stream: that one keeps 536 bytes and three
// timers per connection and arms a timer on every read and write. The
// deadline is the send's own (deadline_watch below). The TLS stream (two
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

const char* const cancelled = "request cancelled";

// The deadline of one send: one timer that, when it fires, closes the socket
// of the connection the send is using, so whatever operation is pending
// there (connect, handshake, write, read) ends at once with an error the
// send reports as a timeout. It lives in the send (an idle connection holds
// no timer) and costs one timer wait per send, where beast::tcp_stream armed
// and cancelled a timer around every read and write.
struct deadline_watch {
    explicit deadline_watch(const net::any_io_executor& ex) : timer(ex) {}

    net::steady_timer timer;
    client::connection* conn = nullptr;  // the send's current connection (outlives the send)
    std::uint32_t armed = 0;  // bumped by arm(): an expiry already queued for an older one is stale
    bool expired = false;     // the armed time passed: the failure at hand is a timeout

    // Sets (or moves) the deadline. The handler holds only a weak_ptr: once
    // the send is over and the watch gone, a late expiry finds nothing.
    static void arm(const std::shared_ptr<deadline_watch>& w, steady::time_point at) {
        w->expired = false;
        w->timer.expires_at(at);
        w->timer.async_wait(
            [weak = std::weak_ptr<deadline_watch>(w), n = ++w->armed](error_code ec) {
                const auto self = weak.lock();
                if (ec || !self || n != self->armed) return;
                self->expired = true;
                if (auto* socket = self->conn ? self->conn->lowest() : nullptr) {
                    error_code ignored;
                    socket->close(ignored);
                }
            });
    }
};

bool same_category(const error_code& ec, bhttp::error sample) {
    return ec.category() == bhttp::make_error_code(sample).category();
}

// Failures where a reused keep-alive connection turned out to be closed by the server.
bool is_stale_connection(const error_code& ec) {
    return ec == net::error::eof || ec == bhttp::error::end_of_stream ||
           ec == net::error::connection_reset || ec == net::error::broken_pipe ||
           ec == net::error::connection_aborted || ec == net::ssl::error::stream_truncated;
}

std::string describe_exchange_error(const error_code& ec, const client_options& opts) {
    if (ec == net::error::connection_refused) return "connection refused";
    if (ec == net::error::connection_reset || ec == net::error::broken_pipe ||
        ec == net::error::connection_aborted) {
        return "connection reset by peer";
    }
    if (ec == bhttp::error::header_limit) return "response header too large";
    if (ec == bhttp::error::body_limit) {
        return "body too large (limit " + format_bytes(opts.max_body_bytes) + ")";
    }
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
        ec == net::error::eof || ec == net::ssl::error::stream_truncated) {
        return "connection closed before the response was complete";
    }
    if (ec == net::error::operation_aborted) return cancelled;
    if (same_category(ec, bhttp::error::bad_version)) return "malformed response: " + ec.message();
    return ec.message();
}

// A socket that could not be made: out of file descriptors is the usual
// cause (a user per connection), and the fix is the user's to make.
std::string describe_open_error(const error_code& ec) {
    if (ec == net::error::no_descriptors) {
        return "cannot open a connection: too many open files (raise `ulimit -n`, or run fewer users per worker)";
    }
    return "cannot open a connection: " + ec.message();
}

std::string timeout_message(std::chrono::microseconds timeout) {
    return "timeout after " + format_duration(timeout);
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
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

// Decodes the body into out.body (moved, not copied, when not encoded).
std::string decode_into(received_response& msg, const client_options& opts, response& out) {
    out.wire_bytes = msg.body.size();
    const auto encoding = msg.field("Content-Encoding");
    const bool gzip = iequals(encoding, "gzip") || iequals(encoding, "x-gzip");
    if (!gzip && !iequals(encoding, "deflate")) {
        out.body = std::move(msg.body);
        return {};
    }
    switch (inflate_body(msg.body, gzip, opts.max_body_bytes, out.body)) {
        case decode_result::ok:
            return {};
        case decode_result::too_large:
            return "decompressed body too large (limit " + format_bytes(opts.max_body_bytes) + ")";
        case decode_result::corrupt:
            break;
    }
    return std::string("malformed response: corrupt ") + (gzip ? "gzip" : "deflate") + " body";
}

}  // namespace

struct client_ops {
    using connection = client::connection;

    static connection& connection_for(client& c, const std::string& origin) {
        auto& list = c.connections_;
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

    // Fills conn.endpoints (IP literals skip the resolver). Error message or empty.
    static net::awaitable<std::string> resolve(client& c, connection& conn, const target_url& t,
                                               steady::time_point deadline,
                                               std::chrono::microseconds timeout) {
        error_code parse_ec;
        const auto address = net::ip::make_address(t.host, parse_ec);
        if (!parse_ec) {
            conn.endpoints.assign(1, tcp::endpoint(address, t.port));
            co_return std::string();
        }
        auto resolver = std::make_shared<tcp::resolver>(c.ex_);
        c.resolving_ = resolver;
        // The resolver has no deadline of its own: a timer cancels it.
        net::steady_timer timer(c.ex_, deadline);
        timer.async_wait([weak = std::weak_ptr<tcp::resolver>(resolver)](error_code ec) {
            if (auto r = weak.lock(); r && !ec) r->cancel();
        });
        const auto [ec, results] =
            co_await resolver->async_resolve(t.host, std::to_string(t.port), as_value);
        timer.cancel();
        c.resolving_.reset();
        if (ec == net::error::operation_aborted) {
            co_return steady::now() >= deadline ? timeout_message(timeout) : cancelled;
        }
        if (ec) co_return "DNS failure: " + t.host + ": " + ec.message();
        conn.endpoints.clear();
        for (const auto& entry : results) conn.endpoints.push_back(entry.endpoint());
        if (conn.endpoints.empty()) co_return "DNS failure: " + t.host + ": no addresses";
        co_return std::string();
    }

    // Connects (and handshakes) conn under min(deadline, now + connect_timeout).
    static net::awaitable<std::string> connect(client& c, connection& conn, const target_url& t,
                                               const std::shared_ptr<deadline_watch>& watch,
                                               steady::time_point deadline,
                                               std::chrono::microseconds timeout) {
        const client_options& opts = *c.opts_;
        if (conn.endpoints.empty()) {
            auto error = co_await resolve(c, conn, t, deadline, timeout);
            if (!error.empty()) co_return error;
        }
        const auto connect_deadline = std::min(
            deadline,
            steady::now() + std::chrono::duration_cast<steady::duration>(opts.connect_timeout));
        const bool own_deadline = connect_deadline < deadline;
        const auto timeout_error = [&](const char* what) {
            return own_deadline ? std::string(what) : timeout_message(timeout);
        };
        if (t.tls) {
            if (!c.tls_) c.tls_ = opts.tls;
            if (!c.tls_ && opts.make_tls) c.tls_ = opts.make_tls();
            if (!c.tls_) c.tls_ = make_tls_context();
            conn.stream.emplace<std::unique_ptr<tls_stream>>(
                std::make_unique<tls_stream>(c.ex_, *c.tls_));
        } else {
            conn.stream.emplace<tcp::socket>(c.ex_);
        }
        // Opened here, not by async_connect: when no descriptor is left it
        // reports "operation aborted" for every address and hides the cause.
        error_code open_ec;
        conn.lowest()->open(conn.endpoints.front().protocol(), open_ec);
        if (open_ec) {
            conn.reset();
            co_return describe_open_error(open_ec);
        }
        if (own_deadline) deadline_watch::arm(watch, connect_deadline);
        const auto [ec, endpoint] =
            co_await net::async_connect(*conn.lowest(), conn.endpoints, as_value);
        if (ec) {
            conn.reset();
            // A changed address (or none left) is looked up again next time.
            if (ec != net::error::connection_refused) conn.endpoints.clear();
            if (watch->expired) co_return timeout_error("connect timeout");
            co_return describe_exchange_error(ec, opts);
        }
        ++c.connects_;
        error_code ignored;
        conn.lowest()->set_option(tcp::no_delay(true), ignored);
        if (tls_stream* secure = conn.secure()) {
            SSL* ssl = secure->native_handle();
            // SNI is for names only (RFC 6066 forbids IP literals).
            error_code not_an_address;
            net::ip::make_address(t.host, not_an_address);
            if (not_an_address) SSL_set_tlsext_host_name(ssl, t.host.c_str());
            if (tls::verifies_peer(ssl))
                secure->set_verify_callback(net::ssl::host_name_verification(t.host));
            tls::offer_session(ssl, conn.origin);
            const auto [hs_ec] =
                co_await secure->async_handshake(net::ssl::stream_base::client, as_value);
            if (hs_ec) {
                std::string reason =
                    watch->expired ? timeout_error("TLS handshake failed: timeout")
                                   : "TLS handshake failed: " + tls::handshake_error(ssl, hs_ec);
                conn.reset();
                co_return reason;
            }
        }
        if (own_deadline) deadline_watch::arm(watch, deadline);  // back to the request's
        co_return std::string();
    }

    // One request and its response on the origin's keep-alive connection,
    // reconnecting once when a reused connection turns out to be closed.
    static net::awaitable<std::string> round_trip(client& c, const target_url& t,
                                                  std::string_view r, bool head,
                                                  const std::shared_ptr<deadline_watch>& watch,
                                                  steady::time_point deadline,
                                                  std::chrono::microseconds timeout,
                                                  std::uint32_t generation, exchange_outcome& out) {
        connection& conn = connection_for(c, t.origin);
        c.active_ = &conn;
        watch->conn = &conn;
        const exchange_limits limits{static_cast<std::uint32_t>(c.opts_->max_header_bytes),
                                     c.opts_->max_body_bytes};
        for (int attempt = 0;; ++attempt) {
            if (!conn.lowest()) {
                auto error = co_await connect(c, conn, t, watch, deadline, timeout);
                if (c.generation_ != generation) {
                    conn.reset();
                    co_return cancelled;
                }
                if (!error.empty()) co_return error;
            }
            const bool reused = conn.responses > 0;
            // Dispatched here rather than in a helper coroutine: one frame less per request.
            if (tls_stream* secure = conn.secure()) {
                out = co_await exchange(*secure, r, head, limits);
            } else {
                out = co_await exchange(std::get<tcp::socket>(conn.stream), r, head, limits);
            }
            if (c.generation_ != generation) {
                conn.reset();
                co_return cancelled;
            }
            if (!out.ec) {
                ++conn.responses;
                if (tls_stream* secure = conn.secure()) {
                    tls::remember_session(secure->native_handle(), conn.origin);
                }
                if (!out.keep_alive) conn.reset();
                co_return std::string();
            }
            conn.reset();
            if (watch->expired) co_return timeout_message(timeout);
            if (attempt == 0 && reused && !out.received_any && is_stale_connection(out.ec))
                continue;
            co_return describe_exchange_error(out.ec, *c.opts_);
        }
    }

    // The whole send in one coroutine frame; client::send returns it as is.
    static net::awaitable<void> send(client& c, const request& req, response& out) {
        try {
            const auto start = steady::now();
            out = response{};
            const auto timeout = req.timeout.count() > 0 ? req.timeout : c.opts_->timeout;
            const auto deadline = start + std::chrono::duration_cast<steady::duration>(timeout);
            std::shared_ptr<deadline_watch> watch;  // made at the first hop that goes out
            const std::uint32_t generation = c.generation_;
            hop_request hop{req.url, req.method, &req.body};
            const target_url* first = req.parsed_url.get();  // the first hop's URL
            // Heap, not frame: a frame that holds them costs every request in flight.
            std::unique_ptr<const target_url> parsed_first, parsed_hop;
            std::string redirect_url;  // where hop.url points after a redirect
            std::string wire;          // the request bytes of the current hop
            auto last_byte = start;
            for (int hops = 0;; ++hops) {
                const target_url* t = hops == 0 ? first : nullptr;
                if (!t) {
                    auto parsed = parse_target_url(hop.url, out.error);
                    if (!parsed) break;
                    auto& slot = hops == 0 ? parsed_first : parsed_hop;
                    slot = std::make_unique<const target_url>(std::move(*parsed));
                    t = slot.get();
                    if (hops == 0) first = t;
                }
                hop.cross_origin = t->origin != first->origin;
                format_request(hop, *t, req.headers, *c.opts_, c.jar_, wire);
                if (!watch) {
                    watch = std::make_shared<deadline_watch>(c.ex_);
                    deadline_watch::arm(watch, deadline);
                }
                exchange_outcome result;
                out.error =
                    co_await round_trip(c, *t, wire, hop.method == scenario::http_method::head,
                                        watch, deadline, timeout, generation, result);
                out.url.assign(hop.url);
                if (!out.error.empty()) break;
                last_byte = steady::now();
                auto& msg = result.message;
                for (const auto& [name, value] : msg.headers) {
                    if (iequals(name, "Set-Cookie")) c.jar_.set(value, {t->host, t->path, t->tls});
                }
                out.status = msg.status;
                const auto location = msg.field("Location");
                if (req.follow_redirects && is_redirect(out.status) && !location.empty()) {
                    if (hops == max_redirects) {
                        out.error = "too many redirects (" + std::to_string(max_redirects) + ")";
                        break;
                    }
                    auto next = resolve_location(hop.url, location);
                    if (!next) {
                        out.error = "invalid redirect Location '" + std::string(location) + "'";
                        break;
                    }
                    // Browsers turn these into a GET without body; 307/308 keep both.
                    if ((out.status == 303 && hop.method != scenario::http_method::head) ||
                        ((out.status == 301 || out.status == 302) &&
                         hop.method == scenario::http_method::post)) {
                        hop.method = scenario::http_method::get;
                        hop.body = &no_body;
                    }
                    redirect_url = std::move(*next);
                    hop.url = redirect_url;
                    continue;
                }
                out.error = decode_into(msg, *c.opts_, out);  // reads Content-Encoding
                out.headers = std::move(msg.headers);
                break;
            }
            out.latency = std::chrono::duration_cast<std::chrono::microseconds>(
                (out.error.empty() ? last_byte : steady::now()) - start);
            c.active_ = nullptr;
        } catch (const std::exception& e) {
            // Not expected (allocation failure, a bug): still a value, never a throw.
            c.active_ = nullptr;
            for (auto& conn : c.connections_) conn->reset();
            out.error = std::string("internal error: ") + e.what();
        }
    }
};

client::client(boost::asio::any_io_executor ex, std::shared_ptr<const client_options> opts)
    : ex_(std::move(ex)), opts_(std::move(opts)) {}

client::client(boost::asio::any_io_executor ex, const client_options& opts)
    : client(std::move(ex), std::make_shared<const client_options>(opts)) {}

client::~client() = default;

// Not a coroutine: hands back client_ops::send's awaitable, one frame less per request.
net::awaitable<void> client::send(const request& req, response& out) {
    return client_ops::send(*this, req, out);
}

const std::string* client::cookie(std::string_view url, std::string_view name) const {
    std::string error;
    const auto t = parse_target_url(url, error);
    if (!t) return nullptr;
    const auto* c = jar_.find({t->host, t->path, t->tls}, name);
    return c ? &c->value : nullptr;
}

void client::close() {
    ++generation_;
    if (auto resolver = std::static_pointer_cast<tcp::resolver>(resolving_.lock())) {
        resolver->cancel();
    }
    // A pending operation holds the active stream: close its socket so the
    // operation ends now, and let the send coroutine free the stream.
    if (active_) {
        if (auto* low = active_->lowest()) {
            error_code ignored;
            low->close(ignored);
        }
    }
    std::erase_if(connections_, [&](const auto& conn) { return conn.get() != active_; });
}

}  // namespace swarm::worker::http
