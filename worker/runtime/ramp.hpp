#pragma once
// The worker's ramp: which user to start or stop next, and when, so a worker
// moves from its running users to its targets at its share of the spawn rate
// — smoothly, one user at a time, not in per-second bursts.
// A pure function of time (no clock reads), tested on simulated time.

#include <chrono>
#include <cstdint>
#include <vector>

namespace swarm::worker {

class ramp {
  public:
    using clock = std::chrono::steady_clock;

    struct action {
        enum class kind { start, stop } what;
        std::size_t user_class;  // index into the plan's user classes
    };

    // New absolute targets per class at `rate` users/s, from `now`. Replaces
    // any ramp in progress (a rebalance).
    void retarget(std::vector<std::int64_t> targets, double rate, clock::time_point now);

    // The actions due by `now`, given the users running per class. Starts go
    // to the class furthest below its target (so classes stay in proportion
    // during the ramp), stops to the class furthest above it.
    std::vector<action> due(clock::time_point now, const std::vector<std::int64_t>& running);

    // True when `running` equals the targets.
    bool complete(const std::vector<std::int64_t>& running) const;

    const std::vector<std::int64_t>& targets() const { return targets_; }
    std::int64_t total_target() const;

  private:
    std::vector<std::int64_t> targets_;
    double rate_ = 1;
    clock::time_point start_{};
    std::int64_t done_ = 0;  // actions handed out since retarget
};

}  // namespace swarm::worker
