#include "worker/http/cookie_jar.hpp"

#include <boost/container/small_vector.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

#include "common/ascii.hpp"

namespace swarm::worker::http {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
    return out;
}

// Domain cookies never apply to IP addresses (RFC 6265 §5.1.3): a crude but
// sufficient test — IPv6 literals contain ':', IPv4 ones are digits and dots.
bool is_ip_address(std::string_view host) {
    if (host.find(':') != std::string_view::npos) return true;
    return !host.empty() && std::all_of(host.begin(), host.end(),
                                        [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

std::string canonical_host(std::string_view host) {
    // Brackets of an IPv6 literal are not part of the host for matching.
    if (host.size() > 1 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    return to_lower(host);
}

// canonical_host without a copy when the host is already canonical (URLs
// come parsed, lower case): `storage` holds the result only when it is not.
std::string_view canonical_host(std::string_view host, std::string& storage) {
    const bool bracketed = host.size() > 1 && host.front() == '[' && host.back() == ']';
    if (bracketed ||
        std::any_of(host.begin(), host.end(), [](char c) { return c != ascii_lower(c); })) {
        storage = canonical_host(host);
        return storage;
    }
    return host;
}

std::string_view path_or_root(std::string_view path) {
    return path.empty() ? std::string_view("/") : path;
}

std::int64_t to_unix(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool is_date_delimiter(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == 0x09 || (u >= 0x20 && u <= 0x2f) || (u >= 0x3b && u <= 0x40) ||
           (u >= 0x5b && u <= 0x60) || (u >= 0x7b && u <= 0x7e);
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// 1..max digits at the start of `token`, optionally followed by non-digits.
std::optional<int> leading_number(std::string_view token, std::size_t min, std::size_t max) {
    std::size_t n = 0;
    while (n < token.size() && is_digit(token[n])) ++n;
    if (n < min || n > max) return std::nullopt;
    int value = 0;
    std::from_chars(token.data(), token.data() + n, value);
    return value;
}

bool parse_time(std::string_view token, int& h, int& m, int& s) {
    // hms-time = time-field ":" time-field ":" time-field, each 1-2 digits.
    int parts[3];
    for (int i = 0; i < 3; ++i) {
        const auto value = leading_number(token, 1, 2);
        if (!value) return false;
        parts[i] = *value;
        const std::size_t digits = token.size() > 1 && is_digit(token[1]) ? 2 : 1;
        token.remove_prefix(digits);
        if (i < 2) {
            if (token.empty() || token.front() != ':') return false;
            token.remove_prefix(1);
        }
    }
    h = parts[0];
    m = parts[1];
    s = parts[2];
    return true;
}

std::optional<unsigned> parse_month(std::string_view token) {
    static constexpr std::array<std::string_view, 12> months = {
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
    if (token.size() < 3) return std::nullopt;
    for (unsigned i = 0; i < months.size(); ++i) {
        if (iequals(token.substr(0, 3), months[i])) return i + 1;
    }
    return std::nullopt;
}

// Max-Age's value: an optional '-' and digits; huge values saturate.
std::optional<std::int64_t> parse_max_age(std::string_view v) {
    if (v.empty()) return std::nullopt;
    const bool negative = v.front() == '-';
    const std::string_view digits = negative ? v.substr(1) : v;
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), is_digit)) return std::nullopt;
    if (negative) return -1;
    // Saturated well below INT64_MAX, so that "now + Max-Age" cannot overflow.
    constexpr std::int64_t forever = INT64_MAX / 4;
    std::int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec == std::errc::result_out_of_range || value > forever) return forever;
    return value;
}

// The parts of one Set-Cookie value, before the storage model applies.
struct parsed_set_cookie {
    std::string_view name;
    std::string_view value;
    std::optional<std::string> domain;
    std::optional<std::string_view> path;
    std::optional<std::int64_t> expires;  // unix seconds, from Expires
    std::optional<std::int64_t> max_age;  // seconds, from Max-Age (wins over Expires)
    bool secure = false;
    bool http_only = false;
};

// Longer attribute values are ignored (RFC 6265bis §5.6): the jar's bound on
// name + value would mean little if a Path or Domain could take a whole 64 KiB
// response header, in each of a user's 300 cookies.
constexpr std::size_t max_attribute_bytes = 1024;

void apply_attribute(parsed_set_cookie& out, std::string_view attr) {
    const auto eq = attr.find('=');
    const std::string_view key = trim(attr.substr(0, eq));
    const std::string_view value = eq == std::string_view::npos ? "" : trim(attr.substr(eq + 1));
    if (value.size() > max_attribute_bytes) return;
    if (iequals(key, "expires")) {
        std::int64_t t = 0;
        if (parse_cookie_date(value, t)) out.expires = t;
    } else if (iequals(key, "max-age")) {
        if (const auto age = parse_max_age(value)) out.max_age = age;
    } else if (iequals(key, "domain")) {
        std::string_view d = value;
        if (!d.empty() && d.front() == '.') d.remove_prefix(1);
        // An empty Domain is ignored, leaving a host-only cookie.
        if (!d.empty()) out.domain = to_lower(d);
    } else if (iequals(key, "path")) {
        // A Path not starting with '/' means the default path.
        out.path = value.starts_with('/') ? std::optional(value) : std::nullopt;
    } else if (iequals(key, "secure")) {
        out.secure = true;
    } else if (iequals(key, "httponly")) {
        out.http_only = true;
    }
}

std::optional<parsed_set_cookie> parse_set_cookie(std::string_view text) {
    const auto semi = text.find(';');
    const std::string_view pair = text.substr(0, semi);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    parsed_set_cookie out;
    out.name = trim(pair.substr(0, eq));
    out.value = trim(pair.substr(eq + 1));
    if (out.name.empty()) return std::nullopt;
    std::string_view rest = semi == std::string_view::npos ? "" : text.substr(semi + 1);
    while (!rest.empty()) {
        const auto next = rest.find(';');
        apply_attribute(out, rest.substr(0, next));
        rest = next == std::string_view::npos ? "" : rest.substr(next + 1);
    }
    return out;
}

}  // namespace

bool cookie_domain_matches(std::string_view host, std::string_view domain) {
    if (host == domain) return true;
    return host.size() > domain.size() && host.ends_with(domain) &&
           host[host.size() - domain.size() - 1] == '.' && !is_ip_address(host);
}

bool cookie_path_matches(std::string_view request_path, std::string_view cookie_path) {
    request_path = path_or_root(request_path);
    if (request_path == cookie_path) return true;
    if (!request_path.starts_with(cookie_path)) return false;
    return cookie_path.ends_with('/') || request_path[cookie_path.size()] == '/';
}

std::string cookie_default_path(std::string_view request_path) {
    if (request_path.empty() || request_path.front() != '/') return "/";
    const auto last = request_path.rfind('/');
    if (last == 0) return "/";
    return std::string(request_path.substr(0, last));
}

bool parse_cookie_date(std::string_view text, std::int64_t& unix_seconds) {
    std::optional<int> hour, minute, second, day, year;
    std::optional<unsigned> month;
    while (!text.empty()) {
        while (!text.empty() && is_date_delimiter(text.front())) text.remove_prefix(1);
        std::size_t n = 0;
        while (n < text.size() && !is_date_delimiter(text[n])) ++n;
        const std::string_view token = text.substr(0, n);
        text.remove_prefix(n);
        if (token.empty()) continue;
        int h = 0, m = 0, s = 0;
        if (!hour && parse_time(token, h, m, s)) {
            hour = h, minute = m, second = s;
        } else if (!day && leading_number(token, 1, 2)) {
            day = leading_number(token, 1, 2);
        } else if (!month && parse_month(token)) {
            month = parse_month(token);
        } else if (!year && leading_number(token, 2, 4)) {
            year = leading_number(token, 2, 4);
        }
    }
    if (!hour || !day || !month || !year) return false;
    int y = *year;
    if (y >= 70 && y <= 99) y += 1900;
    if (y >= 0 && y <= 69) y += 2000;
    if (*day < 1 || *day > 31 || y < 1601 || *hour > 23 || *minute > 59 || *second > 59) {
        return false;
    }
    unix_seconds = days_from_civil(y, *month, static_cast<unsigned>(*day)) * 86400 + *hour * 3600 +
                   *minute * 60 + *second;
    return true;
}

void cookie_jar::set(std::string_view set_cookie, const cookie_origin& from,
                     clock::time_point now) {
    const auto parsed = parse_set_cookie(set_cookie);
    if (!parsed || parsed->name.size() + parsed->value.size() > max_cookie_bytes) return;
    const std::string host = canonical_host(from.host);
    cookie c;
    c.name = parsed->name;
    c.value = parsed->value;
    c.secure = parsed->secure;
    c.http_only = parsed->http_only;
    const std::int64_t now_s = to_unix(now);
    if (parsed->max_age) {
        c.expires = *parsed->max_age <= 0 ? INT64_MIN : now_s + *parsed->max_age;
    } else if (parsed->expires) {
        c.expires = *parsed->expires;
    }
    if (parsed->domain && *parsed->domain != host) {
        // A site may widen a cookie only to a parent domain of itself, and a
        // bare top-level name (no public-suffix list here) is refused.
        if (!cookie_domain_matches(host, *parsed->domain) ||
            parsed->domain->find('.') == std::string::npos) {
            return;
        }
        c.domain = *parsed->domain;
        c.host_only = false;
    } else {
        c.domain = host;
        c.host_only = !parsed->domain.has_value();
    }
    c.path = parsed->path ? std::string(*parsed->path) : cookie_default_path(from.path);
    drop_expired(now_s);
    insert(std::move(c));
    drop_expired(now_s);
}

void cookie_jar::insert(cookie c) {
    const auto same = std::find_if(cookies_.begin(), cookies_.end(), [&](const cookie& old) {
        return old.name == c.name && old.domain == c.domain && old.path == c.path;
    });
    if (same != cookies_.end()) {
        // Replacement keeps the original creation time (RFC 6265 §5.3 step 11).
        c.created = same->created;
        earliest_expiry_ = std::min(earliest_expiry_, c.expires);
        *same = std::move(c);
        return;
    }
    c.created = next_created_++;
    earliest_expiry_ = std::min(earliest_expiry_, c.expires);
    if (cookies_.size() >= max_cookies) {
        const auto oldest = std::min_element(
            cookies_.begin(), cookies_.end(),
            [](const cookie& a, const cookie& b) { return a.created < b.created; });
        cookies_.erase(oldest);
    }
    cookies_.push_back(std::move(c));
}

void cookie_jar::drop_expired(std::int64_t now_s) {
    if (now_s < earliest_expiry_) return;  // the usual case: nothing has expired
    std::erase_if(cookies_, [&](const cookie& c) { return c.expires <= now_s; });
    earliest_expiry_ = cookie::session_expiry;
    for (const auto& c : cookies_) earliest_expiry_ = std::min(earliest_expiry_, c.expires);
}

namespace {

bool applies(const cookie& c, std::string_view host, const cookie_origin& to, std::int64_t now_s) {
    if (c.expires <= now_s) return false;
    if (c.secure && !to.secure) return false;
    const bool domain_ok = c.host_only ? host == c.domain : cookie_domain_matches(host, c.domain);
    return domain_ok && cookie_path_matches(to.path, c.path);
}

}  // namespace

std::string cookie_jar::header_for(const cookie_origin& to, clock::time_point now) {
    if (cookies_.empty()) return {};  // most requests of most users: nothing to do
    const std::int64_t now_s = to_unix(now);
    drop_expired(now_s);
    std::string storage;
    const std::string_view host = canonical_host(to.host, storage);
    // On the stack for the usual handful; allocates only beyond that.
    boost::container::small_vector<const cookie*, 16> matching;
    for (const auto& c : cookies_) {
        if (applies(c, host, to, now_s)) matching.push_back(&c);
    }
    std::sort(matching.begin(), matching.end(), [](const cookie* a, const cookie* b) {
        if (a->path.size() != b->path.size()) return a->path.size() > b->path.size();
        return a->created < b->created;
    });
    std::size_t bytes = 0;
    for (const cookie* c : matching) bytes += c->name.size() + c->value.size() + 3;
    std::string header;
    header.reserve(bytes);  // one allocation for the whole header
    for (const cookie* c : matching) {
        if (!header.empty()) header += "; ";
        header += c->name;
        header += '=';
        header += c->value;
    }
    return header;
}

const cookie* cookie_jar::find(const cookie_origin& to, std::string_view name,
                               clock::time_point now) const {
    const std::int64_t now_s = to_unix(now);
    std::string storage;
    const std::string_view host = canonical_host(to.host, storage);
    const cookie* best = nullptr;
    for (const auto& c : cookies_) {
        if (c.name != name || !applies(c, host, to, now_s)) continue;
        // The one that would come first in the Cookie header.
        if (!best || c.path.size() > best->path.size() ||
            (c.path.size() == best->path.size() && c.created < best->created)) {
            best = &c;
        }
    }
    return best;
}

}  // namespace swarm::worker::http
