#include "worker/user/failure_text.hpp"

#include "common/printable.hpp"

namespace swarm::worker::user {

std::string failure_text(const http::error& error) {
    using http::errc;
    // Details come from outside (a URL built from a response, a Location, a
    // peer's certificate, a parser's complaint): printable and short, always.
    std::string detail = printable(error.detail);
    switch (error.kind) {
        case errc::invalid_url:
            return "invalid URL '" + detail + "'";
        case errc::unsupported_scheme:
            return "unsupported URL scheme '" + detail + "'";
        case errc::dns:
            return "DNS failure: " + detail;
        case errc::no_descriptors:
            return "cannot open a connection: too many open files (raise `ulimit -n`, or run fewer "
                   "users per worker)";
        case errc::no_socket:
            return "cannot open a connection: " + detail;
        case errc::refused:
            return "connection refused";
        case errc::connect_timeout:
            return "connect timeout";
        case errc::tls:
            return "TLS handshake failed: " + detail;
        case errc::handshake_timeout:
            return "TLS handshake failed: timeout";
        case errc::timeout:
            return "timeout after " + detail;
        case errc::reset:
            return "connection reset by peer";
        case errc::closed:
            return "connection closed before the response was complete";
        case errc::closed_not_retried:
            return "keep-alive connection closed before any response; " + detail +
                   " not retried (not idempotent)";
        case errc::header_too_large:
            return "response header too large";
        case errc::body_too_large:
            return "body too large (limit " + detail + ")";
        case errc::decoded_too_large:
            return "decompressed body too large (limit " + detail + ")";
        case errc::malformed:
            return "malformed response: " + detail;
        case errc::too_many_redirects:
            return "too many redirects (" + detail + ")";
        case errc::bad_redirect:
            return "invalid redirect Location '" + detail + "'";
        case errc::stream_reset:
            return "HTTP/2 stream reset by the server (" + detail + ")";
        case errc::goaway:
            return "HTTP/2 GOAWAY (" + detail + ") before the server processed the request";
        case errc::h2_protocol:
            return "HTTP/2 protocol error: " + detail;
        case errc::cancelled:
            // Only a stop cancels a send (session::close() from request_stop).
            return "cancelled: test stopped";
        case errc::ws_declined:
            return "WebSocket upgrade declined: HTTP " + detail;
        case errc::ws_handshake:
            return "WebSocket handshake failed: " + detail;
        case errc::ws_closed:
            return "WebSocket closed by the server: " + detail;
        case errc::ws_dropped:
            return "WebSocket connection lost without a close frame";
        case errc::ws_too_large:
            return "WebSocket message too large (limit " + detail + ")";
        case errc::ws_protocol:
            return "WebSocket protocol error: " + detail;
        case errc::ws_not_open:
            return "no open WebSocket (" + detail + ")";
        case errc::io:
            return detail;
        case errc::internal:
            return "internal error: " + detail;
    }
    return "unknown failure: " + detail;
}

}  // namespace swarm::worker::user
