#include "master/report/csv.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <tuple>

#include "master/report/rows.hpp"

namespace swarm::master::report {
namespace {

using row_cells = std::vector<std::string>;

void write_row(std::ostream& out, const row_cells& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i > 0) out << ',';
        out << csv_field(cells[i]);
    }
    out << "\r\n";  // Python's csv.writer default line terminator
}

std::vector<std::string> with_percentiles(std::vector<std::string> head,
                                          std::vector<std::string> tail) {
    for (double p : stats::standard_percentiles) head.push_back(detail::percentile_label(p));
    head.insert(head.end(), tail.begin(), tail.end());
    return head;
}

// Whole ms, rounded to nearest.
std::string whole_ms(std::uint64_t us) {
    return std::to_string((us + 500) / 1000);
}

// Locust writes float ms where it has requests, and the int 0 where not.
std::string float_ms_or_zero(double us, bool any) {
    return any ? python_float(us / 1000.0) : "0";
}

std::string fixed6(double v) {
    char buf[64];
    const int n = std::snprintf(buf, sizeof buf, "%f", v);
    return std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
}

void append_percentiles(row_cells& cells, const row& r) {
    if (r.empty()) {
        cells.insert(cells.end(), stats::standard_percentiles.size(), "N/A");
        return;
    }
    for (std::uint64_t v : r.percentiles_us) cells.push_back(whole_ms(v));
}

row_cells stats_row(const row& r) {
    const bool any = !r.empty();
    row_cells cells{std::string(r.method),
                    std::string(r.name),
                    std::to_string(r.requests),
                    std::to_string(r.failures),
                    whole_ms(r.median_us()),
                    python_float(r.avg_us / 1000.0),
                    float_ms_or_zero(static_cast<double>(r.min_us), any),
                    float_ms_or_zero(static_cast<double>(r.max_us), any),
                    any ? python_float(r.avg_bytes) : "0",
                    python_float(r.total_rps),
                    python_float(r.total_fail_per_sec)};
    append_percentiles(cells, r);
    return cells;
}

// The "Total ..." columns: cumulative figures as Locust writes them.
void append_totals(row_cells& cells, const cumulative_point& t) {
    const bool any = t.requests > 0;
    cells.push_back(std::to_string(t.requests));
    cells.push_back(std::to_string(t.failures));
    cells.push_back(whole_ms(t.median_us));
    cells.push_back(python_float(t.avg_us / 1000.0));
    cells.push_back(float_ms_or_zero(static_cast<double>(t.min_us), any));
    cells.push_back(float_ms_or_zero(static_cast<double>(t.max_us), any));
    cells.push_back(any ? python_float(t.avg_bytes) : "0");
}

row_cells history_row(const history_point& p) {
    row_cells cells{std::to_string(p.unix_s), std::to_string(p.user_count), "", "Aggregated",
                    fixed6(p.rps()),          fixed6(p.fail_per_sec())};
    for (std::uint32_t v : p.percentiles_us) {
        cells.push_back(p.requests == 0 ? "N/A" : whole_ms(v));
    }
    append_totals(cells, p.total);
    cells.push_back(p.planned_users ? std::to_string(*p.planned_users) : "");
    cells.push_back(fixed6(p.duration_ms == 0 ? 0.0
                                              : static_cast<double>(p.dropped_iterations) * 1000.0 /
                                                    p.duration_ms));
    return cells;
}

