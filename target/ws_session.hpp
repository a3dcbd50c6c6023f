#pragma once
// The target's WebSocket endpoints, after server.cpp has read an upgrade
// request for one of them:
//   /ws/echo            every message back to its sender, text or binary as sent
//   /ws/chat?room=NAME  every message to every member of the room (the sender
//                       too), in order; a member whose queue holds
//                       chat_queue_limit messages loses the next ones (counted
//                       as dropped). Rooms: "lobby" when unnamed; names up to
//                       64 bytes, at most 256 rooms (others join "lobby").
// Messages up to 1 MiB (a larger one closes with 1009); idle connections are
// pinged and closed after 5 minutes without an answer (Beast's suggested
// server timeouts). Counted in site::websockets() (/__stats "ws").
//
// The only translation unit of the target with Beast's websocket templates.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <cstddef>
#include <string_view>

#include "target/routes.hpp"

namespace swarm::target {

inline constexpr std::size_t chat_queue_limit = 256;
inline constexpr std::size_t ws_message_limit = 1024 * 1024;

using ws_upgrade_request = boost::beast::http::request<boost::beast::http::string_body>;

// Whether `path` is one of the WebSocket endpoints.
bool is_ws_endpoint(std::string_view path);

// Accepts the upgrade and serves the endpoint until the connection ends.
boost::asio::awaitable<void> serve_websocket(boost::beast::tcp_stream stream,
                                             ws_upgrade_request req, site& s);
boost::asio::awaitable<void> serve_websocket(
    boost::beast::ssl_stream<boost::beast::tcp_stream> stream, ws_upgrade_request req, site& s);

}  // namespace swarm::target
