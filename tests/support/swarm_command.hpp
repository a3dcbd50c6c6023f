#pragma once
// Running `swarm ARGS...` to completion as a user would, for tests of the
// command line: exit code and everything it printed.

#include <string>
#include <vector>

namespace swarm::test {

struct command_result {
    int exit_code = -1;  // -1 when it did not exit normally (killed at the timeout)
    std::string output;  // stdout and stderr together
};

// Runs the swarm binary under test (swarm_binary()) with `args`, each passed
// as one argument; killed after `timeout_s` seconds.
command_result run_swarm_command(const std::vector<std::string>& args, int timeout_s = 30);

}  // namespace swarm::test
