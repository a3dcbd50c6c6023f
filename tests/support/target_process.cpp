#include "tests/support/target_process.hpp"

#include "tests/support/http_client.hpp"

#include <cstdlib>
#include <stdexcept>

namespace swarm::test {

std::string swarm_binary() {
    if (const char* env = std::getenv("SWARM_BIN"); env && *env) return env;
#ifdef SWARM_BIN
    return SWARM_BIN;
#else
    throw std::runtime_error("swarm_binary: set SWARM_BIN (the build has no swarm target)");
#endif
}

running_target start_target(const std::vector<std::string>& extra_args,
                            std::chrono::milliseconds timeout) {
    static const std::string prefix = "swarm target listening on ";
    std::vector<std::string> argv{swarm_binary(), "target", "--listen", "127.0.0.1:0"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    running_target target;
    target.process = std::make_unique<child_process>(argv);
    const auto line = target.process->wait_for_line(prefix, timeout);
    if (!line) {
        std::string printed;
        for (const auto& l : target.process->lines()) printed += "\n  " + l;
        throw std::runtime_error("swarm target did not start listening; it printed:" + printed);
    }
    target.url = line->substr(prefix.size());
    const url_parts parts = parse_url(target.url);
    target.host = parts.host;
    target.port = parts.port;
    return target;
}

}  // namespace swarm::test
