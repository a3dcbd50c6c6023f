// libFuzzer target over what a worker reads from a (possibly hostile) web
// server: Set-Cookie values and cookie dates, the HTML scan of
// `extract: {input: }`, gzip/deflate bodies, redirect locations and URLs.
// A crash, hang, leak, UB or a broken invariant (std::abort) is a bug.
//
// The first byte picks the parser; the rest is split into lines where a
// parser takes more than one string:
//   0: cookies  — line 1 request host, line 2 request path, then one
//                 Set-Cookie value per line (first byte's bit 4: https)
//   1: HTML     — line 1 the input's name, the rest the page; ASCII pages
//                 are also scanned by the regexes the scanner replaced
//   2: inflate  — next byte: gzip or deflate, next two: the limit; the rest
//                 the encoded body (hostile bytes)
//   3: inflate  — the rest plain bytes, compressed here and decoded back
//   4: URLs     — line 1 the base URL, line 2 a Location value
// Seed corpus: tests/fuzz/corpus/response.
#include <zlib.h>

#include <boost/url/parse.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/worker_user/input_value_by_regex.hpp"
#include "worker/http/cookie_jar.hpp"
#include "worker/http/decode.hpp"
#include "worker/http/url.hpp"
#include "worker/user/checks.hpp"
#include "worker/user/extract.hpp"

namespace {

namespace http = swarm::worker::http;

void require(bool invariant) {
    if (!invariant) std::abort();
}

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> lines;
    for (;;) {
        const auto nl = text.find('\n');
        lines.push_back(text.substr(0, nl));
        if (nl == std::string_view::npos) return lines;
        text.remove_prefix(nl + 1);
    }
}

bool has_upper(std::string_view s) {
    for (const char c : s) {
        if (c >= 'A' && c <= 'Z') return true;
    }
    return false;
}

