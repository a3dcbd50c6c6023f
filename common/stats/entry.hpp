#pragma once
// One row of request statistics: everything swarm reports for one
// (method, name) - counts, exact latency sum/min/max, bytes and the latency
// histogram. A plain mergeable value; each worker thread owns its own rows
// (through a stats::table) and the master merges what workers send.

#include <array>
#include <cstdint>

#include "common/stats/histogram.hpp"

namespace swarm::stats {

// The percentiles every report shows (Locust's list), ascending.
inline constexpr std::array<double, 11> standard_percentiles{50, 66, 75,   80,    90, 95,
                                                             98, 99, 99.9, 99.99, 100};
// Latencies (µs) at standard_percentiles, index for index.
using percentile_values = std::array<std::uint64_t, standard_percentiles.size()>;

class entry {
  public:
    // Counts one request that took `latency_us` and received `bytes` of
    // response body; `failed` when it counts as a failure (any cause).
    void record(std::uint64_t latency_us, std::uint64_t bytes, bool failed) {
        latency_.record(latency_us);
        latency_sum_us_ += latency_us;
        response_bytes_ += bytes;
        failures_ += failed ? 1 : 0;
    }

    // Adds every request of `other`. Exact, associative and commutative.
    void merge(const entry& other);

    // Requests recorded, failed or not (the histogram's count: every request
    // has a latency, a failed one up to the moment it failed).
    std::uint64_t requests() const noexcept { return latency_.count(); }
    std::uint64_t failures() const noexcept { return failures_; }
    std::uint64_t latency_sum_us() const noexcept { return latency_sum_us_; }
    // Fastest and slowest request (µs, exact); 0 when there were none.
    std::uint64_t min_latency_us() const noexcept { return latency_.min_us(); }
    std::uint64_t max_latency_us() const noexcept { return latency_.max_us(); }
    // Mean latency (µs); 0 when there were no requests.
    double avg_latency_us() const noexcept;
    std::uint64_t response_bytes() const noexcept { return response_bytes_; }
    const histogram& latency() const noexcept { return latency_; }
    bool empty() const noexcept { return requests() == 0; }

    // Latencies at standard_percentiles, nearest rank (see nearest_rank).
    percentile_values percentiles() const noexcept;

    // Rebuilds an entry from its parts, e.g. after decoding a worker's
    // message. Throws std::invalid_argument unless failures <= requests and
    // the sum is one that `latency`'s count, min and max allow.
    static entry restore(std::uint64_t failures, std::uint64_t latency_sum_us,
                         std::uint64_t response_bytes, histogram latency);

    friend bool operator==(const entry& a, const entry& b) noexcept = default;

  private:
    std::uint64_t failures_ = 0;        // requests counted as failed
    std::uint64_t latency_sum_us_ = 0;  // µs, sum over all requests (exact)
    std::uint64_t response_bytes_ = 0;  // bytes, sum of response body sizes
    histogram latency_;                 // µs per request; holds count, exact min and max
};

}  // namespace swarm::stats
