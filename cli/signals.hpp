#pragma once
// SIGINT/SIGTERM → a flag the run loops poll, so a stop is graceful: users
// stop, the last stats arrive, the summary is printed and reports written.
// A second signal exits at once.

#include <atomic>

namespace swarm::cli {

const std::atomic<bool>& install_stop_signals();

}  // namespace swarm::cli
