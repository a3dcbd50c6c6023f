// The words of every kind of failed send, byte for byte: users grep reports
// for them, and the integration tests hold swarm's counts against them.

#include <gtest/gtest.h>

#include <set>

#include "common/printable.hpp"
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
        {http::error(errc::stream_reset, "REFUSED_STREAM"),
         "HTTP/2 stream reset by the server (REFUSED_STREAM)"},
        {http::error(errc::goaway, "NO_ERROR"),
         "HTTP/2 GOAWAY (NO_ERROR) before the server processed the request"},
        {http::error(errc::h2_protocol, "SETTINGS or PING flood"),
         "HTTP/2 protocol error: SETTINGS or PING flood"},
        {http::error(errc::cancelled), "cancelled: test stopped"},
        {http::error(errc::ws_declined, "403"), "WebSocket upgrade declined: HTTP 403"},
        {http::error(errc::ws_handshake, "bad Sec-WebSocket-Accept"),
         "WebSocket handshake failed: bad Sec-WebSocket-Accept"},
        {http::error(errc::ws_closed, "1001 going away: bye"),
         "WebSocket closed by the server: 1001 going away: bye"},
        {http::error(errc::ws_dropped), "WebSocket connection lost without a close frame"},
        {http::error(errc::ws_too_large, "1 MiB"), "WebSocket message too large (limit 1 MiB)"},
        {http::error(errc::ws_protocol, "bad opcode"), "WebSocket protocol error: bad opcode"},
        {http::error(errc::ws_not_open, "none opened"), "no open WebSocket (none opened)"},
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

// Details come from outside: a Location, a URL built from a response, a
// certificate. Control bytes and invalid UTF-8 come out as \xNN, valid UTF-8
// as is, and only the first 120 bytes are kept.
TEST(failure_text, escapes_and_caps_what_came_from_outside) {
    EXPECT_EQ(
        failure_text(http::error(errc::bad_redirect, std::string("/a\x00\x1b[31m\xff\x7f", 10))),
        R"(invalid redirect Location '/a\x00\x1b[31m\xff\x7f')");
    EXPECT_EQ(failure_text(http::error(errc::invalid_url, "http://h/caf\xc3\xa9\xc2\x85")),
              "invalid URL 'http://h/caf\xc3\xa9\\xc2\\x85'");  // é kept, C1 NEL escaped
    EXPECT_EQ(failure_text(http::error(errc::dns, std::string(1000, 'a'))),
              "DNS failure: " + std::string(120, 'a') + "... (1000 bytes)");
}

TEST(printable, keeps_valid_utf8_and_escapes_the_rest) {
    EXPECT_EQ(printable("plain text ~"), "plain text ~");
    EXPECT_EQ(printable("\t\r\n"), R"(\x09\x0d\x0a)");
    EXPECT_EQ(printable("\xe2\x82\xac \xf0\x9f\x98\x80"), "\xe2\x82\xac \xf0\x9f\x98\x80");  // € 😀
    EXPECT_EQ(printable("\xc0\xaf"), R"(\xc0\xaf)");          // overlong '/'
    EXPECT_EQ(printable("\xed\xa0\x80"), R"(\xed\xa0\x80)");  // a surrogate
    EXPECT_EQ(printable("\xe2\x82"), R"(\xe2\x82)");          // cut short
    EXPECT_EQ(printable("abcdef", 3), "abc... (6 bytes)");
    EXPECT_EQ(printable(""), "");
}

}  // namespace
}  // namespace swarm::worker::user
