#include "worker/master_address.hpp"

#include <cctype>

namespace swarm::worker {
namespace {

bool valid_host_name(std::string_view host) {
    if (host.empty() || host.size() > 253) return false;
    for (const char c : host) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') return false;
    }
    return host.front() != '-' && host.front() != '.';
}

// The inside of "[...]": an IPv6 literal (hex digits, ':' and an embedded IPv4's '.').
bool valid_ipv6(std::string_view host) {
    if (host.size() < 2 || host.size() > 45 || host.find(':') == std::string_view::npos) return false;
    for (const char c : host) {
        if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
    }
    return true;
}

master_address fail(std::string error) { return {{}, std::move(error)}; }

}  // namespace

master_address parse_master_address(std::string_view text, int default_port) {
    constexpr std::string_view scheme = "tcp://";
    if (text.substr(0, scheme.size()) == scheme) text.remove_prefix(scheme.size());
    if (text.empty()) return fail("no host");
    if (text.find("://") != std::string_view::npos) return fail("only tcp:// is supported");

    std::string_view host;
    std::string_view port;
    bool bracketed = false;
    if (text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) return fail("'[' without ']'");
        host = text.substr(1, close - 1);
        bracketed = true;
        const auto rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return fail("expected ':PORT' after ']'");
            port = rest.substr(1);
            if (port.empty()) return fail("no port after ':'");
        }
        if (!valid_ipv6(host)) return fail("'" + std::string(host) + "' is not an IPv6 address");
    } else {
        const auto colon = text.find(':');
        host = text.substr(0, colon);
        if (colon != std::string_view::npos) {
            port = text.substr(colon + 1);
            if (port.empty()) return fail("no port after ':'");
            if (port.find(':') != std::string_view::npos) {
                return fail("too many ':' (write an IPv6 address in brackets: [::1]:5557)");
            }
        }
        if (!valid_host_name(host)) return fail("'" + std::string(host) + "' is not a host name or address");
    }

    int port_number = default_port;
    if (!port.empty()) {
        if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
            return fail("port '" + std::string(port) + "' is not a number");
        }
        port_number = std::stoi(std::string(port));
        if (port_number < 1 || port_number > 65535) {
            return fail("port '" + std::string(port) + "' is not between 1 and 65535");
        }
    }
    const std::string shown = bracketed ? "[" + std::string(host) + "]" : std::string(host);
    return {"tcp://" + shown + ":" + std::to_string(port_number), {}};
}

}  // namespace swarm::worker