// The host as cookies store it: lower case, IPv6 without brackets.
std::string canonical_host(std::string_view host) {
    if (host.size() > 1 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    std::string out(host);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    return out;
}

// A Cookie header holds "name=value" of every cookie find() returns for it.
void check_header(http::cookie_jar& jar, const http::cookie_origin& to,
                  http::cookie_jar::clock::time_point now) {
    const std::string header = jar.header_for(to, now);
    for (const auto& c : jar.all()) {
        if (jar.find(to, c.name, now) == &c) {
            require(header.find(c.name + "=" + c.value) != std::string::npos);
        }
    }
}

void fuzz_cookies(std::string_view rest, bool secure) {
    const auto lines = lines_of(rest);
    if (lines.size() < 3) return;
    // A fixed clock: 2026-01-01T00:00:00Z, and a year later for expiry.
    const auto now = http::cookie_jar::clock::time_point(std::chrono::seconds(1'767'225'600));
    const auto later = now + std::chrono::hours(24 * 365);
    const http::cookie_origin from{lines[0], lines[1], secure};
    http::cookie_jar jar;
    for (std::size_t i = 2; i < lines.size(); ++i) {
        jar.set(lines[i], from, now);
        std::int64_t t = 0;
        if (http::parse_cookie_date(lines[i], t)) {
            // 1601-01-01 ≤ t < 10000-01-01: years have at most four digits.
            require(t >= -11'644'473'600 && t < 253'402'300'800);
        }
    }
    require(jar.size() <= http::cookie_jar::max_cookies);
    const std::string host = canonical_host(lines[0]);
    for (const auto& c : jar.all()) {
        require(!c.name.empty());
        require(c.name.size() + c.value.size() <= http::cookie_jar::max_cookie_bytes);
        // A Path over 1 KiB is ignored: the default path comes from the request's.
        require(c.path.starts_with('/') &&
                c.path.size() <= std::max<std::size_t>(1024, lines[1].size()));
        // A cookie is the host's own or one of its parent domains'.
        require(!has_upper(c.domain) && http::cookie_domain_matches(host, c.domain));
    }
    check_header(jar, from, now);
    check_header(jar, {lines[0], "/", !secure}, now);
    check_header(jar, {lines[0], lines[1], secure}, later);
}

using swarm::worker::user::testing::input_value_by_regex;

bool is_ascii(std::string_view s) {
    for (const char c : s) {
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    }
    return true;
}

void fuzz_html(std::string_view rest) {
    const auto nl = rest.find('\n');
    if (nl == std::string_view::npos) return;
    const std::string_view name = rest.substr(0, nl);
    const std::string_view html = rest.substr(nl + 1);
    const auto value = swarm::worker::user::find_input_value(html, name);
    // A value is a decoded slice of the page: never longer than it.
    if (value) require(value->size() <= html.size());
    // The scanner finds what the regexes found (on ASCII: with (?i), RE2 also
    // folds U+017F and U+212A into names), and the same value when there is
    // no entity to decode.
    if (!is_ascii(rest)) return;
    const auto by_regex = input_value_by_regex(html, name);
    require(value.has_value() == by_regex.has_value());
    if (value && html.find('&') == std::string_view::npos) require(*value == *by_regex);
}

void check_inflate(std::string_view encoded, bool gzip, std::size_t limit) {
    std::string out = "stale";
    const auto r = http::inflate_body(encoded, gzip, limit, out);
    require(out.size() <= limit);
    if (r != http::decode_result::ok) require(out.empty());
}

void fuzz_inflate(std::string_view rest) {
    if (rest.size() < 3) return;
    const bool gzip = rest[0] & 1;
    const std::size_t limit = static_cast<unsigned char>(rest[1]) |
                              static_cast<std::size_t>(static_cast<unsigned char>(rest[2])) << 8;
    check_inflate(rest.substr(3), gzip, limit);
}

// `plain` compressed with window bits 31 (gzip), 15 (zlib) or -15 (raw deflate).
std::string deflate_with(std::string_view plain, int window_bits) {
    z_stream z{};
    require(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8,
                         Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(deflateBound(&z, plain.size()) + 32, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
    z.avail_in = static_cast<uInt>(plain.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    require(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

// What a server compressed comes back whole within the limit, and is refused
// one byte below it.
void fuzz_round_trip(std::string_view plain) {
    for (const int bits : {31, 15, -15}) {
        const std::string packed = deflate_with(plain, bits);
        const bool gzip = bits == 31;
        std::string out;
        require(http::inflate_body(packed, gzip, plain.size(), out) == http::decode_result::ok);
        require(out == plain);
        if (!plain.empty()) {
            require(http::inflate_body(packed, gzip, plain.size() - 1, out) ==
                    http::decode_result::too_large);
            require(out.empty());
        }
        check_inflate(packed.substr(0, packed.size() / 2), gzip, plain.size());
    }
}

void check_target(const std::string& url) {
    const auto t = http::parse_target_url(url);
    if (!t) {
        const auto kind = t.error().kind;
        require(kind == http::errc::invalid_url || kind == http::errc::unsupported_scheme);
        return;
    }
    require(!t->host.empty() && !has_upper(t->host));
    // Nothing the resolver would cut the name at, nor any other control.
    for (const char c : t->host) require(static_cast<unsigned char>(c) > 0x20);
    require(t->port != 0);
    require(t->target.starts_with('/') && t->path.starts_with('/'));
    require(t->origin.starts_with(t->tls ? "https://" : "http://"));
}

void fuzz_urls(std::string_view rest) {
    const auto nl = rest.find('\n');
    const std::string base(rest.substr(0, nl));
    const std::string location(nl == std::string_view::npos ? "" : rest.substr(nl + 1));
    check_target(base);
    const auto resolved = http::resolve_location(base, location);
    if (!resolved) return;
    // A redirect's target is an absolute URI without a fragment.
    require(boost::urls::parse_uri(*resolved).has_value());
    require(resolved->find('#') == std::string::npos);
    check_target(*resolved);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0 || size > 64 * 1024) return 0;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 5) {
        case 0:
            fuzz_cookies(rest, (data[0] & 0x10) != 0);
            break;
        case 1:
            fuzz_html(rest);
            break;
        case 2:
            fuzz_inflate(rest);
            break;
        case 3:
            fuzz_round_trip(rest);
            break;
        default:
            fuzz_urls(rest);
            break;
    }
    return 0;
}
