#pragma once
// A child process for integration tests: started from an argv, its stdout
// captured line by line (stderr is inherited, so it shows in the test log),
// SIGTERM'd and reaped on destruction.
//
// One test thread owns a child_process; its reader thread only appends to the
// line list, which the member functions read under a lock.

#include <sys/types.h>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace swarm::test {

class child_process {
  public:
    // Starts argv[0] (searched in PATH if it has no '/') with argv. Throws
    // std::runtime_error when the process cannot be started.
    explicit child_process(std::vector<std::string> argv);
    // SIGTERM, then SIGKILL if it has not exited after 5 s; always reaps.
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    // The first stdout line (without '\n') that contains `prefix` (events are
    // log lines behind a time and a level: "... INFO  swarm master: All users
    // spawned"), waiting up to `timeout` for it; nullopt on timeout or when
    // stdout closed first.
    std::optional<std::string> wait_for_line(const std::string& prefix,
                                             std::chrono::milliseconds timeout);
    // Every stdout line so far.
    std::vector<std::string> lines() const;

    // Sends `signal` (e.g. SIGINT) to the child.
    void send_signal(int signal);
    // Waits up to `timeout` for the child to exit; its exit code, or 128+signal
    // when killed by a signal; nullopt if still running.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);

    pid_t pid() const { return pid_; }

  private:
    void read_stdout(int fd);

    pid_t pid_ = -1;
    std::optional<int> exit_code_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> lines_;
    bool stdout_closed_ = false;
    std::thread reader_;
};

}  // namespace swarm::test
