#pragma once
// This process's CPU use and resident memory, read from /proc, for the
// heartbeat (a worker at 90 % CPU reports suspect latencies).

#include <chrono>
#include <cstdint>

namespace swarm::worker {

class process_metrics {
  public:
    struct usage {
        double cpu_percent = 0;  // of one core, since the previous sample
        std::uint64_t rss_bytes = 0;
    };
    usage sample();

  private:
    double last_cpu_seconds_ = -1;
    std::chrono::steady_clock::time_point last_time_{};
};

}  // namespace swarm::worker
