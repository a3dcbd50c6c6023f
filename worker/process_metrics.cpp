#include "worker/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>

namespace swarm::worker {

process_metrics::usage process_metrics::sample() {
    usage u;
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                       static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    const auto now = std::chrono::steady_clock::now();
    if (last_cpu_seconds_ >= 0) {
        const double wall = std::chrono::duration<double>(now - last_time_).count();
        if (wall > 0) u.cpu_percent = 100.0 * (cpu - last_cpu_seconds_) / wall;
    }
    last_cpu_seconds_ = cpu;
    last_time_ = now;
    // statm: size resident shared ... in pages
    std::ifstream statm("/proc/self/statm");
    std::uint64_t size = 0, resident = 0;
    if (statm >> size >> resident)
        u.rss_bytes = resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
    return u;
}

}  // namespace swarm::worker
