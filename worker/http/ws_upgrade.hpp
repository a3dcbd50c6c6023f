#pragma once
// Between the HTTP client and its WebSocket: the client connects (DNS, TCP,
// TLS: its own code and deadlines), then hands the connected stream to
// ws_upgrade_over, which does the HTTP upgrade with Beast's websocket stream
// and wraps it in a websocket (ws_client.cpp, the one translation unit with
// Beast's websocket templates). Private to worker/http.
//
// On the user's thread, like the client.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "worker/http/session.hpp"
#include "worker/http/tls_stream.hpp"
#include "worker/http/websocket.hpp"

namespace swarm::worker::http {

// The client's streams: a WebSocket runs over either (tls_stream has
// Beast's teardown, so beast::websocket::stream takes it as it is).
using ws_tcp_stream = boost::asio::ip::tcp::socket;
using ws_tls_stream = tls_stream;

struct ws_upgrade {
    std::string host_header;  // Host
    std::string target;       // origin-form path and query
    std::string user_agent;
    std::string cookie_header;             // the jar's cookies and the user's Cookie
    const header_list* headers = nullptr;  // the user's others (not Host, Cookie)
    const std::vector<std::string>* subprotocols = nullptr;
    std::uint64_t max_message_bytes = 0;
    std::chrono::steady_clock::time_point deadline;  // of the whole open
    std::chrono::microseconds timeout{0};            // that open's timeout, for its message
    std::chrono::microseconds default_timeout{0};    // of a send, receive or close given none
};

struct ws_upgraded {
    std::unique_ptr<websocket> socket;
    std::vector<std::string> set_cookies;  // Set-Cookie values of the 101 answer
};

using ws_upgrade_result = swarm::result<ws_upgraded, error>;

boost::asio::awaitable<ws_upgrade_result> ws_upgrade_over(ws_tcp_stream stream,
                                                          const ws_upgrade& up);
boost::asio::awaitable<ws_upgrade_result> ws_upgrade_over(ws_tls_stream stream,
                                                          const ws_upgrade& up);

}  // namespace swarm::worker::http
