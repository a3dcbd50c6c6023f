#pragma once
// When an open class's iterations arrive on one io thread: a pure schedule
// (no clock reads) over the thread's share of the class's arrival rate. The
// rate moves linearly from `rate` to `rate_end` over `ramp`, then holds
// `rate_end` (proto::arrival_share, split per thread by the engine).
//
//   constant: the k-th arrival is where the integral of the rate since the
//             segment began reaches the k-th level (levels 1 apart); times
//             are solved from the segment's origin, never by adding gaps,
//             so thousands of arrivals per second do not drift.
//   poisson:  the levels are a running sum of Exp(1) draws (time-rescaling
//             of a Poisson process with that rate), from a seeded generator.
//
// A new segment (a new spawn) starts at `now` and carries over what the
// old one had accumulated towards its next arrival: no burst, no gap.
//
// Owned by one io thread (the engine's pool of the class on that thread);
// tested on simulated time in tests/runtime/arrival_schedule_test.cpp.

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

namespace swarm::worker {

class arrival_schedule {
  public:
    using clock = std::chrono::steady_clock;
    enum class spacing : std::uint8_t { constant, poisson };

    // `first_level` (constant spacing, in (0, 1]): where the first arrival
    // falls, as a fraction of one arrival's worth of rate. Threads sharing a
    // class take evenly staggered levels so that together they arrive evenly.
    explicit arrival_schedule(spacing how = spacing::constant, std::uint64_t seed = 1,
                              double first_level = 1.0);

    // A new segment from `now`: `rate` → `rate_end` arrivals/s over `ramp`,
    // then `rate_end` for good. Rates below 0 count as 0.
    void set(double rate, double rate_end, clock::duration ramp, clock::time_point now);

    // The scheduled time of the next arrival; nullopt when none is coming
    // (no segment yet, the rate stays 0, or it is so small that the next
    // arrival is more than 1e9 s away).
    std::optional<clock::time_point> next() const;
    // The next arrival has happened: move on to the one after it.
    void advance();
    // The rate (arrivals/s) at `t`: 0 before any segment, the segment's
    // start rate before its origin.
    double rate_at(clock::time_point t) const;

  private:
    // The integral of the rate over the segment's first `t` seconds.
    double integral(double t) const;
    // Seconds from the origin at which the integral reaches `level`; < 0: never.
    double solve(double level) const;
    double draw_gap();
    // The time `at` seconds past the origin; nullopt when never (< 0, NaN,
    // or past the horizon: see arrival_schedule.cpp).
    std::optional<clock::time_point> time_of(double at) const;

    spacing how_;
    std::mt19937_64 rng_;
    bool set_ = false;
    clock::time_point origin_{};
    double rate_ = 0, rate_end_ = 0, ramp_s_ = 0;
    double level_ = 1;  // the integral at which the next arrival falls
    std::optional<clock::time_point> next_;
};

}  // namespace swarm::worker
