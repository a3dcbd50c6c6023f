#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace swarm::test {

child_process::child_process(std::vector<std::string> argv) {
    if (argv.empty()) throw std::runtime_error("child_process: empty argv");
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("child_process: pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    const int rc = posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        throw std::runtime_error("child_process: cannot start " + argv[0] + ": " +
                                 std::strerror(rc));
    }
    reader_ = std::thread([this, fd = fds[0]] { read_stdout(fd); });
}

child_process::~child_process() {
    if (!exit_code_) {
        send_signal(SIGTERM);
        if (!wait_exit(std::chrono::seconds(5))) {
            send_signal(SIGKILL);
            wait_exit(std::chrono::seconds(5));
        }
    }
    if (reader_.joinable()) reader_.join();
}

void child_process::read_stdout(int fd) {
    std::string partial;
    char buf[4096];
    for (;;) {
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        std::lock_guard lock(mutex_);
        partial.append(buf, static_cast<std::size_t>(n));
        for (auto nl = partial.find('\n'); nl != std::string::npos; nl = partial.find('\n')) {
            lines_.push_back(partial.substr(0, nl));
            partial.erase(0, nl + 1);
        }
        changed_.notify_all();
    }
    close(fd);
    std::lock_guard lock(mutex_);
    if (!partial.empty()) lines_.push_back(partial);
    stdout_closed_ = true;
    changed_.notify_all();
}

std::optional<std::string> child_process::wait_for_line(const std::string& prefix,
                                                        std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    std::optional<std::string> found;
    changed_.wait_for(lock, timeout, [&] {
        for (const auto& line : lines_) {
            if (line.find(prefix) != std::string::npos) {
                found = line;
                return true;
            }
        }
        return stdout_closed_;
    });
    return found;
}

std::vector<std::string> child_process::lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
}

void child_process::send_signal(int signal) {
    if (pid_ > 0 && !exit_code_) kill(pid_, signal);
}

std::optional<int> child_process::wait_exit(std::chrono::milliseconds timeout) {
    if (exit_code_) return exit_code_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        const pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return exit_code_;
        }
        if (r < 0 && errno != EINTR) return std::nullopt;
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

}  // namespace swarm::test
