#pragma once
// GET /metrics: the master's merged statistics in Prometheus' text exposition
// format 0.0.4, for a Prometheus server (or anything that scrapes it) to
// store and chart. A pure function of the controller core's state at `now`:
// like every figure a user reads, it comes from the master alone
// (ARCHITECTURE.md); workers export nothing of their own.
//
// The families (README.md, "Prometheus metrics", lists them for users):
//   swarm_requests_total{method,name}, swarm_request_failures_total{method,name},
//   swarm_response_bytes_total{method,name} (counters), and
//   swarm_request_duration_seconds{method,name} (histogram): one series per
//   request row, "(other)" included; no aggregate series (sum() makes it).
//   Open classes' iteration rows (method "ITER") are not requests: they are
//   swarm_iteration_duration_seconds{name} (histogram) instead.
//   swarm_iterations_total / swarm_dropped_iterations_total /
//   swarm_pacing_overruns_total{class}; swarm_users, swarm_users_target,
//   swarm_workers{state}, swarm_worker_cpu_percent / _loop_lag_seconds /
//   _users / _memory_bytes{worker}, swarm_test_state{state},
//   swarm_threshold_passing{expression}, swarm_tests_started_total,
//   swarm_lost_reports_total, swarm_build_info{version}.
//
// Counters are cumulative since the test started or the stats were last
// reset (run_stats' cumulative tables): a reset makes them go down, which
// Prometheus takes as a counter reset (rate() and increase() handle it).
// Cardinality is bounded by the stats table's cap (names beyond it are
// "(other)"), the registry's --max-workers and the scenario's classes;
// failure messages are never labels.
//
// Buckets. The histograms are derived from each row's log-linear histogram
// (common/stats/histogram.hpp) at latency_bounds_us. A bucket of the
// log-linear histogram counts under bound `le` when its midpoint (the value
// swarm reports for its samples) is <= le. So a sample is counted under the
// wrong side of a bound only when it lies within half a bucket width of the
// bound: within 0.78 % (1/128) of it; below 128 µs buckets are exact. _sum
// is the exact latency sum (seconds), _count the exact number of requests
// (= swarm_requests_total) and +Inf equals _count.
//
// Threading: call it on the control thread (web_api posts it there).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/stats/histogram.hpp"
#include "master/controller_core.hpp"

namespace swarm::master::web {

// The Content-Type of the text format.
inline constexpr std::string_view metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

// The histograms' bucket bounds (µs), and their `le` label text (seconds).
inline constexpr std::array<std::uint64_t, 15> latency_bounds_us{
    1'000,   2'500,    5'000,    10'000,    25'000,     50'000,     100'000,   250'000,
    500'000, 1000'000, 2500'000, 5'000'000, 10'000'000, 30'000'000, 60'000'000};
inline constexpr std::array<std::string_view, 15> latency_bounds_text{
    "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
    "0.5",   "1",      "2.5",   "5",    "10",    "30",   "60"};

// The cumulative count at each of latency_bounds_us (see "Buckets" above).
std::array<std::uint64_t, latency_bounds_us.size()> cumulative_buckets(const stats::histogram& h);

// A label value escaped as the text format wants it: \ → \\, " → \", newline → \n.
std::string escape_label_value(std::string_view v);

// The whole exposition at `now` (the profile's planned users are read at
// `now`); `version` is swarm_build_info's label.
std::string prometheus_metrics(const controller_core& core, control_clock::time_point now,
                               std::string_view version);

// swarm's version, for prometheus_metrics' `version`.
std::string_view build_version();

}  // namespace swarm::master::web
