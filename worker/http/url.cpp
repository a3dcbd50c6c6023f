#include "worker/http/url.hpp"

#include <boost/url.hpp>

#include <algorithm>

#include "common/ascii.hpp"

namespace swarm::worker::http {

namespace {

// A host name decoded from percent-escapes may hold what no host name can
// (the WHATWG URL standard's forbidden domain code points): "a.com%00.b.com"
// would resolve as a.com (getaddrinfo stops at the NUL) but match b.com's
// cookies.
bool is_forbidden_in_name(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f ||
           std::string_view("#%/:<>?@[\\]^|").find(c) != std::string_view::npos;
}

}  // namespace

swarm::result<target_url, error> parse_target_url(std::string_view url) {
    const auto invalid = [&] { return error{errc::invalid_url, std::string(url)}; };
    const auto parsed = boost::urls::parse_uri(url);
    if (!parsed) return invalid();
    const boost::urls::url_view& u = *parsed;
    target_url out;
    const auto scheme = u.scheme_id();
    if (scheme == boost::urls::scheme::https) {
        out.tls = true;
    } else if (scheme != boost::urls::scheme::http) {
        return error{errc::unsupported_scheme, std::string(u.scheme())};
    }
    // After an authority a path is empty or starts with '/' (RFC 3986
    // path-abempty), but Boost.URL 1.81 reads "http://[::1]w:80/a" as host
    // [::1] and path "w:80/a": that would go on the wire as the request target.
    const bool absolute_path = u.encoded_path().empty() || u.encoded_path().starts_with('/');
    out.host = u.host_address();  // percent-decoded
    const bool bad_name = u.host_type() == boost::urls::host_type::name &&
                          std::any_of(out.host.begin(), out.host.end(), is_forbidden_in_name);
    if (!u.has_authority() || out.host.empty() || !absolute_path || bad_name ||
        (u.has_port() && (u.port().empty() || u.port_number() == 0))) {
        return invalid();
    }
    std::transform(out.host.begin(), out.host.end(), out.host.begin(), swarm::ascii_lower);
    const std::uint16_t default_port = out.tls ? 443 : 80;
    out.port = u.has_port() ? u.port_number() : default_port;
    out.host_header = u.encoded_host_and_port();
    if (u.has_port() && out.port == default_port) out.host_header = u.encoded_host();
    out.path = u.encoded_path();
    if (out.path.empty()) out.path = "/";
    out.target = out.path;
    if (u.has_query()) {
        out.target += '?';
        out.target += u.encoded_query();
    }
    const std::string bracketed =
        out.host.find(':') != std::string::npos ? "[" + out.host + "]" : out.host;
    out.origin =
        std::string(out.tls ? "https://" : "http://") + bracketed + ":" + std::to_string(out.port);
    return out;
}

std::optional<std::string> resolve_location(std::string_view base, std::string_view location) {
    const auto b = boost::urls::parse_uri(base);
    const auto ref = boost::urls::parse_uri_reference(location);
    if (!b || !ref) return std::nullopt;
    boost::urls::url dest;
    if (!boost::urls::resolve(*b, *ref, dest)) return std::nullopt;
    dest.remove_fragment();
    return std::string(dest.buffer());
}

bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool redirect_becomes_get(int status, scenario::http_method method) {
    using scenario::http_method;
    return (status == 303 && method != http_method::head) ||
           ((status == 301 || status == 302) && method == http_method::post);
}

}  // namespace swarm::worker::http
