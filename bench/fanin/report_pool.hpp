#pragma once
// bench/fanin: the statistics a simulated worker reports. Real workers send
// one delta per second with a row per (method, name) and each row's full
// histogram; building those from samples every second for 1000 workers would
// cost the simulator more CPU than the master it measures, so a few deltas
// are built once from realistic latencies and the workers take turns.

#include <cstdint>
#include <vector>

#include "common/stats/delta.hpp"

namespace swarm::bench {

struct report_shape {
    std::size_t entries = 100;              // rows per delta (distinct request names)
    std::uint64_t requests_per_entry = 50;  // per row per second (varies ±50 %)
    std::size_t variants = 8;               // distinct deltas the workers cycle through
};

class report_pool {
  public:
    explicit report_pool(const report_shape& shape);

    std::size_t size() const { return deltas_.size(); }
    const stats::delta& delta(std::size_t i) const { return deltas_[i]; }
    // Requests in delta(i) (what the master must count).
    std::uint64_t requests(std::size_t i) const { return requests_[i]; }
    // Non-empty histogram buckets per row, on average (how "full" they are).
    double average_buckets_per_entry() const { return average_buckets_; }

  private:
    std::vector<stats::delta> deltas_;
    std::vector<std::uint64_t> requests_;
    double average_buckets_ = 0;
};

}  // namespace swarm::bench
