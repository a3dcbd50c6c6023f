#pragma once
// A TCP port free on 127.0.0.1, for servers that cannot listen on port 0 and
// say which port they took (nghttpd, nginx, Prometheus, Locust).
//
// Chosen below the kernel's ephemeral range (ip_local_port_range), where
// the port of an outgoing connection never lands: with ctest -j running load
// tests beside this one, a port the kernel hands out for bind(0) can be taken
// by another test's connect() before our server binds it. Random within that
// band, so two tests choosing at once rarely pick the same one.

#include <cstdint>

namespace swarm::test {

// A port nothing listens on or is bound to now; the caller's server binds it
// a moment later. Throws std::runtime_error when none is found.
std::uint16_t free_port();

}  // namespace swarm::test
