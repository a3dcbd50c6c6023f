#pragma once
// Everything one reporting interval adds to the statistics: request rows,
// errors and per-class counters (iterations, dropped, pacing overruns). A worker thread records
// into its own delta; every interval the reporter take()s each thread's delta, merges them into one
// and sends it; the master merges the deltas it receives into its cumulative stats.

#include "common/stats/class_counters.hpp"
#include "common/stats/error_table.hpp"
#include "common/stats/table.hpp"

namespace swarm::stats {

struct delta {
    table requests;       // request stats by (method, name)
    error_table errors;   // failures by (method, name, message)
    class_table classes;  // iterations, dropped iterations, pacing overruns by user class

    // Adds the tables of `other`, each under this delta's caps.
    void merge(const delta& other);
    // Hands the contents over, leaving this delta empty with the same caps.
    delta take();
    // Nothing recorded.
    bool empty() const noexcept { return requests.empty() && errors.empty() && classes.empty(); }
};

}  // namespace swarm::stats
