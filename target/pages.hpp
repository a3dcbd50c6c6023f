#pragma once
// The demo site's HTML, rendered once at start-up (wrk's lesson: what does not
// change is formatted once). Immutable after construction; read from any thread.

#include <string>
#include <string_view>

namespace swarm::target {

struct pages {
    pages();

    std::string home;             // GET /
    std::string about;            // GET /about (mentions "Founded")
    std::string contact_head;     // GET /contact_us up to the CSRF token value
    std::string contact_tail;     // ... and after it
    std::string contact_thanks;   // POST /contact_us accepted
    std::string gzip_plain;       // GET /gzip without Accept-Encoding: gzip
    std::string gzip_compressed;  // the same page, gzip-compressed
    std::string cache_headers;    // "Cache-Control: ...\r\nExpires: ...\r\n" for static pages
};

// gzip (RFC 1952) of `data` with zlib at the default level.
std::string gzip_compress(std::string_view data);

// `text` with & < > " ' escaped for HTML text and attribute values.
std::string html_escape(std::string_view text);

// An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") for `unix_seconds`.
std::string http_date(long long unix_seconds);

}  // namespace swarm::target
