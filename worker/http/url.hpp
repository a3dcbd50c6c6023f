#pragma once
// The parts of a request URL the client needs, parsed with Boost.URL, and the
// resolution of a redirect's Location against the URL that answered it.
//
// Plain functions over strings; callable from any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace swarm::worker::http {

struct target_url {
    bool tls = false;         // https
    std::string host;         // for DNS, SNI and cookies: lower case, IPv6 without brackets
    std::uint16_t port = 0;   // explicit or the scheme's default
    std::string host_header;  // the Host header: host (IPv6 in brackets), ":port" unless default
    std::string target;       // origin-form: path ("/" if empty) and "?query"; no fragment
    std::string path;         // path alone, for cookie matching
    std::string origin;       // "https://host:port": the key of a keep-alive connection
};

// Parses an absolute http(s) URL. On failure returns nullopt and sets `error`
// to "invalid URL '<url>'" or "unsupported URL scheme '<scheme>'".
std::optional<target_url> parse_target_url(std::string_view url, std::string& error);

// `location` (absolute or relative) resolved against `base`; nullopt when it is
// not a URI reference.
std::optional<std::string> resolve_location(std::string_view base, std::string_view location);

}  // namespace swarm::worker::http
