#pragma once
// What a running process (a swarm the test started) holds in memory, read
// from /proc/PID/status, for tests that bound it under an attack or a
// hostile target.

#include <sys/types.h>

#include <cstdint>

namespace swarm::test {

// VmHWM: the peak resident set so far, in KiB; 0 when unreadable (the
// process is gone).
std::uint64_t peak_rss_kib(pid_t pid);
// VmRSS: the resident set now, in KiB; 0 when unreadable.
std::uint64_t rss_kib(pid_t pid);

}  // namespace swarm::test
