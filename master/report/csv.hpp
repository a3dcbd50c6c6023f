#pragma once
// Locust-compatible CSV reports (--csv PREFIX), so that tools built around
// Locust's files read ours unchanged:
//   PREFIX_stats.csv          one row per (method, name), then "Aggregated";
//   PREFIX_stats_history.csv  one "Aggregated" row per closed second (with
//                             --csv-full-history, one row per name before it);
//   PREFIX_failures.csv       one row per distinct error;
//   PREFIX_classes.csv        ours: one row per user class (iterations,
//                             dropped iterations, pacing overruns).
// Column names and order are Locust's (locust/stats.py: StatsCSV's
// requests_csv_columns, stats_history_csv_columns, failures_columns), as is
// the format of Python's csv module: fields quoted only when they hold a
// comma, a quote or a line break, quotes doubled, lines ending in "\r\n".
//
// Values as Locust writes them, times in ms:
// - counts and the timestamp (unix s) as integers;
// - median and percentiles as whole ms (rounded to nearest), "N/A" where
//   there were no requests;
// - average, min and max time, average content size and the /s rates of the
//   stats file as Python's repr of a float ("12.5", "4.0"), or "0" when
//   there were no requests (Locust's int 0);
// - the history file's Requests/s and Failures/s with six decimals
//   (Locust's "{:2f}").
// On purpose unlike Locust: a history row's 50%..100% and Requests/s,
// Failures/s describe that second alone (Locust writes cumulative
// percentiles and its 10 s rate); its "Total ..." columns are cumulative as
// in Locust. Failures are listed most frequent first (Locust: hash order).
// Ours, after Locust's history columns (so readers that index Locust's
// columns keep working): "Planned Users" (the load profile's users when the
// second closed; empty without a profile or under manual control) and
// "Dropped Iterations/s" (open classes' arrivals with no free pool user, that
// second, six decimals). Open classes' ITER rows are rows of the stats file
// like any name (Type "ITER") and count in no Aggregated figure.
// Not written: PREFIX_exceptions.csv (swarm has no user code to raise).
// --csv-full-history adds per-name rows to the history file, written as
// each second closes (see write_full_history_second).
//
// Plain functions: the caller opens the files and calls them, e.g. the
// history writer again each second with the index it returned.

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "master/stats/run_stats.hpp"

namespace swarm::master::report {

// Header rows, exactly Locust's.
const std::vector<std::string>& stats_csv_columns();
const std::vector<std::string>& stats_history_csv_columns();
const std::vector<std::string>& failures_csv_columns();
// Class, Iterations, Dropped Iterations, Pacing Overruns.
const std::vector<std::string>& classes_csv_columns();

// PREFIX_stats.csv: header, rows sorted by name then method, Aggregated
// (empty Type) last. Rates are over run_stats::elapsed_seconds().
void write_stats_csv(std::ostream& out, const run_stats& run);

// PREFIX_failures.csv: header and one row per distinct error.
void write_failures_csv(std::ostream& out, const run_stats& run);

// PREFIX_classes.csv: header and one row per user class in first-seen
// order, cumulative since start or reset (run_stats::classes()).
void write_classes_csv(std::ostream& out, const run_stats& run);

// PREFIX_stats_history.csv, incrementally: the header once, then rows for
// the history points whose second index is >= `first_second`. Returns the
// index to pass next time (one past the last row written).
void write_stats_history_header(std::ostream& out);
std::uint64_t write_stats_history_rows(std::ostream& out, const run_stats& run,
                                       std::uint64_t first_second = 0);
// Header and every row of the history kept (Aggregated rows only).
void write_stats_history_csv(std::ostream& out, const run_stats& run);
// --csv-full-history, as each second closes (run_stats::second_listener):
// one row per row of run.requests() (every name since start or reset,
// sorted as the stats file), then the second's Aggregated row, as Locust's
// full history. A name's row: Requests/s and Failures/s of that second; its
// 50%..100% from that second's requests (Locust: its last 10 s), 0 when it
// had none in that second, "N/A" before its first request; its "Total ..."
// columns from its cumulative row, as the stats file's; Planned Users as
// the Aggregated row's, Dropped Iterations/s empty. Nothing is kept: the
// rows go to `out` (the file) and the history keeps its usual figures.
void write_full_history_second(std::ostream& out, const run_stats& run, const history_point& p,
                               const stats::table& second);

// One field quoted as Python's csv.writer (QUOTE_MINIMAL) would.
std::string csv_field(std::string_view text);
// `value` as Python's repr(float): shortest round-trip digits, ".0" on
// whole numbers ("1234.0", "0.1", "1e-05").
std::string python_float(double value);

}  // namespace swarm::master::report
