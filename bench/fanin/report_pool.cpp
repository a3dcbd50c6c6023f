// Latencies: log-normal per row, medians from 5 ms to 400 ms and a long tail,
// as a mix of fast cached pages and slow API calls would give; about 1 % of
// requests fail, with two distinct error messages.
#include "bench/fanin/report_pool.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

namespace swarm::bench {
namespace {

constexpr std::int64_t some_unix_ms = 1'790'000'000'000;

stats::delta make_delta(const report_shape& shape, std::mt19937_64& rng, std::uint64_t& requests) {
    stats::delta d;
    std::uniform_real_distribution<double> unit(0, 1);
    for (std::size_t e = 0; e < shape.entries; ++e) {
        const std::string name = "/api/resource-" + std::to_string(e) + "/{id}";
        const char* method = e % 4 == 0 ? "POST" : "GET";
        // The row's typical latency: 5 ms … 400 ms, spread log-uniformly over the rows.
        const double median_us =
            5000 *
            std::pow(80.0, static_cast<double>(e) / std::max<std::size_t>(1, shape.entries - 1));
        std::lognormal_distribution<double> latency(std::log(median_us), 0.6);
        const auto n = static_cast<std::uint64_t>(shape.requests_per_entry * (0.5 + unit(rng)));
        stats::entry& row = d.requests.at(method, name);
        for (std::uint64_t i = 0; i < n; ++i) {
            const bool failed = unit(rng) < 0.01;
            row.record(static_cast<std::uint64_t>(latency(rng)) + 1, 512 + (i % 4096), failed);
            if (failed) {
                d.errors.record(method, name, i % 2 ? "HTTP 503" : "timeout after 10s",
                                some_unix_ms + static_cast<std::int64_t>(i));
            }
        }
        requests += n;
    }
    return d;
}

}  // namespace

report_pool::report_pool(const report_shape& shape) {
    std::mt19937_64 rng(42);  // the same reports every run
    std::uint64_t buckets = 0;
    std::uint64_t rows = 0;
    for (std::size_t v = 0; v < std::max<std::size_t>(1, shape.variants); ++v) {
        std::uint64_t requests = 0;
        deltas_.push_back(make_delta(shape, rng, requests));
        requests_.push_back(requests);
        deltas_.back().requests.for_each([&](auto, auto, const stats::entry& e) {
            e.latency().for_each_bucket([&](std::uint32_t, std::uint64_t) { ++buckets; });
            ++rows;
        });
    }
    average_buckets_ = rows ? static_cast<double>(buckets) / static_cast<double>(rows) : 0;
}

}  // namespace swarm::bench
