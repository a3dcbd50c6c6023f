#pragma once
// Whether this machine can bind a socket to ::1 (some containers have no IPv6
// loopback): IPv6 tests skip with a clear message when it cannot.

namespace swarm::test {

bool has_ipv6_loopback();

}  // namespace swarm::test
