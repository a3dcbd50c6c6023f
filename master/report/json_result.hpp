#pragma once
// The full result of a run as one JSON document (--json FILE, the REST
// API's result): run metadata, every request row with its histogram, the
// errors and the per-second history. Unlike the CSV files it loses nothing:
// a reader can rebuild each latency histogram exactly and compute any
// percentile, or merge the results of several runs.
//
// Shape (all times in µs unless the name says otherwise; "?" = may be null):
// {
//   "format": "swarm-result", "version": 1,
//   "run": { "scenario": str, "scenario_hash": str,
//            "start_unix_ms": int, "end_unix_ms": int?,
//            "duration_s": num,      // the test's actual length, start to end (a
//                                    // reset does not change it)
//            "stats_seconds": num,   // time the request figures cover (since reset)
//            "stop_reason": str,     // why it stopped: "run_time", "profile_end",
//                                    // "iterations", "stopped" (UI/REST), "interrupted"
//                                    // (SIGINT/SIGTERM), "threshold_abort",
//                                    // "workers_lost", "data_exhausted"; "none" while it runs
//            "planned_run_time_s": num?,  // -t / load.run_time; null: unbounded
//            "profile": str,         // the closed stages as --stages text; "" if none
//            "iterations": int?,     // --iterations / load.iterations; null if none
//            "users": int, "spawn_rate": num, "host": str,
//            "workers": [str], "exit_status": int,
//            "workers_lost": [str],  // went missing, died, left or rejoined mid-test
//                                    // (each once): their last unreported second of
//                                    // requests may be missing from the figures
//            "lost_reports": int },  // stats reports known lost (sequence gaps)
//   "histogram_scheme": { "kind": "log-linear", "unit": "us",
//            "sub_bucket_bits": 6, "tracked_bits": 32, "bucket_count": 1728,
//            "reported_value": "midpoint" },
//       // bucket i: with s = max(0, (i >> 6) - 1), it holds values
//       // [(i - (s << 6)) << s, ((i - (s << 6)) + 1) << s); see
//       // common/stats/histogram.hpp. Percentiles are the bucket midpoint
//       // clamped to [min_us, max_us].
//   "percentiles": [50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99, 100],
//   "total":   entry (method "", name "Aggregated"; requests only, no ITER row),
//   "entries": [entry], sorted by name then method; open classes' iteration
//              rows have method "ITER" (latency from the scheduled start),
//   "classes": [{ "name", "iterations", "dropped_iterations",
//                 "pacing_overruns" }],  // per user class, first seen first
//   "errors":  [{ "method", "name", "message", "occurrences",
//                 "first_seen_unix_ms", "last_seen_unix_ms" }], most frequent first,
//   "errors_overflow": int,   // occurrences of errors beyond the table's cap
//   "thresholds": [threshold],  // the final verdicts, in the order given
//                               // (the scenario's, then --threshold's); [] if none
//   "history": {
//     "names": [[method, name]],          // indexed by the points' entries
//     "points": [{ "second": int, "unix_s": int, "duration_ms": int, "users": int,
//                  "requests": int, "failures": int,   // in this second, no ITER
//                  "planned_users": int?,   // the profile's users; null: none/manual
//                  "dropped_iterations": int,           // in this second
//                  "percentiles_us": [int x 11],       // this second, as "percentiles"
//                  "total": { "requests", "failures", "median_us", "avg_us",
//                             "min_us", "max_us", "avg_bytes" },  // cumulative
//                  "entries": [[name_index, requests, failures,
//                               p50_us, p95_us, p99_us]] }] }
// }
// entry = { "method": str, "name": str, "requests": int, "failures": int,
//           "min_us": int, "max_us": int, "avg_us": num, "median_us": int,
//           "percentiles_us": { "50": int, ..., "99.99": int, "100": int },
//           "rps": num, "failures_per_s": num,        // over stats_seconds
//           "response_bytes": int, "avg_response_bytes": num, "latency_sum_us": int,
//           "histogram": { "count": int, "min_us": int, "max_us": int,
//                          "buckets": [[index, count]] } }   // non-empty buckets, ascending
// threshold = { "expression": str,      // as written: "p95(GET /about) < 200ms"
//               "status": "pending" | "passing" | "failing",
//               "final": bool,          // judged over the whole run (the verdict)
//               "aborted": bool,        // this threshold stopped the test
//               "abort_on_fail": bool, "delay_ms": int,
//               "value": num?,          // in "unit"; null: nothing measured yet
//               "unit": str,            // "ms", "%", "/s" or "" (a count)
//               "value_text": str,      // "183.2 ms": what every view shows; "" if none
//               "detail": str }         // why pending or failing; "" if nothing to say

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "common/stats/histogram.hpp"
#include "master/gates/verdict.hpp"
#include "master/stats/run_stats.hpp"

namespace swarm::master::report {

// What run_stats does not know about the run.
struct run_metadata {
    std::string scenario_name;              // the scenario's name
    std::string scenario_hash;              // hash of the scenario bundle
    std::int64_t users = 0;                 // users asked for (-u)
    double spawn_rate = 0;                  // users/s asked for (-r)
    std::string host;                       // target host ("" if the scenario's own)
    std::vector<std::string> workers;       // names of the workers that took part
    std::vector<std::string> workers_lost;  // went missing, died, left or rejoined mid-test
    std::uint64_t lost_reports = 0;         // stats reports known lost (sequence gaps)
    int exit_status = 0;                    // the process's exit code for this run
    std::string stop_reason;                // to_string(master::stop_reason): "run_time", ...
    std::optional<std::int64_t> planned_run_time_ms{};  // -t / load.run_time; none: unbounded
    std::string profile{};                     // the closed stages as --stages text; "" if none
    std::optional<std::int64_t> iterations{};  // --iterations / load.iterations
    std::vector<gates::threshold_verdict> thresholds{};  // final verdicts, in order
};

// The document described above.
boost::json::object json_result(const run_stats& run, const run_metadata& meta);

// The "classes" member: [{name, iterations, dropped_iterations,
// pacing_overruns}] in first-seen order (also REST's /stats/requests).
boost::json::array classes_json(const stats::class_table& classes);

// The "thresholds" member: one threshold object (above) per verdict, in
// order (also REST's /stats/requests, /thresholds and the UI's snapshot).
boost::json::array thresholds_json(const std::vector<gates::threshold_verdict>& verdicts);

// Rebuilds a histogram from an entry's "histogram" member. Throws
// std::invalid_argument (or boost::system::system_error on a wrong JSON
// type) when it is not one this module wrote.
stats::histogram histogram_from_json(const boost::json::value& histogram);

}  // namespace swarm::master::report
