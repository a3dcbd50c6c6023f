#include <cctype>
#include <charconv>

#include "proto/address.hpp"

namespace swarm::proto {
namespace {

bool valid_host_name(std::string_view host) {
    if (host.empty() || host.size() > 253) return false;
    for (const char c : host) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_')
            return false;
    }
    return host.front() != '-' && host.front() != '.';
}

// The inside of "[...]": an IPv6 literal (hex digits, ':' and an embedded IPv4's '.').
bool valid_ipv6(std::string_view host) {
    if (host.size() < 2 || host.size() > 45 || host.find(':') == std::string_view::npos)
        return false;
    for (const char c : host) {
        if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
    }
    return true;
}

struct host_port {
    std::string_view host;  // without brackets
    std::string_view port;  // empty: not given
    bool bracketed = false;
};

result<host_port> split(std::string_view text) {
    host_port out;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) return fail("'[' without ']'");
        out.host = text.substr(1, close - 1);
        out.bracketed = true;
        const auto rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return fail("expected ':PORT' after ']'");
            out.port = rest.substr(1);
            if (out.port.empty()) return fail("no port after ':'");
        }
        return out;
    }
    const auto colon = text.find(':');
    out.host = text.substr(0, colon);
    if (colon != std::string_view::npos) {
        out.port = text.substr(colon + 1);
        if (out.port.empty()) return fail("no port after ':'");
        if (out.port.find(':') != std::string_view::npos) {
            return fail("too many ':' (write an IPv6 address in brackets: [::1]:5557)");
        }
    }
    return out;
}

// The port, when the text is one this use accepts.
result<int> parse_port(std::string_view port, address_use use) {
    int number = -1;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    const bool digits = port.find_first_not_of("0123456789") == std::string_view::npos;
    if (!digits || port.size() > 5 || ec != std::errc{} || end != port.data() + port.size()) {
        return fail("port '" + std::string(port) + "' is not a number");
    }
    const int lowest = use == address_use::bind ? 0 : 1;
    if (number < lowest || number > 65535) {
        return fail("port '" + std::string(port) + "' is not between " + std::to_string(lowest) +
                    " and 65535");
    }
    return number;
}

}  // namespace

result<std::string> parse_tcp_address(std::string_view text, address_use use, int default_port) {
    constexpr std::string_view scheme = "tcp://";
    if (text.substr(0, scheme.size()) == scheme) text.remove_prefix(scheme.size());
    if (text.find("://") != std::string_view::npos) return fail("only tcp:// is supported");
    if (text.empty() && use == address_use::connect) return fail("no host");

    const auto parts = split(text);
    if (!parts) return parts.error();
    std::string host(parts->host);
    if (parts->bracketed) {
        if (!valid_ipv6(host)) return fail("'" + host + "' is not an IPv6 address");
        host = "[" + host + "]";
    } else if (use == address_use::bind && (host.empty() || host == "*")) {
        host = host.empty() ? "0.0.0.0" : "*";
    } else if (!valid_host_name(host)) {
        return fail("'" + host + "' is not a host name or address");
    }

    int port = default_port;
    if (!parts->port.empty()) {
        const auto parsed = parse_port(parts->port, use);
        if (!parsed) return parsed.error();
        port = *parsed;
    }
    // ZeroMQ spells "any free port" as '*'.
    const std::string shown_port = port == 0 ? "*" : std::to_string(port);
    return "tcp://" + host + ":" + shown_port;
}

}  // namespace swarm::proto
