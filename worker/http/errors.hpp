#pragma once
// How a send failed, as data: the kind a caller can branch on and the detail
// the kind alone does not say. http::session::send returns it in
// swarm::result<response, http::error> (common/result.hpp).
//
// No wording here: the text a user reads ("connection refused", "timeout
// after 2s") is made only where the failure is recorded
// (worker/user/failure_text.hpp), from the kind and the detail.
//
// A plain value; any thread.

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

namespace swarm::worker::http {

enum class errc : std::uint8_t {
    // Before anything is sent.
    invalid_url,         // detail: the URL
    unsupported_scheme,  // detail: the URL's scheme ("ftp")
    dns,                 // detail: "host: the resolver's reason"
    no_descriptors,      // no socket: the process is out of file descriptors
    no_socket,           // no socket for another reason; detail: the system's reason
    // Connecting (within client_options::connect_timeout).
    refused,
    connect_timeout,
    tls,                // the handshake failed; detail: why ("certificate verify failed (...)")
    handshake_timeout,  // connect_timeout passed during the TLS handshake
    // The exchange.
    timeout,  // the request's own deadline; detail: that timeout as written ("200ms")
    reset,    // reset (or aborted) by the peer
    closed,   // closed before the response was complete
    // A reused keep-alive connection closed before any byte of the response,
    // under a request that is not idempotent (POST, PATCH): the server may have
    // acted on it, so it is not re-sent. detail: the method ("POST").
    closed_not_retried,
    header_too_large,    // status line + headers over client_options::max_header_bytes
    body_too_large,      // as received; detail: the limit as written ("16 MiB")
    decoded_too_large,   // after gzip/deflate; detail: the limit as written
    malformed,           // not HTTP/1.x, or a corrupt encoding; detail: what is wrong
    too_many_redirects,  // detail: the limit ("10")
    bad_redirect,        // a Location that is no URI reference; detail: the Location
    // HTTP/2 (h2_session.hpp).
    stream_reset,  // RST_STREAM from the server; detail: its error code's name ("REFUSED_STREAM")
    // GOAWAY before the server processed the stream (and it was not, or no
    // longer, retried); detail: the GOAWAY's error code name ("NO_ERROR").
    goaway,
    // The server broke HTTP/2 (a connection error: bad frames, a SETTINGS or
    // PING flood); detail: what ("flooding was detected", nghttp2's reason).
    h2_protocol,
    cancelled,  // session::close() during the send
    // WebSocket (websocket.hpp).
    ws_declined,   // the server answered the upgrade with another status; detail: "403"
    ws_handshake,  // a malformed or refused upgrade answer; detail: what is wrong
    ws_closed,     // the server closed it; detail: its code and reason ("1001 going away")
    ws_dropped,    // the connection ended without a close frame
    ws_too_large,  // a message over max_message; detail: the limit as written ("1 MiB")
    ws_protocol,   // a frame breaking RFC 6455 (bad opcode, bad UTF-8, ...); detail: which
    ws_not_open,   // a step with no open WebSocket; detail: why ("none opened", "closed")
    io,            // any other socket error; detail: the system's message
    internal,      // an unexpected exception (a bug, no memory); detail: its what()
    // internal stays last: failure_text_test counts every kind up to it.
};

struct error {
    error() = default;
    explicit error(errc k, std::string d = {}) : kind(k), detail(std::move(d)) {}

    errc kind = errc::internal;
    std::string detail;                    // see errc; empty where the kind says it all
    std::chrono::microseconds latency{0};  // from the send to the failure, for stats
    // A response that came before the failure (a redirect that could not be
    // followed, a body that would not decode): its status and body bytes as
    // received, which the stats and `last.status` count as for any response.
    int status = 0;
    std::uint64_t wire_bytes = 0;
};

}  // namespace swarm::worker::http
