#pragma once
// Master addresses as users write them — "host", "host:port", "[::1]:5557",
// "tcp://host:port" — turned into the ZeroMQ tcp endpoints the transport
// binds (`swarm master --bind`) or connects to (`swarm worker --master`).
// One parser for both sides so they accept the same spellings and name the
// same problems. Plain functions; any thread.

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace swarm::proto {

inline constexpr int default_master_port = 5557;

enum class address_use {
    connect,  // a worker's --master: a host is required, port 1..65535
    bind,     // the master's --bind: no host or "*" means every interface, port 0 any free port
};

// The endpoint, "tcp://host:port" or "tcp://[v6]:port". An error names the
// problem ("port '99999' is not between 1 and 65535") rather than guessing:
// anything but the forms above is one. For `bind`, a missing host becomes
// 0.0.0.0 and port 0 becomes ZeroMQ's "*" (any free port).
result<std::string> parse_tcp_address(std::string_view text, address_use use,
                                      int default_port = default_master_port);

}  // namespace swarm::proto
