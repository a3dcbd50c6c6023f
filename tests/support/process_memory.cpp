#include "tests/support/process_memory.hpp"

#include <fstream>
#include <string>
#include <string_view>

namespace swarm::test {

namespace {

std::uint64_t status_kib(pid_t pid, std::string_view field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(field, 0) == 0) return std::stoull(line.substr(field.size()));
    }
    return 0;
}

}  // namespace

std::uint64_t peak_rss_kib(pid_t pid) {
    return status_kib(pid, "VmHWM:");
}

std::uint64_t rss_kib(pid_t pid) {
    return status_kib(pid, "VmRSS:");
}

}  // namespace swarm::test
