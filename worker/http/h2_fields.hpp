#pragma once
// The fields of an HTTP/2 request, from what HTTP/1.1's request head is
// made of (client.cpp's format_request): the same defaults (User-Agent,
// Accept-Encoding), the same user headers and one Cookie field, with HTTP/2's
// rules: names in lower case, Host becomes :authority, and the fields of
// HTTP/1.1 connection management (Connection, Keep-Alive, Transfer-Encoding,
// Upgrade, TE but "trailers") are left out (RFC 9113 §8.2.2).
//
// A plain function; any thread.

#include <cstdint>
#include <string>
#include <string_view>

#include "worker/http/session.hpp"

namespace swarm::worker::http {

struct h2_head {
    std::string authority;  // the Host header's value (the user's Host header wins)
    header_list fields;     // regular fields, in order
};

struct h2_head_source {
    const header_list* user_headers = nullptr;
    std::string_view host;        // the URL's Host header value
    std::string_view user_agent;  // client_options::user_agent
    std::string cookies;          // the jar's Cookie value for this URL ("" for none)
    std::size_t body_size = 0;
    bool content_length = false;  // send content-length even when the body is empty (POST, PUT)
    bool cross_origin = false;    // a redirect left the first origin: no credentials
    bool body_dropped = false;    // a redirect turned the request into a GET: no Content-Type
};

h2_head make_h2_head(h2_head_source src);

}  // namespace swarm::worker::http
