#pragma once
// bench/fanin: the `swarm master` under measurement, as a child process, and
// what /proc says it costs.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace swarm::bench {

class master_process {
  public:
    // Starts argv with stdout and stderr going to `log_path`, pinned to CPU
    // `cpu` when it is >= 0. Throws std::runtime_error when it cannot start.
    master_process(const std::vector<std::string>& argv, const std::string& log_path, int cpu);
    ~master_process();  // SIGTERM, then SIGKILL after 5 s; always reaped
    master_process(const master_process&) = delete;
    master_process& operator=(const master_process&) = delete;

    pid_t pid() const { return pid_; }
    // Its exit code once it has exited (128 + signal when killed); never blocks.
    std::optional<int> poll_exit();
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    // user + system CPU seconds of its whole life, once it has exited (from wait4).
    double total_cpu_seconds() const { return total_cpu_; }

  private:
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
    double total_cpu_ = 0;
};

// user + system CPU seconds `pid` has used so far (from /proc/PID/stat); -1 when gone.
double cpu_seconds(pid_t pid);
// Resident set size of `pid` in bytes (from /proc/PID/status); 0 when gone.
std::uint64_t rss_bytes(pid_t pid);

}  // namespace swarm::bench
