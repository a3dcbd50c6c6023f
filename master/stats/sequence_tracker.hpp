#pragma once
// Per-worker sequence numbers of stats_reports: tells the master whether a
// report is the next one, a duplicate to drop, or follows lost reports
// (proto::stats_report::sequence counts from 1, +1 per report).
//
// Owned by the master's control thread next to run_stats; a plain value.
//
// Rules, for a worker's report with sequence s after the last accepted l:
//   first report from the worker    -> fresh, whatever s (earlier reports
//                                      went to another master, or none)
//   s == l + 1                      -> fresh
//   s >  l + 1                      -> gap: s - l - 1 reports were lost;
//                                      apply it, the lost ones are gone
//   s == 1 and l > 1                -> fresh, restarted: the worker process
//                                      restarted and reconnected
//   otherwise (s <= l, or s == 0)   -> duplicate: drop it
// A restarted worker whose previous life sent a single report looks like a
// duplicate of report 1; the master calls forget() when a worker says hello
// again, which makes its next report "first" in any case.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace swarm::master {

enum class sequence_verdict {
    fresh,      // the next report (or the first, or the first after a restart): apply
    duplicate,  // seen already (or invalid 0): drop
    gap,        // reports were lost before this one: apply, and count the loss
};

struct sequence_result {
    sequence_verdict verdict = sequence_verdict::fresh;
    std::uint64_t missing = 0;  // reports lost just before this one (gap only)
    bool restarted = false;     // sequence started over at 1 (fresh only)

    // Whether the report's delta should be merged.
    bool accept() const noexcept { return verdict != sequence_verdict::duplicate; }
};

class sequence_tracker {
  public:
    // Judges `sequence` from `worker_id` and, unless duplicate, remembers it.
    sequence_result observe(std::string_view worker_id, std::uint64_t sequence);
    // Forgets a worker (it left, or said hello again): its next report is a first.
    void forget(std::string_view worker_id);
    // Reports lost so far, all workers.
    std::uint64_t lost() const noexcept { return lost_; }
    // Duplicates dropped so far, all workers.
    std::uint64_t duplicates() const noexcept { return duplicates_; }

  private:
    std::map<std::string, std::uint64_t, std::less<>> last_;  // worker id -> last accepted
    std::uint64_t lost_ = 0;                                  // reports missing in gaps
    std::uint64_t duplicates_ = 0;                            // reports dropped
};

}  // namespace swarm::master
