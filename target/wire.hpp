#pragma once
// HTTP/1.1 response heads, rendered by hand into a reused buffer: the site's
// responses are simple, and this keeps per-request work to a few appends.
// Pure functions, plus a per-thread cache of the Date header.

#include "target/routes.hpp"

#include <string>
#include <string_view>

namespace swarm::target {

// How the connection continues after this response.
enum class connection_mode {
    keep_alive,         // HTTP/1.1 default: no Connection header
    keep_alive_http10,  // HTTP/1.0 client asked for keep-alive: say so
    close,              // "Connection: close", then the server closes
};

// The standard reason phrase of `status`, or "Unknown" for unassigned codes.
std::string_view reason_phrase(int status);

// Appends the status line and headers of `res` (ending with the blank line)
// to `out`. Content-Length is the body's size even for HEAD, as RFC 9110 asks.
void render_head(const response& res, connection_mode mode, std::string& out);

// The current Date header value, recomputed at most once a second per thread.
std::string_view current_http_date();

// /bytes/N's body is this 64 KiB chunk ('a'..'z' repeated) over and over,
// never N bytes in memory; HTTP/1.1 and HTTP/2 send the same bytes.
const std::string& filler_pattern();

}  // namespace swarm::target
