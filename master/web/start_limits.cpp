#include "master/web/start_limits.hpp"

#include <boost/url/parse.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>

#include "common/duration.hpp"
#include "common/printable.hpp"

namespace swarm::master::web {
namespace {

// Bytes of a refused value quoted back in its message.
constexpr std::size_t shown_bytes = 200;

// The whole of `text` as a double (from_chars: "nan" and "inf" included,
// which the callers then refuse); nullopt for anything else.
std::optional<double> whole_double(std::string_view text) {
    double v = 0;
    const auto* end = text.data() + text.size();
    const auto r = std::from_chars(text.data(), end, v);
    if (text.empty() || r.ec != std::errc() || r.ptr != end) return std::nullopt;
    return v;
}

std::string hex_byte(char ch) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x",
                  static_cast<unsigned>(static_cast<unsigned char>(ch)));
    return buf;
}

bool is_control(char ch) {
    const auto u = static_cast<unsigned char>(ch);
    return u < 0x20 || u == 0x7f;
}

// What a host name cannot hold once percent-decoded (the WHATWG URL
// standard's forbidden domain code points, as the worker's client refuses them).
bool forbidden_in_name(char ch) {
    return is_control(ch) || ch == ' ' || (static_cast<unsigned char>(ch) >= 0x80) ||
           std::string_view("#%/:<>?@[\\]^|").find(ch) != std::string_view::npos;
}

// Why `ch` cannot be in a host, for the message.
std::string describe(char ch) {
    if (is_control(ch)) return "a control character " + hex_byte(ch);
    if (ch == ' ') return "a space";
    if (static_cast<unsigned char>(ch) >= 0x80)
        return "a non-ASCII byte " + hex_byte(ch) + " (write the name in punycode, xn--...)";
    return std::string("'") + ch + "'";
}

}  // namespace

result<std::int64_t> parse_user_count(std::string_view text) {
    const auto v = whole_double(text);
    if (!v || !std::isfinite(*v) || *v < 0 || *v > static_cast<double>(max_users) ||
        *v != std::floor(*v)) {
        return fail("expected a whole number from 0 to " + std::to_string(max_users) + ", got '" +
                    printable(text, shown_bytes) + "'");
    }
    return static_cast<std::int64_t>(*v);
}

result<std::int64_t> parse_iterations(std::string_view text) {
    const auto v = whole_double(text);
    if (!v || !std::isfinite(*v) || *v < 1 || *v > static_cast<double>(max_iterations) ||
        *v != std::floor(*v)) {
        return fail("expected a whole number from 1 to " + std::to_string(max_iterations) +
                    ", got '" + printable(text, shown_bytes) + "'");
    }
    return static_cast<std::int64_t>(*v);
}

result<double> check_spawn_rate(double rate) {
    if (!std::isfinite(rate) || rate <= 0 || rate > max_spawn_rate) {
        char shown[32];
        std::snprintf(shown, sizeof shown, "%g", rate);
        return fail("expected a number > 0 and at most 100000000, got " + std::string(shown));
    }
    return rate;
}

result<double> parse_spawn_rate(std::string_view text) {
    const auto v = whole_double(text);
    if (!v || !check_spawn_rate(*v)) {
        return fail("expected a number > 0 and at most 100000000, got '" +
                    printable(text, shown_bytes) + "'");
    }
    return *v;
}

result<std::chrono::milliseconds> parse_run_time(std::string_view text) {
    // Run times count whole milliseconds: "1us" would be a test that stops
    // as it starts, so less than 1 ms is refused like 0.
    const auto d = parse_duration(text);
    const auto ms = d ? std::chrono::duration_cast<std::chrono::milliseconds>(*d)
                      : std::chrono::milliseconds(0);
    if (ms.count() <= 0) {
        return fail("expected a duration of at least 1ms, like 30s, 5m or 1h30m, got '" +
                    printable(text, shown_bytes) + "'");
    }
    return ms;
}

result<void> check_users_fit(std::int64_t users, std::size_t workers) {
    const auto capacity = static_cast<std::int64_t>(workers) * max_users_per_worker;
    if (users <= capacity) return {};
    const auto need = (users + max_users_per_worker - 1) / max_users_per_worker;
    return fail(std::to_string(users) + " users need " + std::to_string(need) +
                (need == 1 ? " worker" : " workers") + " (at most " +
                std::to_string(max_users_per_worker) +
                " users per worker: each holds a connection, and Linux allows a process 1048576 "
                "open files by default)");
}

result<std::string> check_target_host(std::string_view text) {
    const std::string shown = "'" + printable(text, shown_bytes) + "'";
    for (const char ch : text) {
        if (is_control(ch) || ch == ' ' || static_cast<unsigned char>(ch) >= 0x80)
            return fail(shown + " holds " + describe(ch));
    }
    if (!text.starts_with("http://") && !text.starts_with("https://"))
        return fail("expected http://... or https://..., got " + shown);
    const auto parsed = boost::urls::parse_uri(text);
    if (!parsed) return fail(shown + " is not a URL: " + parsed.error().message());
    const auto& u = *parsed;
    if (!u.has_authority() || u.encoded_host().empty()) return fail(shown + " has no host name");
    if (u.has_port()) {
        const auto port = u.port();
        std::uint32_t n = 0;
        const auto r = std::from_chars(port.data(), port.data() + port.size(), n);
        if (port.empty() || r.ec != std::errc() || r.ptr != port.data() + port.size() || n == 0 ||
            n > 65535) {
            return fail(shown + ": the port must be a number from 1 to 65535");
        }
    }
    if (u.host_type() == boost::urls::host_type::name) {
        const std::string name = u.host_address();  // percent-decoded
        for (const char ch : name) {
            if (forbidden_in_name(ch))
                return fail(shown + ": the host name holds " + describe(ch) + " (percent-encoded)");
        }
    }
    const auto path = u.encoded_path();
    if (!path.empty() && !path.starts_with('/')) return fail(shown + " is not a URL");
    return std::string(text);
}

}  // namespace swarm::master::web
