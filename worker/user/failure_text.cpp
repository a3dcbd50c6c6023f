#include "worker/user/failure_text.hpp"

namespace swarm::worker::user {

std::string failure_text(const http::error& e) {
    using http::errc;
    switch (e.kind) {
        case errc::invalid_url:
            return "invalid URL '" + e.detail + "'";
        case errc::unsupported_scheme:
            return "unsupported URL scheme '" + e.detail + "'";
        case errc::dns:
            return "DNS failure: " + e.detail;
        case errc::no_descriptors:
            return "cannot open a connection: too many open files (raise `ulimit -n`, or run fewer "
                   "users per worker)";
        case errc::no_socket:
            return "cannot open a connection: " + e.detail;
        case errc::refused:
            return "connection refused";
        case errc::connect_timeout:
            return "connect timeout";
        case errc::tls:
            return "TLS handshake failed: " + e.detail;
        case errc::handshake_timeout:
            return "TLS handshake failed: timeout";
        case errc::timeout:
            return "timeout after " + e.detail;
        case errc::reset:
            return "connection reset by peer";
        case errc::closed:
            return "connection closed before the response was complete";
        case errc::closed_not_retried:
            return "keep-alive connection closed before any response; " + e.detail +
                   " not retried (not idempotent)";
        case errc::header_too_large:
            return "response header too large";
        case errc::body_too_large:
            return "body too large (limit " + e.detail + ")";
        case errc::decoded_too_large:
            return "decompressed body too large (limit " + e.detail + ")";
        case errc::malformed:
            return "malformed response: " + e.detail;
        case errc::too_many_redirects:
            return "too many redirects (" + e.detail + ")";
        case errc::bad_redirect:
            return "invalid redirect Location '" + e.detail + "'";
        case errc::cancelled:
            return "request cancelled";
        case errc::io:
            return e.detail;
        case errc::internal:
            return "internal error: " + e.detail;
    }
    return "unknown failure: " + e.detail;
}

}  // namespace swarm::worker::user
