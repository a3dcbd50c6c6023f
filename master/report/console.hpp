#pragma once
// The headless console's text: the live stats table, the final summary
// (stats table, percentile table, error report) and the spawn progress line,
// laid out like Locust's console output (locust/stats.py: print_stats,
// print_percentile_stats, print_error_report) so that its users read them
// at a glance. Plain functions of a run_stats; the caller prints them.
//
// Differences from Locust, on purpose:
// - The stats table also shows the 95th and 99th percentiles, and the whole
//   line fits `width` columns (default 120): the name column takes what the
//   numbers leave and long names are shortened in the middle ("/api/i...42").
// - Times are in ms but keep decimals where integers would say nothing at
//   wrk-like speeds: below 10 ms two decimals ("0.42"), below 100 ms one
//   ("12.5"), integers above.
// - "current" rates are the trailing window of run_stats (3 s, not 10 s).
// - The error report lists errors by occurrences, most frequent first.
//
// Lines end in '\n'; widths count UTF-8 characters, not bytes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "master/gates/verdict.hpp"
#include "master/stats/run_stats.hpp"

namespace swarm::master::report {

struct console_options {
    std::size_t width = 120;  // columns a table line may take (the name column adapts)
};

// Which rates the req/s and failures/s columns show.
enum class rate_basis {
    current,  // run_stats::current_rps() - the live table
    total,    // over the whole run (since reset) - the final summary
};

// Type | Name | # reqs | # fails(%) | Avg Min Max Med 95% 99% (ms) | req/s failures/s,
// one row per (method, name) sorted by name then method (open classes'
// iteration rows as Type ITER among them), then the "Aggregated" row (requests
// only) under a separator; then classes_table(), when it says anything.
std::string stats_table(const run_stats& run, rate_basis rates,
                        const console_options& options = {});

// "Classes": per user class, the task iterations that ended, the dropped
// iterations (open classes: an arrival found no free pool user) and the
// pacing overruns (paced classes: an iteration longer than its interval),
// since start or reset. Only when it tells something a request table does
// not: some class dropped or overran, or an open class ran (ITER rows);
// empty otherwise, so closed tests print what they always did.
std::string classes_table(const run_stats& run, const console_options& options = {});

// "Response time percentiles (approximated)": 50% .. 100% (ms) and # reqs
// per name with requests, then Aggregated.
std::string percentile_table(const run_stats& run, const console_options& options = {});

// "Error report": occurrences and "METHOD name: message" per distinct error;
// empty when there were no errors.
std::string error_report(const run_stats& run, const console_options& options = {});

// What a headless run prints at the end: stats table over the whole run,
// percentile table and error report, separated by blank lines.
std::string final_summary(const run_stats& run, const console_options& options = {});

// "spawning 340/1000 users (34%)", "stopping users: 700 running, target 500",
// or "all 1000 users spawned".
std::string spawn_progress_line(std::int64_t running, std::int64_t target);

// The end-of-run lines that say what the figures may miss: workers that went
// missing, died or rejoined mid-test (their last unreported second may be
// absent) and stats reports known lost. Empty when nothing was lost, so a
// clean-looking summary is a clean run.
std::string loss_warnings(const std::vector<std::string>& workers_lost, std::uint64_t lost_reports);

// "Thresholds" and one line per verdict, in order, as the live table and the
// final summary end (headless prints it after each; empty without thresholds):
//   Thresholds: 1 passing, 1 failing, 1 pending
//   ✓ p95(GET /about) < 200ms   183.2 ms
//   ✗ fail_ratio < 1%           2.3 %  (aborted)
//   … p99(GET /) < 500ms        pending (delay 30s)
// ✓ passing, ✗ failing, … pending (UTF-8, as request names may be). The value
// is the verdict's value_text, the same text the UI, REST, JSON result and
// HTML report show; a pending verdict says "pending" and its delay, a
// verdict's detail ("no requests matched") follows in parentheses. Long
// expressions are shortened (fit_width) so that a line fits `width`.
std::string thresholds_block(const std::vector<gates::threshold_verdict>& verdicts,
                             const console_options& options = {});

// A latency (µs) as the tables show it in ms (see above).
std::string format_ms(double us);

// `text` shortened to at most `width` characters by replacing its middle
// with "..." (whole UTF-8 characters only); unchanged when it fits.
std::string fit_width(std::string_view text, std::size_t width);

}  // namespace swarm::master::report
