#pragma once
// When requests reached `swarm target`: per-second arrival counts and the gaps
// between consecutive arrivals. They are the truth an arrival-rate test or
// benchmark holds swarm's schedule against (issue 13: "measure at the target,
// not in swarm") — swarm's own numbers cannot show that its clock drifted.
//
// Memory is bounded whatever the load: a fixed ring of per-second counts and a
// fixed-size histogram of gaps, never a list of arrivals.
//
// Ownership: each io thread's `thread_counters` (counters.hpp) holds one
// `per_second_ring` and one gap histogram under its own mutex; the single
// `gap_clock` is shared by all io threads (lock-free) because a gap is between
// two arrivals on any threads.

#include "common/stats/histogram.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>

namespace swarm::target {

// One arrival's two clocks: the wall-clock second it is counted in (comparable
// with other processes' clocks) and the monotonic time its gap is measured on.
struct arrival_time {
    std::int64_t unix_us = 0;    // system_clock, µs since the epoch
    std::int64_t steady_ns = 0;  // steady_clock, ns since its epoch

    static arrival_time now();
};

// Arrivals per wall-clock second over the last `seconds_kept` seconds: a ring
// indexed by second, each slot remembering which second it counts, so an old
// second is overwritten rather than kept. Not thread-safe (its owner locks).
class per_second_ring {
  public:
    static constexpr std::int64_t seconds_kept = 600;

    // Counts `n` arrivals in second `unix_s` (>= 0).
    void record(std::int64_t unix_s, std::uint64_t n = 1);
    // Adds the counts of the seconds in (now_s - seconds_kept, now_s] to `out`.
    void merge_into(std::map<std::int64_t, std::uint64_t>& out, std::int64_t now_s) const;
    void clear();

  private:
    struct slot {
        std::int64_t second = -1;  // the unix second counted here; -1 = unused
        std::uint64_t count = 0;
    };
    std::array<slot, seconds_kept> slots_{};
};

// The latest arrival's monotonic time over all io threads. Thread-safe.
class gap_clock {
  public:
    // The µs since the latest arrival before this one (0 when another thread
    // took a later timestamp first); nullopt for the first arrival since
    // construction or reset(). Keeps the latest time, never moves back.
    std::optional<std::uint64_t> arrive(std::int64_t steady_ns);
    void reset();

  private:
    static constexpr std::int64_t none = std::numeric_limits<std::int64_t>::min();
    std::atomic<std::int64_t> last_ns_{none};
};

// A merged view of every thread's arrivals.
struct arrivals_snapshot {
    std::uint64_t total = 0;                             // arrivals since start or reset
    std::map<std::int64_t, std::uint64_t> per_second{};  // unix second → arrivals (last 600 s)
    stats::histogram gaps{};                             // µs between consecutive arrivals
    std::int64_t now_unix_ms = 0;  // when the snapshot was taken: the current second is partial
};

}  // namespace swarm::target
