#pragma once
// Where `swarm worker --master` finds its master, as users write it — "host",
// "host:port", "[::1]:5557", "tcp://host:port" — turned into the ZeroMQ tcp
// endpoint the worker connects to. Plain functions; any thread.

#include <string>
#include <string_view>

namespace swarm::worker {

inline constexpr int default_master_port = 5557;

struct master_address {
    std::string endpoint;  // "tcp://host:port", "tcp://[v6]:port"; empty on error
    std::string error;     // what is wrong with the text, when endpoint is empty
};

// Names the problem ("port '99999' is not between 1 and 65535") rather than
// guessing: anything but the forms above is an error.
master_address parse_master_address(std::string_view text, int default_port = default_master_port);

}  // namespace swarm::worker
