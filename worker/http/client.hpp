#pragma once
// The real HTTP/1.1 session of one virtual user (see session.hpp): keep-alive
// connections (one per origin, plain or TLS), its cookie jar, redirects,
// gzip/deflate decoding, size limits and deadlines on every step.
//
// A client belongs to one user and is touched only from that user's thread
// (the io_context behind its executor); `send` calls must not overlap. The TLS
// context may be shared by all clients of a thread (its session cache lets
// reconnects resume TLS sessions), never across threads.
//
// Idle memory is kept small on purpose (a worker holds ~20 000 idle users):
// read buffers, parsers and the deadline timer live only during a request
// (in the send's coroutine frame), the body is moved to the caller, an idle
// connection is just its socket, and the options are shared by every client
// of a thread.

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "worker/http/cookie_jar.hpp"
#include "worker/http/session.hpp"
#include "worker/http/tls.hpp"

namespace boost::asio::ssl {
class context;
}

namespace swarm::worker::http {

struct client_options {
    std::shared_ptr<boost::asio::ssl::context> tls;  // null: made on the first https request
    // Makes that context when `tls` is null (empty or returning null:
    // make_tls_context()). Lets the engine share one per thread and build it
    // only if a user really goes to an https URL: it costs ~0.5 MB and a
    // read of the system's CA store.
    std::function<std::shared_ptr<boost::asio::ssl::context>()> make_tls;
    std::chrono::microseconds timeout{60'000'000};          // used when a request's timeout is <= 0
    std::chrono::microseconds connect_timeout{10'000'000};  // TCP connect + TLS handshake
    std::size_t max_header_bytes = 64 * 1024;               // status line + headers
    std::uint64_t max_body_bytes = 16 * 1024 * 1024;        // on the wire and decoded
    std::string user_agent = "swarm";                       // the worker passes "swarm/VERSION"
};

class client final : public session {
  public:
    // `opts` is shared (the engine gives every client of a thread the same
    // one) and must not change while clients use it.
    client(boost::asio::any_io_executor ex, std::shared_ptr<const client_options> opts);
    // With its own copy of `opts` (tests, tools).
    client(boost::asio::any_io_executor ex, const client_options& opts);
    ~client() override;
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    boost::asio::awaitable<send_result> send(const request& req) override;
    const std::string* cookie(std::string_view url, std::string_view name) const override;
    void close() override;
    // The upgrade goes out on a connection of its own (not a keep-alive one),
    // under req.timeout (else client_options::timeout) for DNS, TCP, TLS and
    // the upgrade; Set-Cookie of the 101 answer goes into the jar.
    boost::asio::awaitable<ws_open_result> open_websocket(const ws_request& req) override;

    cookie_jar& cookies() { return jar_; }
    // TCP connections opened so far (tests check keep-alive and reconnects with it).
    std::uint32_t connections_opened() const { return connects_; }

    struct connection;  // one origin's cached DNS answer and keep-alive stream (client.cpp)

  private:
    class in_flight;  // the send in progress: its deadline and operations (client.cpp)

    boost::asio::any_io_executor ex_;
    std::shared_ptr<const client_options> opts_;
    // opts_->tls, or the one made at this client's first https request.
    std::shared_ptr<boost::asio::ssl::context> tls_;
    cookie_jar jar_;
    std::vector<std::unique_ptr<connection>> connections_;  // few origins; most recently used first
    in_flight* pending_ = nullptr;  // the send in progress, which close() ends
    std::uint32_t connects_ = 0;
};

}  // namespace swarm::worker::http
