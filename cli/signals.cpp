#include "cli/signals.hpp"

#include <unistd.h>
#include <csignal>
#include <cstdlib>

namespace swarm::cli {
namespace {

stop_signals flags;
std::atomic<int> received{0};

extern "C" void on_stop_signal(int) {
    // Only lock-free atomics and _exit here: async-signal-safe.
    switch (received.fetch_add(1)) {
        case 0:
            flags.stop.store(true);
            break;
        case 1:
            flags.again.store(true);
            break;
        default:
            _exit(130);  // a third: the process no longer listens, the user means it
    }
}

}  // namespace

const stop_signals& install_stop_signals() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);  // a closed socket is an error value, not a death
    return flags;
}

}  // namespace swarm::cli
