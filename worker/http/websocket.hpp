#pragma once
// A virtual user's WebSocket (RFC 6455): one connection opened by
// session::open_websocket (the user's cookies, headers and subprotocols on
// the HTTP upgrade), then whole messages sent and received on it, and a
// closing handshake. Pings are answered and fragments joined while a
// receive waits; nothing is read between receives.
//
// Every operation has a deadline. One that passes ends the connection (a
// WebSocket cannot take back half a frame): the operation fails with
// errc::timeout, the ones after it with errc::ws_not_open. So do protocol
// errors, an oversize message (max_message_bytes), a close by the server
// and a dropped connection, each as its own errc (errors.hpp).
//
// Belongs to one user, on that user's thread; operations must not overlap
// (a user runs one step at a time). cancel() may be called while one is
// pending (request_stop).
//
// The real one is in ws_client.cpp (Beast's websocket stream, over the same
// TCP and TLS streams as the HTTP client).

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "worker/http/errors.hpp"

namespace swarm::worker::http {

// What the HTTP upgrade asks for.
struct ws_request {
    std::string url;  // ws://, wss://, or http(s):// (the same origin's WebSocket)
    std::vector<std::pair<std::string, std::string>> headers;  // the user's, on the upgrade
    std::vector<std::string> subprotocols;  // offered in Sec-WebSocket-Protocol, in order
    std::chrono::microseconds timeout{0};   // connect + TLS + upgrade; 0: the session's default
    std::uint64_t max_message_bytes = std::uint64_t{1} << 20;  // receives beyond it fail
};

// One received message, whole (fragments joined).
struct ws_message {
    std::string data;
    bool binary = false;
};

using ws_result = swarm::result<void, error>;

class websocket {
  public:
    virtual ~websocket() = default;

    // A `timeout` of 0 is the session's default (--request-timeout).
    // Sends one message (masked, as a client must).
    virtual boost::asio::awaitable<ws_result> send(std::string_view payload, bool binary,
                                                   std::chrono::microseconds timeout) = 0;
    // The next data message; a close from the server fails it (errc::ws_closed,
    // with the server's code and reason).
    virtual boost::asio::awaitable<ws_result> receive(ws_message& out,
                                                      std::chrono::microseconds timeout) = 0;
    // Sends a close frame and waits for the server's (messages before it are
    // dropped), then the connection is closed.
    virtual boost::asio::awaitable<ws_result> close(std::uint16_t code, std::string_view reason,
                                                    std::chrono::microseconds timeout) = 0;
    // Ends the pending operation now (errc::cancelled) and the connection.
    virtual void cancel() = 0;
    // Operations can still succeed (no failure, close or cancel so far).
    virtual bool is_open() const = 0;
    // The subprotocol the server chose ("" when none).
    virtual std::string_view subprotocol() const = 0;
};

using ws_open_result = swarm::result<std::unique_ptr<websocket>, error>;

// ws:// → http://, wss:// → https:// (other text unchanged): the URL of the
// upgrade request, whose cookies, origin and TLS rules are HTTP's.
std::string ws_to_http_url(std::string_view url);

}  // namespace swarm::worker::http
