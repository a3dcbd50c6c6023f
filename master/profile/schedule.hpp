#pragma once
// The load profile's timeline as pure arithmetic over "time since the test
// started": the closed stages (test_request::stages: users, rate and the
// planned-users line over time) and one open class's arrival rate
// (scenario::arrival_spec, piecewise linear). The controller core asks it at
// start and at each boundary what to send; the coordinator asks it for the
// arrival shares of a worker joining mid-stage. No clock: tests pass t.
//
// Threading: immutable after construction; any thread may read it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/scenario/plan.hpp"

namespace swarm::master::profile {

using ms = std::chrono::milliseconds;

// Where the closed stages are at a time t.
struct stage_point {
    std::size_t index = 0;     // the stage t falls in; stages.size() once all are over
    std::int64_t users = 0;    // that stage's target users (the last stage's once over)
    double rate = 1;           // its rate, users/s
    std::optional<ms> next{};  // the next stage boundary after t; none once over
    std::int64_t planned = 0;  // users the profile plans at t (the UI's line)
};

// The closed-model stages: stage i starts when stage i-1's length is over.
// The planned users move from where the previous stage left them toward
// the stage's users at its rate, and hold there (clamped, never overshoot).
class closed_schedule {
  public:
    closed_schedule() = default;
    explicit closed_schedule(std::vector<scenario::load_stage> stages);

    bool empty() const { return stages_.empty(); }
    std::size_t size() const { return stages_.size(); }
    // The stages' total length (0 when empty).
    ms end() const { return starts_.empty() ? ms{0} : ends_.back(); }
    stage_point at(ms t) const;

  private:
    std::vector<scenario::load_stage> stages_;
    std::vector<ms> starts_, ends_;
    std::vector<double> start_users_;  // planned users when each stage begins
    double end_users_ = 0;             // planned users once every stage is over
};

// What one worker with `fraction` of a class's arrivals is told at t
// (proto::arrival_share's rate/rate_end/ramp_ms).
struct share_values {
    double rate = 0;
    double rate_end = 0;
    std::int64_t ramp_ms = 0;
};

// One open class's arrival rate (iterations/s, cluster-wide) over time:
// stage i moves linearly from the rate the previous stage ended at (stage 0:
// start_rate) to its per_second over its length; a zero-length stage jumps;
// a zero-length LAST stage holds its rate until the test ends; after a last
// stage with a length the rate is 0.
class arrival_schedule {
  public:
    arrival_schedule() = default;
    explicit arrival_schedule(const scenario::arrival_spec& spec);

    double rate(ms t) const;
    // The next boundary after t (a stage's end); none in an unbounded last
    // stage or once the profile is over.
    std::optional<ms> next(ms t) const;
    // When arrivals stop for good; none when the last stage holds forever.
    std::optional<ms> end() const;
    // A worker's share at t: rate(t)·fraction moving to the rate at the next
    // boundary (the stage's end value)·fraction over the time left to it.
    share_values share(ms t, double fraction) const;

  private:
    struct segment {
        ms start{0}, end{0};
        double from = 0, to = 0;
    };
    std::vector<segment> segments_;
    bool holds_ = false;  // the last stage has length 0: its rate holds
};

// The profile's end: the latest end of the closed stages (when there are
// any) and of the bounded arrival profiles; none when nothing is bounded.
std::optional<ms> profile_end(const closed_schedule& closed,
                              const std::vector<arrival_schedule>& arrivals);

}  // namespace swarm::master::profile
