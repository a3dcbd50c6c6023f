#include "common/stats/entry.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace swarm::stats {

void entry::merge(const entry& other) {
    latency_.merge(other.latency_);
    latency_sum_us_ += other.latency_sum_us_;
    response_bytes_ += other.response_bytes_;
    failures_ += other.failures_;
}

double entry::avg_latency_us() const noexcept {
    if (requests() == 0) return 0.0;
    return static_cast<double>(latency_sum_us_) / static_cast<double>(requests());
}

percentile_values entry::percentiles() const noexcept {
    percentile_values out{};
    latency_.values_at_percentiles(standard_percentiles, out);
    return out;
}

entry entry::restore(std::uint64_t failures, std::uint64_t latency_sum_us,
                     std::uint64_t response_bytes, histogram latency) {
    const std::uint64_t n = latency.count();
    if (failures > n) {
        throw std::invalid_argument("stats entry: " + std::to_string(failures) + " failures > " +
                                    std::to_string(n) + " requests");
    }
    // n * min <= sum <= n * max, written with divisions so nothing overflows.
    const bool sum_ok =
        n == 0 ? latency_sum_us == 0
               : latency_sum_us / n >= latency.min_us() &&
                     latency_sum_us / n + (latency_sum_us % n != 0 ? 1 : 0) <= latency.max_us();
    if (!sum_ok) {
        throw std::invalid_argument("stats entry: latency sum " + std::to_string(latency_sum_us) +
                                    " us impossible for " + std::to_string(n) + " requests");
    }
    entry e;
    e.failures_ = failures;
    e.latency_sum_us_ = latency_sum_us;
    e.response_bytes_ = response_bytes;
    e.latency_ = std::move(latency);
    return e;
}

}  // namespace swarm::stats
