#pragma once
// A threshold's verdict as everything that shows it reads it: the console
// table (✓/✗ and the value), the UI's thresholds panel and the REST API,
// the JSON result and the HTML report, /metrics, and the exit code.
// master/gates/ judges them (every second and once at the end) from the
// merged run_stats; controller_core::thresholds() holds the current ones.
//
// Live vs final. While the test runs, `status` is the latest judgement:
// pending before `delay` has passed (or while nothing matched yet), then
// passing or failing. When the test ends, every threshold is judged once
// more over the whole run and `final` is set: that decides the exit code.
// A threshold with abort_on_fail that fails live stops the test
// (stop_reason::threshold_abort) and stays failed (aborted = true).

#include <chrono>
#include <optional>
#include <string>

namespace swarm::master::gates {

enum class verdict_status { pending, passing, failing };
// "pending", "passing", "failing".
const char* to_string(verdict_status s);

struct threshold_verdict {
    std::string expression;              // as written: "p95(GET /about) < 200ms"
    bool abort_on_fail = false;          // see scenario::threshold_spec
    std::chrono::milliseconds delay{0};  // not judged before
    verdict_status status = verdict_status::pending;
    bool final = false;                  // judged at the end: `status` is the verdict
    bool aborted = false;                // this threshold stopped the test
    std::optional<double> value{};       // the measured value in `unit` (none: no data yet)
    std::string unit{};                  // "ms", "%", "/s" or "" (a count)
    std::string value_text{};            // "183.2 ms", "0.8 %", "512.3/s", "3"; "" if none
    std::string detail{};                // why pending or failing, e.g. "no requests matched"
};

}  // namespace swarm::master::gates
