#pragma once
// The real HTTP/1.1 session of one virtual user (see session.hpp): keep-alive
// connections (plain or TLS), its cookie jar, redirects, gzip/deflate
// decoding, size limits and deadlines on every step.
//
// A client belongs to one user and is touched only from that user's thread
// (the io_context behind its executor). `send` calls may overlap (a
// `parallel:` block's requests, each in its own coroutine on that thread):
// as browsers do, an origin then gets up to max_connections_per_origin
// keep-alive connections; a send takes an idle one, opens a new one below
// that bound, or else waits (under its own deadline) until one is free.
// Sends that never overlap use one connection per origin. The TLS context
// may be shared by all clients of a thread (its session cache lets
// reconnects resume TLS sessions), never across threads.
//
// Idle memory is kept small on purpose (a worker holds ~20 000 idle users):
// read buffers, parsers and the deadline timer live only during a request
// (in the send's coroutine frame), the body is moved to the caller, an idle
// connection is just its socket (and, over TLS, its SSL object: see
// tls_stream.hpp), and the options are shared by every client of a thread.

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "worker/http/cookie_jar.hpp"
#include "worker/http/handshake_gate.hpp"
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
    // The thread's TLS handshakes in progress (handshake_gate.hpp): every
    // client of an io thread shares the engine's. Null: no limit.
    std::shared_ptr<handshake_gate> handshakes;
};

class client final : public session {
  public:
    // Connections one origin gets while sends overlap (browsers' 6).
    static constexpr std::size_t max_connections_per_origin = 6;
    // Connections kept per user (the least recently used idle one goes
    // first); sends in progress may hold more for as long as they last.
    static constexpr std::size_t max_kept_connections = 16;

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
    // Ends every pending send (each reports errc::cancelled) and drops the
    // idle connections; the client stays usable.
    void close() override;
    // Each idle connection says close_notify (over TLS) and closes; its
    // origin's DNS answer and this user's TLS session stay for the next send.
    void close_idle() override;
    // The upgrade goes out on a connection of its own (not a keep-alive one),
    // under req.timeout (else client_options::timeout) for DNS, TCP, TLS and
    // the upgrade; Set-Cookie of the 101 answer goes into the jar.
    boost::asio::awaitable<ws_open_result> open_websocket(const ws_request& req) override;

    cookie_jar& cookies() { return jar_; }
    // TCP connections opened so far (tests check keep-alive and reconnects with it).
    std::uint32_t connections_opened() const { return connects_; }

    struct connection;  // one origin's cached DNS answer and keep-alive stream (client.cpp)

  private:
    class in_flight;  // a send in progress: its deadline and operations (client.cpp)

    // The one place a send gets its connection for an origin: an idle one
    // (most recently used first) or a busy HTTP/2 one that speaks the
    // `protocol` asked for, else a new one while the origin has fewer than
    // max_connections_per_origin, else an idle one speaking another protocol
    // (the send reconnects it), else null (wait for give_back).
    connection* take_connection(const std::string& origin, scenario::http_protocol protocol,
                                bool tls);
    // The send is done with `conn`: idle again; sends waiting for one look again.
    void give_back(connection& conn);
    // Closes the streams no send is using: before a long wait (close_idle,
    // with a close_notify over TLS) and after an unexpected exception.
    void drop_idle_streams(bool close_notify);

    boost::asio::any_io_executor ex_;
    std::shared_ptr<const client_options> opts_;
    // opts_->tls, or the one made at this client's first https request.
    std::shared_ptr<boost::asio::ssl::context> tls_;
    cookie_jar jar_;
    // Most recently used first; at most max_kept_connections idle ones.
    std::vector<std::unique_ptr<connection>> connections_;
    in_flight* pending_ =
        nullptr;  // the sends in progress (a list through them), which close() ends
    std::uint32_t connects_ = 0;
};

}  // namespace swarm::worker::http
