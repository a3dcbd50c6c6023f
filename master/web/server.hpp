#pragma once
// The master's HTTP(S) + WebSocket server: Beast on its own io_context and
// thread. It knows nothing of tests or stats: every request (after the base
// path, the body limit and authentication) goes to `handler`, which answers
// through a web_reply from any thread - in practice from the control thread
// (web_api posts to the controller). WebSocket clients at /ws get `hello`'s
// message first, then every published snapshot; each client holds at most
// one unsent snapshot (the newest), so a slow browser skips seconds instead
// of growing the master's memory.
//
// Under abuse (idle or slow connections, many from one address): a
// connection waiting for a request head is the one given up when a new one
// needs its place (never authenticated ones first, then the longest
// waiting), so a fresh /healthz or /readyz always finds a slot; when every
// slot is busy mid-request, a few spare slots still answer the probes
// (others get a 503) within a one-second deadline.
//
// Threading: construct and destroy on one thread; publish() from any thread;
// `handler` and `hello` are called on the server's thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/log/log.hpp"
#include "common/result.hpp"
#include "master/web/auth.hpp"
#include "master/web/http_types.hpp"

namespace swarm::master::web {

struct server_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8089;  // 0: any free port (see url())
    std::string base_path;      // "/swarm" behind a proxy; "" or "/" for none
    std::string tls_cert;       // PEM chain; with tls_key: HTTPS
    std::string tls_key;
    basic_auth auth;                     // not enabled: no authentication
    std::size_t body_limit = 64 * 1024;  // bytes of a request body (413 past it)
    std::size_t max_connections = 256;   // open connections, WebSocket included
    // Open connections from one client address (0: no limit). Behind a
    // reverse proxy every browser comes from the proxy's address.
    std::size_t max_connections_per_address = 64;
    // The whole request (head and body), and the wait for it, on a
    // connection that has not yet made an authenticated request (probes and
    // 401s do not count): idle sockets cannot hold the server for long.
    std::chrono::milliseconds head_timeout{5000};
    log::logger log{"swarm"};  // failed accepts and connections (server thread)
};

class server {
  public:
    using handler = std::function<void(const web_request&, web_reply)>;
    // Produces a new WebSocket client's first message by calling `send` once.
    using hello_fn = std::function<void(std::function<void(std::string)> send)>;

    // Binds and starts serving. Throws std::runtime_error naming the
    // address or the TLS file when it cannot.
    server(server_options opts, handler handle, hello_fn hello);
    ~server();  // closes every connection and joins the thread
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // "http://127.0.0.1:8089/" (with the real port and the base path).
    std::string url() const;
    // Sends `snapshot` to every WebSocket client (the newest replaces an unsent one).
    void publish(std::shared_ptr<const std::string> snapshot);

    struct core;

  private:
    std::unique_ptr<core> core_;
};

// "/swarm/", "swarm", "/" → "/swarm", "/swarm", ""; an error naming the
// character a path cannot hold.
result<std::string> normalize_base_path(const std::string& text);

}  // namespace swarm::master::web
