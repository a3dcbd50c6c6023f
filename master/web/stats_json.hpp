#pragma once
// The JSON documents the web UI and the REST API serve, built from the
// controller's state on the control thread (the only thread that may read it):
// - requests_json: GET /stats/requests, in Locust's shape (stats[] with the
//   "Aggregated" entry last, errors[], total_rps, fail_ratio, user_count,
//   state, workers[]), times in ms; what Locust's scripts read keeps working;
// - workers_json: GET /workers, and the snapshot's "workers";
// - snapshot_json: what the WebSocket pushes each second: requests_json plus
//   "type": "snapshot" and the newest `snapshot_points` history points;
// - hello_json: the first WebSocket message: the scenario (host, task
//   ratios, defaults) and the history so far, so charts survive a reload.
//
// Each stats[] entry has Locust 2.12's keys typed as Locust types them: ints
// (whole ms, rounded half up) for median/ninetieth/ninety_ninth
// _response_time, floats (µs precision) for avg/min/max_response_time and
// the rates; safe_name is the name html-escaped. Ours beside them:
// median_response_time_precise (float ms: what the UI shows) and
// "response_time_percentile_0.5" ... "_1.0" (float ms). Top level:
// current_response_time_percentile_50/_95 (Locust 2.12) and the
// current_response_time_percentiles object (newer Locust), int ms of the
// newest closed second, null before one closed.
//
// Ours beside Locust's keys in requests_json (issue 13's workload model):
//   "classes": [{name, iterations, dropped_iterations, pacing_overruns}],
//   "dropped_iterations": int (all classes, since start or reset),
//   "iterations": int (task iterations ended, all classes, since reset),
//   "iteration_limit": int? (the test's --iterations / form's Iterations),
//   "planned_users": int? (controller_core::planned_users now; null: none),
//   "profile": null, or {"stages": "30s:100@10,...", "stage": k (1-based;
//              n + 1 once past the last), "stage_count": n, "manual": bool}
//              for a profile test (manual: an edit took over).
// And issue 14's gates:
//   "thresholds": [threshold] (json_result.hpp's objects: expression, status,
//                 final, aborted, abort_on_fail, delay_ms, value, unit,
//                 value_text, detail), the current verdicts; [] without any.
// Open classes' ITER rows are in "stats" (method "ITER") but not in the
// "Aggregated" entry, total_rps or fail_ratio. History points carry
// "planned" (int?) and "dropped" (that second's dropped iterations).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "common/scenario/plan.hpp"
#include "master/controller.hpp"

namespace swarm::master::web {

struct ui_defaults {
    std::int64_t users = 1;
    double spawn_rate = 1;
    std::string run_time;  // as typed on the command line, "" for none
    std::size_t expect_workers = 1;
    // The form's Profile field (stages_text.hpp's form); "": the scenario's
    // `load: stages`, if any.
    std::string stages{};
    std::optional<std::int64_t> iterations{};  // the form's Iterations; none: the scenario's
};

inline constexpr std::size_t snapshot_points = 10;

boost::json::object requests_json(const controller& c);
boost::json::array workers_json(const controller& c);
std::string snapshot_json(const controller& c);
// GET /thresholds: {"thresholds": [threshold], "passed": bool?}. passed is
// false once a threshold failed for good (failed its final judgement, or
// aborted the test), true once every threshold was judged at the end and
// none failed, and null before that (the test still runs) or without any
// thresholds: what a pipeline polling the master waits for.
boost::json::object thresholds_status_json(const controller& c);
// That "passed" (nullopt: null) for these verdicts.
std::optional<bool> thresholds_passed(const std::vector<gates::threshold_verdict>& verdicts);
// At most `max_points` of the newest history points; `with_earlier_runs`:
// "earlier_runs", [{test, history}] of the tests before (controller_core::
// earlier_runs), so that a reloaded page still charts them (the report: without).
std::string hello_json(const controller& c, const ui_defaults& defaults,
                       std::size_t max_points = 3600, bool with_earlier_runs = true);

// GET /stats/entry_history?method=GET&name=home&since=T: one request
// name's per-second points ({t, requests, rps, fps, p50, p95, p99}, ms; percentiles
// null in seconds without its requests) from the run's history, newest
// `max_points` with t > `since` (unix s). Built on demand from what the run
// keeps anyway (history_point::entries), so selecting an entry in the UI
// costs the master no memory. nullopt when the run never saw the name.
std::optional<std::string> entry_history_json(const controller& c, std::string_view method,
                                              std::string_view name, std::int64_t since,
                                              std::size_t max_points = 3600);

// The 1-based stage of `stages` that `elapsed` (since the test started) lies
// in; stages.size() + 1 once past the last one's end (a last stage of length
// 0 holds forever).
std::size_t stage_at(const std::vector<scenario::load_stage>& stages,
                     std::chrono::microseconds elapsed);

// GET /tasks in Locust's shape: {"per_class": {class: {"ratio": r, "tasks":
// {task: {"ratio": r, "tasks"?: {...}}}}}, "total": {same}}; a class's ratio
// is its share of the weighted users in the plan (Locust: of the users
// spawned so far), a task's is within its parent (per_class) or of all task
// runs (total), from scenario::task_ratios (what `swarm check --ratio` shows).
boost::json::object tasks_json(const controller& c);

// `text` as Python's html.escape(text, quote=False): &, <, > (Locust's safe_name).
std::string html_escape(std::string_view text);

// Locust's key for a percentile (50 → "response_time_percentile_0.5", 99.9 → "..._0.999", 100 →
// "..._1.0").
std::string percentile_key(double p);

}  // namespace swarm::master::web
