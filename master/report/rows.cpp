#include "master/report/rows.hpp"

namespace swarm::master::report {

std::uint64_t row::percentile(double p) const noexcept {
    for (std::size_t i = 0; i < stats::standard_percentiles.size(); ++i) {
        if (stats::standard_percentiles[i] == p) return percentiles_us[i];
    }
    return stats->latency().value_at_percentile(p);
}

double row::current_rps() const {
    return aggregated ? run->current_rps() : run->current_rps(method, name);
}

double row::current_fail_per_sec() const {
    return aggregated ? run->current_fail_per_sec() : run->current_fail_per_sec(method, name);
}

row row_of(const run_stats& run, std::string_view method, std::string_view name,
           const stats::entry& e, bool aggregated) {
    row r{method, name, &e, &run, aggregated};
    r.requests = e.requests();
    r.failures = e.failures();
    r.avg_us = e.avg_latency_us();
    r.min_us = e.min_latency_us();
    r.max_us = e.max_latency_us();
    r.avg_bytes = average_bytes(e);
    r.total_rps = run.per_second(e.requests());
    r.total_fail_per_sec = run.per_second(e.failures());
    r.percentiles_us = e.percentiles();
    return r;
}

std::vector<row> request_rows(const run_stats& run) {
    std::vector<row> rows;
    for (const detail::row_ref& r : detail::sorted_rows(run.requests())) {
        rows.push_back(row_of(run, r.method, r.name, *r.stats));
    }
    return rows;
}

row aggregated_row(const run_stats& run) {
    return row_of(run, "", "Aggregated", run.total(), true);
}

}  // namespace swarm::master::report
