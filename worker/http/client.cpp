// The only translation unit of the client that includes Beast and Asio's
// sockets (besides the tests), so their templates compile once.

#include "worker/http/client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

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
using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

struct client::connection {
    std::string origin;                    // "https://host:port"
    std::vector<tcp::endpoint> endpoints;  // the DNS answer, cached for reconnects
    std::variant<std::monostate, plain_stream, tls_stream> stream;  // monostate: not connected
    std::uint32_t responses = 0;  // answered on this stream; > 0 means a reused connection

    beast::tcp_stream* lowest() {
        if (auto* s = std::get_if<plain_stream>(&stream)) return s;
        if (auto* s = std::get_if<tls_stream>(&stream)) return &s->next_layer();
        return nullptr;
    }
    // Only when no operation is pending on the stream (the send coroutine's own calls).
    void reset() {
        if (auto* low = lowest()) low->close();
        stream.emplace<std::monostate>();
        responses = 0;
    }
};

namespace {

constexpr int max_redirects = 10;
constexpr std::size_t max_origins = 8;  // keep-alive connections per user
constexpr auto as_value = net::as_tuple(net::use_awaitable);

const char* const cancelled = "request cancelled";

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

    static net::awaitable<std::string> connect(client& c, connection& conn, const target_url& t,
                                               steady::time_point deadline,
                                               std::chrono::microseconds timeout) {
        if (conn.endpoints.empty()) {
            auto error = co_await resolve(c, conn, t, deadline, timeout);
            if (!error.empty()) co_return error;
        }
        const auto connect_deadline = std::min(
            deadline,
            steady::now() + std::chrono::duration_cast<steady::duration>(c.opts_.connect_timeout));
        const auto timeout_error = [&](const char* what) {
            return connect_deadline == deadline ? timeout_message(timeout) : std::string(what);
        };
        if (t.tls) {
            if (!c.opts_.tls && c.opts_.make_tls) c.opts_.tls = c.opts_.make_tls();
            if (!c.opts_.tls) c.opts_.tls = make_tls_context();
            conn.stream.emplace<tls_stream>(c.ex_, *c.opts_.tls);
        } else {
            conn.stream.emplace<plain_stream>(c.ex_);
        }
        beast::tcp_stream& low = *conn.lowest();
        low.expires_at(connect_deadline);
        const auto [ec, endpoint] = co_await low.async_connect(conn.endpoints, as_value);
        if (ec) {
            conn.reset();
            // A changed address (or none left) is looked up again next time.
            if (ec != net::error::connection_refused) conn.endpoints.clear();
            if (ec == beast::error::timeout) co_return timeout_error("connect timeout");
            co_return describe_exchange_error(ec, c.opts_);
        }
        ++c.connects_;
        error_code ignored;
        low.socket().set_option(tcp::no_delay(true), ignored);
        auto* secure = std::get_if<tls_stream>(&conn.stream);
        if (!secure) co_return std::string();
        SSL* ssl = secure->native_handle();
        // SNI is for names only (RFC 6066 forbids IP literals).
        error_code not_an_address;
        net::ip::make_address(t.host, not_an_address);
        if (not_an_address) SSL_set_tlsext_host_name(ssl, t.host.c_str());
        if (tls::verifies_peer(ssl))
            secure->set_verify_callback(net::ssl::host_name_verification(t.host));
        tls::offer_session(ssl, conn.origin);
        low.expires_at(connect_deadline);
        const auto [hs_ec] =
            co_await secure->async_handshake(net::ssl::stream_base::client, as_value);
        if (hs_ec) {
            std::string reason = hs_ec == beast::error::timeout
                                     ? timeout_error("TLS handshake failed: timeout")
                                     : "TLS handshake failed: " + tls::handshake_error(ssl, hs_ec);
            conn.reset();
            co_return reason;
        }
        co_return std::string();
    }

    // One request and its response on the origin's keep-alive connection,
    // reconnecting once when a reused connection turns out to be closed.
    static net::awaitable<std::string> round_trip(client& c, const target_url& t,
                                                  std::string_view r, bool head,
                                                  steady::time_point deadline,
                                                  std::chrono::microseconds timeout,
                                                  std::uint32_t generation, exchange_outcome& out) {
        connection& conn = connection_for(c, t.origin);
        c.active_ = &conn;
        const exchange_limits limits{static_cast<std::uint32_t>(c.opts_.max_header_bytes),
                                     c.opts_.max_body_bytes};
        for (int attempt = 0;; ++attempt) {
            if (!conn.lowest()) {
                auto error = co_await connect(c, conn, t, deadline, timeout);
                if (c.generation_ != generation) {
                    conn.reset();
                    co_return cancelled;
                }
                if (!error.empty()) co_return error;
            }
            const bool reused = conn.responses > 0;
            conn.lowest()->expires_at(deadline);
            // Dispatched here rather than in a helper coroutine: one frame less per request.
            if (auto* tls = std::get_if<tls_stream>(&conn.stream)) {
                out = co_await exchange(*tls, r, head, limits);
            } else {
                out = co_await exchange(std::get<plain_stream>(conn.stream), r, head, limits);
            }
            if (c.generation_ != generation) {
                conn.reset();
                co_return cancelled;
            }
            if (!out.ec) {
                ++conn.responses;
                conn.lowest()->expires_never();
                if (auto* s = std::get_if<tls_stream>(&conn.stream)) {
                    tls::remember_session(s->native_handle(), conn.origin);
                }
                if (!out.keep_alive) conn.reset();
                co_return std::string();
            }
            conn.reset();
            if (attempt == 0 && reused && !out.received_any && is_stale_connection(out.ec))
                continue;
            if (out.ec == beast::error::timeout) co_return timeout_message(timeout);
            co_return describe_exchange_error(out.ec, c.opts_);
        }
    }

    // The whole send in one coroutine frame; client::send returns it as is.
    static net::awaitable<void> send(client& c, const request& req, response& out) {
        try {
            const auto start = steady::now();
            out = response{};
            const auto timeout = req.timeout.count() > 0 ? req.timeout : c.opts_.timeout;
            const auto deadline = start + std::chrono::duration_cast<steady::duration>(timeout);
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
                format_request(hop, *t, req.headers, c.opts_, c.jar_, wire);
                exchange_outcome result;
                out.error =
                    co_await round_trip(c, *t, wire, hop.method == scenario::http_method::head,
                                        deadline, timeout, generation, result);
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
                out.error = decode_into(msg, c.opts_, out);  // reads Content-Encoding
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

client::client(boost::asio::any_io_executor ex, const client_options& opts)
    : ex_(std::move(ex)), opts_(opts) {}

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
        if (auto* low = active_->lowest()) low->close();
    }
    std::erase_if(connections_, [&](const auto& conn) { return conn.get() != active_; });
}

}  // namespace swarm::worker::http
