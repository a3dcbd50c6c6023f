#pragma once
// The parts of a request URL the client needs, parsed with Boost.URL, and the
// rules of redirects: which statuses are followed, the resolution of a
// Location against the URL that answered it, and the method that follows.
//
// Plain functions over strings; callable from any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/scenario/plan.hpp"
#include "worker/http/errors.hpp"

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

// Parses an absolute http(s) URL. Fails with errc::invalid_url (detail: the
// URL) or errc::unsupported_scheme (detail: the scheme).
swarm::result<target_url, error> parse_target_url(std::string_view url);

// `location` (absolute or relative) resolved against `base`; nullopt when it is
// not a URI reference.
std::optional<std::string> resolve_location(std::string_view base, std::string_view location);

// A status a session follows (with a Location): 301, 302, 303, 307, 308.
bool is_redirect(int status);
// Whether the request after a `status` redirect is a GET without body, as
// browsers do it: after a 303 (but for HEAD), and after a 301 or 302 to a
// POST. Otherwise method and body stay.
bool redirect_becomes_get(int status, scenario::http_method method);

}  // namespace swarm::worker::http
