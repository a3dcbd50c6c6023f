#pragma once
// SIGINT/SIGTERM → flags the run loops poll, so a stop is graceful: users
// stop, the last stats arrive, the summary is printed and reports written.
// A second signal sets `again`: cancel everything now (in-flight requests and
// on_stop), collect the last stats for a moment, and still write every
// report. A third exits at once (130), for a process that no longer listens.

#include <atomic>

namespace swarm::cli {

struct stop_signals {
    std::atomic<bool> stop{false};   // the first SIGINT/SIGTERM
    std::atomic<bool> again{false};  // the second
};

// Installs the handlers (once per process) and returns the flags they set.
const stop_signals& install_stop_signals();

}  // namespace swarm::cli
