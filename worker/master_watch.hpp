#pragma once
// The worker's view of its master's health, as a pure function of time (no
// clock reads, tested on simulated time): when the master counts as lost
// (nothing from it for `lost_after` — it heartbeats every second), when to
// say hello again while no master has welcomed the worker (backoff 1 s, 2 s,
// 4 s, then every 5 s), and when to give up (`swarm worker --master-timeout`).
//
// A plain value owned by the node's control loop (worker/node.cpp).

#include <algorithm>
#include <chrono>

namespace swarm::worker {

struct master_watch_options {
    // Silence after which the worker stops its users (no load without a
    // master) but keeps its connection and keeps reporting on it: a master
    // that was only paused or slow gets every report, in order.
    std::chrono::milliseconds lost_after{3000};
    // Further silence after which the master counts as gone: the worker
    // drops the connection and says hello again (a restarted master).
    std::chrono::milliseconds rejoin_after{3000};
    std::chrono::milliseconds give_up_after{0};   // silence that ends the worker; 0: never
    std::chrono::milliseconds first_retry{1000};  // first wait between two hellos
    std::chrono::milliseconds max_retry{5000};    // the wait doubles up to this
};

class master_watch {
  public:
    using clock = std::chrono::steady_clock;

    master_watch(const master_watch_options& opts, clock::time_point now);

    // Anything arrived from the master.
    void heard(clock::time_point now) { last_heard_ = now; }
    // How long the master has been silent (since the start when never heard).
    clock::duration silent_for(clock::time_point now) const { return now - last_heard_; }
    // Silent for longer than lost_after.
    bool lost(clock::time_point now) const { return silent_for(now) > opts_.lost_after; }
    // Silent for longer than lost_after + rejoin_after.
    bool gone(clock::time_point now) const {
        return silent_for(now) > opts_.lost_after + opts_.rejoin_after;
    }
    // The worker itself did not run for `gap` (SIGSTOP, a stalled host): the
    // master's words of that time may still wait in the socket, so that
    // time is not counted as the master's silence.
    void paused(clock::duration gap, clock::time_point now) {
        last_heard_ = std::min(now, last_heard_ + gap);
    }
    // Silent for give_up_after or longer, when that is set.
    bool give_up(clock::time_point now) const;

    // While no master has welcomed the worker: whether the next hello is due.
    bool hello_due(clock::time_point now) const { return now >= next_hello_; }
    // A hello went out: the next one waits the current backoff, which then doubles.
    void hello_sent(clock::time_point now);
    // Welcomed, or the master was lost: the next hello (if any) goes at once and
    // the backoff starts again from first_retry.
    void reset_backoff(clock::time_point now);
    // The wait after the most recent hello (for logs and tests).
    std::chrono::milliseconds last_wait() const { return last_wait_; }

  private:
    master_watch_options opts_;
    clock::time_point last_heard_;
    clock::time_point next_hello_;
    std::chrono::milliseconds backoff_;
    std::chrono::milliseconds last_wait_{0};
};

}  // namespace swarm::worker
