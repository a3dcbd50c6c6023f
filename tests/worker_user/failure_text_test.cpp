// The words of every kind of failed send, byte for byte: users grep reports
// for them, and the integration tests hold swarm's counts against them.

#include <gtest/gtest.h>

#include <set>

#include "worker/user/failure_text.hpp"

namespace swarm::worker::user {
namespace {

using http::errc;

TEST(failure_text, words_every_kind_of_failure) {
    const std::vector<std::pair<http::error, std::string>> rows = {
        {http::error(errc::invalid_url, "http://bad host/"), "invalid URL 'http://bad host/'"},
        {http::error(errc::unsupported_scheme, "ftp"), "unsupported URL scheme 'ftp'"},
        {http::error(errc::dns, "nowhere.invalid: Host not found"),
         "DNS failure: nowhere.invalid: Host not found"},
        {http::error(errc::no_descriptors),
         "cannot open a connection: too many open files (raise `ulimit -n`, or run fewer users "
         "per worker)"},
        {http::error(errc::no_socket, "Permission denied"),
         "cannot open a connection: Permission denied"},
        {http::error(errc::refused), "connection refused"},
        {http::error(errc::connect_timeout), "connect timeout"},
        {http::error(errc::tls, "certificate verify failed (self-signed certificate)"),
         "TLS handshake failed: certificate verify failed (self-signed certificate)"},
        {http::error(errc::handshake_timeout), "TLS handshake failed: timeout"},
        {http::error(errc::timeout, "1.5s"), "timeout after 1.5s"},
        {http::error(errc::reset), "connection reset by peer"},
        {http::error(errc::closed), "connection closed before the response was complete"},
        {http::error(errc::closed_not_retried, "POST"),
         "keep-alive connection closed before any response; POST not retried (not idempotent)"},
        {http::error(errc::header_too_large), "response header too large"},
        {http::error(errc::body_too_large, "16 MiB"), "body too large (limit 16 MiB)"},
        {http::error(errc::decoded_too_large, "16 MiB"),
         "decompressed body too large (limit 16 MiB)"},
        {http::error(errc::malformed, "corrupt gzip body"),
         "malformed response: corrupt gzip body"},
        {http::error(errc::too_many_redirects, "10"), "too many redirects (10)"},
        {http::error(errc::bad_redirect, "http://x y/"), "invalid redirect Location 'http://x y/'"},
        {http::error(errc::cancelled), "request cancelled"},
        {http::error(errc::io, "Bad file descriptor"), "Bad file descriptor"},
        {http::error(errc::internal, "std::bad_alloc"), "internal error: std::bad_alloc"},
    };
    std::set<errc> kinds;
    for (const auto& [e, text] : rows) {
        EXPECT_EQ(failure_text(e), text);
        kinds.insert(e.kind);
    }
    // Every kind has its row (internal is the last enumerator).
    EXPECT_EQ(kinds.size(), static_cast<std::size_t>(errc::internal) + 1);
}

}  // namespace
}  // namespace swarm::worker::user
