// Is a bind address reachable only from this host? Without a key file, anyone
// who reaches the master's port can join as a worker and be sent a scenario,
// or connect a fake worker and feed it statistics; on loopback that is only
// this host's users.
#include <arpa/inet.h>

#include <optional>
#include <string>
#include <string_view>

#include "proto/auth.hpp"

namespace swarm::proto {

bool is_loopback_host(const std::string& host) {
    if (host == "localhost") return true;
    in_addr v4{};
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    in6_addr v6{};
    if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6) != 0;
    return false;  // "*", "0.0.0.0", an interface name, a host name: not provably local
}

std::optional<std::string> plaintext_bind_warning(const std::string& endpoint) {
    std::string_view rest = endpoint;
    constexpr std::string_view tcp = "tcp://";
    if (rest.substr(0, tcp.size()) == tcp) {
        rest.remove_prefix(tcp.size());
    } else if (rest.find("://") != std::string_view::npos) {
        return std::nullopt;  // inproc:// and the like never leave the process
    }
    const auto colon = rest.rfind(':');
    std::string_view host = rest.substr(0, colon);
    const std::string_view port = colon == std::string_view::npos ? "" : rest.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    if (is_loopback_host(std::string(host))) return std::nullopt;
    // '*' is ZeroMQ's "any free port" (--bind HOST:0): not a port to name.
    const std::string which = port == "*" ? "the port" : "port " + std::string(port);
    return "binding " + std::string(rest) + " without --auth-key-file: anyone who can reach " +
           which + " can run load from your workers (see README: Securing the worker port)";
}

}  // namespace swarm::proto
