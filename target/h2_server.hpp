#pragma once
// HTTP/2 connections of `swarm target` on Asio: drives one h2_session
// (h2_session.hpp) over an accepted stream, on the io thread that owns the
// connection (no thread of its own). server.cpp decides which protocol a
// connection speaks (the preface for h2c, ALPN over TLS) and hands it here.
//
// Two coroutines share the connection: a reader feeds nghttp2 what arrives,
// a writer sends what nghttp2 queues and answers delayed requests when due.
// The reader waits while the writer is backed up, so a client that never
// reads cannot make the target queue without bound; every wait has a deadline
// (30 s idle, counted from the last delayed answer due; 30 s per write).

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <string_view>

namespace swarm::target {

class site;
class thread_counters;

// What a client speaking HTTP/2 with prior knowledge sends first (RFC 9113 3.4).
inline constexpr std::string_view h2_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

// Serves HTTP/2 until either side ends the connection. `already_read` is what
// the protocol sniffing consumed (the preface, perhaps more); the caller then
// closes the stream.
boost::asio::awaitable<void> serve_h2(boost::beast::tcp_stream& stream,
                                      std::string_view already_read, site& s,
                                      thread_counters& counters);
boost::asio::awaitable<void> serve_h2(boost::beast::ssl_stream<boost::beast::tcp_stream>& stream,
                                      site& s, thread_counters& counters);

}  // namespace swarm::target
