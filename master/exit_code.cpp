#include "master/exit_code.hpp"

namespace swarm::master {

int exit_code_for(const run_outcome& o) {
    if (o.workers_missing || o.reports_failed || o.reason == stop_reason::workers_lost)
        return static_cast<int>(exit_code::infrastructure);
    if (o.reason == stop_reason::interrupted) return static_cast<int>(exit_code::interrupted);
    if (o.thresholds_failed || o.reason == stop_reason::threshold_abort)
        return static_cast<int>(exit_code::threshold_failed);
    if (o.requests_failed && !o.has_thresholds) return o.exit_code_on_error;
    return static_cast<int>(exit_code::passed);
}

std::string describe_exit(int code, const run_outcome& o) {
    // Ask the outcome, not the number: --exit-code-on-error may reuse 3, 4 or 5.
    if (o.workers_missing) return "infrastructure: workers never came";
    if (o.reason == stop_reason::workers_lost) return "infrastructure: all workers were lost";
    if (o.reports_failed) return "infrastructure: a report could not be written";
    if (o.reason == stop_reason::interrupted) return "interrupted";
    if (o.thresholds_failed || o.reason == stop_reason::threshold_abort) return "threshold failed";
    if (o.requests_failed && !o.has_thresholds) return "requests failed";
    return code == 0 ? "passed" : "exit " + std::to_string(code);
}

std::string end_line(const run_outcome& o) {
    const int code = exit_code_for(o);
    return std::string("Test ended: ") + describe(o.reason) + " (exit " + std::to_string(code) +
           ": " + describe_exit(code, o) + ")";
}

}  // namespace swarm::master
