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

}  // namespace swarm::master
