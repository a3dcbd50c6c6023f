#pragma once
// Shared by the report writers: the cumulative rows in report order and the
// errors in report order. Internal to master/report.

#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "common/stats/entry.hpp"
#include "common/stats/error_table.hpp"
#include "common/stats/table.hpp"

namespace swarm::master::report::detail {

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

}  // namespace swarm::master::report::detail
