#pragma once
// One virtual user's cookies, kept by the rules of RFC 6265: Set-Cookie
// parsing (Domain, Path, Expires, Max-Age, Secure, HttpOnly), host-only and
// domain cookies, default-path, domain and path matching, expiry, Secure
// cookies sent only over https, replacement by (name, domain, path) and the
// Cookie header's order (longer paths first, then older first).
//
// Bounded: at most `max_cookies` cookies (the oldest is evicted) and
// `max_cookie_bytes` for a cookie's name + value (larger ones are ignored),
// so a hostile site cannot grow a user's memory.
//
// No Asio here. A jar belongs to one user, on that user's thread. The clock is
// a parameter so tests can move time.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace swarm::worker::http {

struct cookie {
    std::string name;
    std::string value;
    std::string domain;  // lower case, no leading dot; the request host for host-only cookies
    std::string path;    // starts with '/'
    std::int64_t expires = session_expiry;  // unix seconds; session_expiry = until the user stops
    std::uint64_t created = 0;              // insertion sequence: older cookies sort first
    bool host_only = true;                  // no Domain attribute: only this exact host
    bool secure = false;                    // sent only over https
    bool http_only = false;                 // kept for completeness; HTTP always sees it

    static constexpr std::int64_t session_expiry = INT64_MAX;
};

// Where a cookie is read or written: the request URL's parts.
struct cookie_origin {
    std::string_view host;  // as in the URL (case is ignored)
    std::string_view path;  // the URL path, without the query; empty means "/"
    bool secure = false;    // https
};

class cookie_jar {
  public:
    using clock = std::chrono::system_clock;

    static constexpr std::size_t max_cookies = 300;
    static constexpr std::size_t max_cookie_bytes = 4096;

    // Stores (or replaces, or with a past expiry removes) the cookie of one
    // Set-Cookie header value received from `from`. Invalid ones are ignored.
    void set(std::string_view set_cookie, const cookie_origin& from,
             clock::time_point now = clock::now());

    // The Cookie header value for a request to `to` ("a=1; b=2"); empty if none.
    // Drops expired cookies as it goes.
    std::string header_for(const cookie_origin& to, clock::time_point now = clock::now());

    // The cookie named `name` that a request to `to` would carry, or nullptr.
    const cookie* find(const cookie_origin& to, std::string_view name,
                       clock::time_point now = clock::now()) const;

    const std::vector<cookie>& all() const { return cookies_; }
    std::size_t size() const { return cookies_.size(); }
    void clear() {
        cookies_.clear();
        earliest_expiry_ = cookie::session_expiry;
    }

  private:
    void drop_expired(std::int64_t now_s);
    void insert(cookie c);

    std::vector<cookie> cookies_;
    std::uint64_t next_created_ = 0;
    // No cookie expires before this (unix seconds; may be earlier than the
    // true minimum): lets a request skip the expiry sweep.
    std::int64_t earliest_expiry_ = cookie::session_expiry;
};

// Rules exposed for tests. `host` and `domain` are lower case.
bool cookie_domain_matches(std::string_view host, std::string_view domain);
bool cookie_path_matches(std::string_view request_path, std::string_view cookie_path);
std::string cookie_default_path(std::string_view request_path);
// RFC 6265 §5.1.1 cookie-date → unix seconds; false when it is not a date.
bool parse_cookie_date(std::string_view text, std::int64_t& unix_seconds);

}  // namespace swarm::worker::http
