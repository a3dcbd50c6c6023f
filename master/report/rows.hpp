#pragma once
// Shared by the report writers (console, CSV, JSON result, the UI's stats
// JSON): one row of figures per request name, derived once from the
// cumulative entry, in report order; the errors in report order.

#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "common/stats/entry.hpp"
#include "common/stats/error_table.hpp"
#include "common/stats/table.hpp"
#include "master/stats/run_stats.hpp"

namespace swarm::master::report {

// The figures every report shows for one (method, name), or for the
// "Aggregated" row: computed here once, formatted by each writer. Times in
// µs, as stats::entry keeps them; no requests give zeros.
struct row {
    std::string_view method;     // HTTP method ("" for "(other)" and "Aggregated")
    std::string_view name;       // request name, or "Aggregated"
    const stats::entry* stats;   // the cumulative row (histogram, sums)
    const run_stats* run;        // for the current rates
    bool aggregated = false;     // the run's total: its current rates are the run's
    std::uint64_t requests = 0;  // requests so far (since start or reset)
    std::uint64_t failures = 0;  // of which failed
    double avg_us = 0;           // µs, mean latency
    std::uint64_t min_us = 0;    // µs, fastest request
    std::uint64_t max_us = 0;    // µs, slowest request
    double avg_bytes = 0;        // bytes, mean response body size
    double total_rps = 0;        // requests per second over the whole run
    double total_fail_per_sec = 0;
    stats::percentile_values percentiles_us{};  // µs, at stats::standard_percentiles

    bool empty() const noexcept { return requests == 0; }
    // µs at the p-th percentile (50, 95, 99.9): one of standard_percentiles
    // is read from the row, any other is computed from the histogram.
    std::uint64_t percentile(double p) const noexcept;
    std::uint64_t median_us() const noexcept { return percentile(50); }
    // Requests and failures per second over run_stats' trailing window:
    // computed when asked (only the live views show them).
    double current_rps() const;
    double current_fail_per_sec() const;
};

row row_of(const run_stats& run, std::string_view method, std::string_view name,
           const stats::entry& e, bool aggregated = false);
// One row per (method, name), sorted by name then method (Locust's order);
// open classes' iteration rows (method "ITER") among them.
std::vector<row> request_rows(const run_stats& run);
// The "Aggregated" row: run.total(), the requests only (no ITER row).
row aggregated_row(const run_stats& run);

namespace detail {

struct row_ref {
    std::string_view method;    // HTTP method ("" for "(other)")
    std::string_view name;      // request name
    const stats::entry* stats;  // the cumulative row
};

// Rows sorted by name, then method - Locust's order (its keys are (name, method)).
inline std::vector<row_ref> sorted_rows(const stats::table& table) {
    std::vector<row_ref> rows;
    rows.reserve(table.size());
    table.for_each([&](std::string_view method, std::string_view name, const stats::entry& e) {
        rows.push_back({method, name, &e});
    });
    std::stable_sort(rows.begin(), rows.end(), [](const row_ref& a, const row_ref& b) {
        return a.name != b.name ? a.name < b.name : a.method < b.method;
    });
    return rows;
}

struct error_ref {
    std::string_view method;          // HTTP method of the failed request
    std::string_view name;            // request name
    std::string_view message;         // what went wrong
    const stats::error_stats* stats;  // occurrences, first/last seen
};

// Errors, most frequent first; ties keep first-seen order.
inline std::vector<error_ref> sorted_errors(const stats::error_table& errors) {
    std::vector<error_ref> rows;
    rows.reserve(errors.size());
    errors.for_each([&](std::string_view method, std::string_view name, std::string_view message,
                        const stats::error_stats& s) {
        rows.push_back({method, name, message, &s});
    });
    std::stable_sort(rows.begin(), rows.end(), [](const error_ref& a, const error_ref& b) {
        return a.stats->occurrences > b.stats->occurrences;
    });
    return rows;
}

// Locust's name for a percentile column: "50%", "99.9%", "99.99%", "100%".
inline std::string percentile_label(double p) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, p);  // shortest form: 99.9, not 99.900000
    std::string out(buf, r.ptr);
    out += '%';
    return out;
}

}  // namespace detail
}  // namespace swarm::master::report
