#include "tests/support/swarm_command.hpp"

#include <sys/wait.h>

#include <cstdio>

#include "tests/support/target_process.hpp"

namespace swarm::test {
namespace {

// Single quotes for the shell, with any quote inside closed and escaped.
std::string quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace

command_result run_swarm_command(const std::vector<std::string>& args, int timeout_s) {
    std::string cmd = "timeout -s KILL " + std::to_string(timeout_s) + " " + quoted(swarm_binary());
    for (const auto& a : args) cmd += " " + quoted(a);
    cmd += " 2>&1";
    command_result out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    while (auto n = std::fread(buf, 1, sizeof buf, p)) out.output.append(buf, n);
    const int status = pclose(p);
    out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

}  // namespace swarm::test