// --csv-full-history: one name's row for second `p`. `total`: its cumulative
// row; `now`: its row in that second, null when it had no request then.
row_cells name_history_row(const history_point& p, const detail::row_ref& total,
                           const stats::entry* now) {
    const double seconds = std::max<std::uint32_t>(p.duration_ms, 1) / 1000.0;
    const bool in_second = now != nullptr && now->requests() > 0;
    row_cells cells{std::to_string(p.unix_s),
                    std::to_string(p.user_count),
                    std::string(total.method),
                    std::string(total.name),
                    fixed6(in_second ? static_cast<double>(now->requests()) / seconds : 0.0),
                    fixed6(in_second ? static_cast<double>(now->failures()) / seconds : 0.0)};
    // As Locust: "N/A" for a name without any request yet, else the current
    // percentiles (here: that second's), 0 when it had none in that second.
    if (total.stats->requests() == 0) {
        cells.insert(cells.end(), stats::standard_percentiles.size(), "N/A");
    } else if (!in_second) {
        cells.insert(cells.end(), stats::standard_percentiles.size(), "0");
    } else {
        for (std::uint64_t v : now->percentiles()) cells.push_back(whole_ms(v));
    }
    append_totals(cells, cumulative_of(*total.stats));
    cells.push_back(p.planned_users ? std::to_string(*p.planned_users) : "");
    cells.push_back("");  // dropped iterations: the Aggregated row's
    return cells;
}

}  // namespace

const std::vector<std::string>& stats_csv_columns() {
    static const std::vector<std::string> columns =
        with_percentiles({"Type", "Name", "Request Count", "Failure Count", "Median Response Time",
                          "Average Response Time", "Min Response Time", "Max Response Time",
                          "Average Content Size", "Requests/s", "Failures/s"},
                         {});
    return columns;
}

const std::vector<std::string>& stats_history_csv_columns() {
    static const std::vector<std::string> columns = with_percentiles(
        {"Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s"},
        {"Total Request Count", "Total Failure Count", "Total Median Response Time",
         "Total Average Response Time", "Total Min Response Time", "Total Max Response Time",
         "Total Average Content Size", "Planned Users", "Dropped Iterations/s"});
    return columns;
}

const std::vector<std::string>& failures_csv_columns() {
    static const std::vector<std::string> columns{"Method", "Name", "Error", "Occurrences"};
    return columns;
}

const std::vector<std::string>& classes_csv_columns() {
    static const std::vector<std::string> columns{"Class", "Iterations", "Dropped Iterations",
                                                  "Pacing Overruns"};
    return columns;
}

void write_classes_csv(std::ostream& out, const run_stats& run) {
    write_row(out, classes_csv_columns());
    run.classes().for_each([&](std::string_view name, const stats::class_counts& c) {
        write_row(out, {std::string(name), std::to_string(c.iterations),
                        std::to_string(c.dropped_iterations), std::to_string(c.pacing_overruns)});
    });
}

void write_stats_csv(std::ostream& out, const run_stats& run) {
    write_row(out, stats_csv_columns());
    for (const row& r : request_rows(run)) write_row(out, stats_row(r));
    write_row(out, stats_row(aggregated_row(run)));
}

void write_failures_csv(std::ostream& out, const run_stats& run) {
    write_row(out, failures_csv_columns());
    for (const detail::error_ref& e : detail::sorted_errors(run.errors())) {
        write_row(out, {std::string(e.method), std::string(e.name), std::string(e.message),
                        std::to_string(e.stats->occurrences)});
    }
}

void write_stats_history_header(std::ostream& out) {
    write_row(out, stats_history_csv_columns());
}

std::uint64_t write_stats_history_rows(std::ostream& out, const run_stats& run,
                                       std::uint64_t first_second) {
    std::uint64_t next = first_second;
    for (const history_point& p : run.history()) {
        if (p.second < first_second) continue;
        write_row(out, history_row(p));
        next = p.second + 1;
    }
    return next;
}

void write_stats_history_csv(std::ostream& out, const run_stats& run) {
    write_stats_history_header(out);
    write_stats_history_rows(out, run, 0);
}

void write_full_history_second(std::ostream& out, const run_stats& run, const history_point& p,
                               const stats::table& second) {
    for (const detail::row_ref& r : detail::sorted_rows(run.requests())) {
        write_row(out, name_history_row(p, r, second.find(r.method, r.name)));
    }
    write_row(out, history_row(p));
}

std::string csv_field(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

std::string python_float(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, value);
    std::string out(buf, r.ptr);
    if (out.find_first_of(".e") == std::string::npos) out += ".0";
    return out;
}

}  // namespace swarm::master::report
