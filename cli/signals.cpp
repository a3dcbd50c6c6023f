#include "cli/signals.hpp"

#include <unistd.h>
#include <csignal>
#include <cstdlib>

namespace swarm::cli {
namespace {

std::atomic<bool> stop_requested{false};

extern "C" void on_stop_signal(int) {
    if (stop_requested.exchange(true)) _exit(130);  // second signal: the user means it
}

}  // namespace

const std::atomic<bool>& install_stop_signals() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);  // a closed socket is an error value, not a death
    return stop_requested;
}

}  // namespace swarm::cli
