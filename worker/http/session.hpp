#pragma once
// One virtual user's HTTP session: its keep-alive connections (one per
// origin), its cookie jar, and the rules for redirects, compression, limits
// and deadlines. A session belongs to one user, on that user's thread.
//
// `session` is an interface because the user runner's tests drive a fake;
// the real one is http::client (client.hpp). One typed test suite runs over
// both (tests/worker_user/session_contract_test.cpp) so they answer alike.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "common/scenario/plan.hpp"
#include "worker/http/errors.hpp"
#include "worker/http/websocket.hpp"

namespace swarm::worker::http {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct target_url;  // url.hpp

struct request {
    scenario::http_method method = scenario::http_method::get;
    std::string url;      // absolute: http(s)://host[:port]/path?query
    header_list headers;  // user headers; the session adds Host, User-Agent, Accept-Encoding,
                          // Cookie, Content-Length
    std::string body;
    // Whole request, redirects included; 0: the session's default
    // (client_options::timeout, i.e. --request-timeout).
    std::chrono::microseconds timeout{0};
    bool follow_redirects = true;  // up to 10 hops
    // The largest body accepted, as received and decoded; 0: the session's
    // default (client_options::max_body_bytes, i.e. --max-body-size).
    std::uint64_t max_body_bytes = 0;
    // Read the body and count its bytes, keep none: response::body stays
    // empty, wire_bytes counts what came. A download of any size costs no
    // memory; with max_body_bytes 0 no size limit applies (the timeout does).
    bool discard_body = false;
    // auto: HTTP/2 when a TLS server picks it (ALPN), else HTTP/1.1; h1:
    // HTTP/1.1 only; h2c: HTTP/2 with prior knowledge over http://.
    scenario::http_protocol protocol = scenario::http_protocol::auto_;
    // `url` parsed ahead of time (the request builder does it once for a
    // static URL); null: the session parses `url` on every send.
    std::shared_ptr<const target_url> parsed_url;
};

// The final response of a send that worked (a status >= 400 included).
struct response {
    int status = 0;                // of the final response
    header_list headers;           // of the final response
    std::string body;              // decoded (gzip undone)
    std::uint64_t wire_bytes = 0;  // body bytes as received (compressed size), for stats
    std::chrono::microseconds latency{
        0};           // send of the first request to the last byte of the final response
    std::string url;  // the final URL after redirects

    // The first header with this name (case-insensitive), or nullptr.
    const std::string* header(std::string_view name) const;
};

using send_result = swarm::result<response, error>;

class session {
  public:
    virtual ~session() = default;
    // The final response, or how the send failed (errors.hpp). Never throws
    // for network or protocol failures.
    virtual boost::asio::awaitable<send_result> send(const request& req) = 0;
    // The value of a cookie this session would send to `url`, or nullptr.
    virtual const std::string* cookie(std::string_view url, std::string_view name) const = 0;
    // Closes connections (on user stop).
    virtual void close() = 0;
    // Closes the keep-alive connections no send is using, keeping what a
    // reconnect needs (DNS answers, the TLS session to resume): the user is
    // about to wait long (`close_idle_after:`). This default: nothing to close.
    virtual void close_idle() {}
    // Opens a WebSocket (websocket.hpp) with this session's cookies, on a
    // connection of its own. Never throws for network or protocol failures.
    // This default: a session without WebSockets (the tests' fakes).
    virtual boost::asio::awaitable<ws_open_result> open_websocket(const ws_request& /*req*/) {
        co_return error{errc::unsupported_scheme, "ws"};
    }
};

}  // namespace swarm::worker::http
