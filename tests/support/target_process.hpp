#pragma once
// A running `swarm target` for integration tests: started on 127.0.0.1 with a
// free port (--listen 127.0.0.1:0), stopped (SIGTERM) when the value is destroyed.

#include "tests/support/child_process.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace swarm::test {

// The swarm binary under test: $SWARM_BIN if set, else the one this build made.
std::string swarm_binary();

struct running_target {
    std::unique_ptr<child_process> process;
    std::string url;   // "http://127.0.0.1:PORT" (https:// with --tls-cert)
    std::string host;  // "127.0.0.1"
    std::string port;  // the port it picked
};

// Runs `swarm target --listen 127.0.0.1:0 <extra_args...>` and waits up to
// `timeout` for its "swarm target listening on URL" line. Throws
// std::runtime_error (with the lines it printed) if it does not come.
running_target start_target(const std::vector<std::string>& extra_args = {},
                            std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace swarm::test
