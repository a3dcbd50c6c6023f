#pragma once
// Why a test stopped: the first cause wins (a later stop of a stopping test
// does not change it). It goes into the JSON result ("stop_reason"), the
// console's last line and the REST API, and with the run's other outcomes
// decides the exit code (master/exit_code.hpp).

namespace swarm::master {

enum class stop_reason {
    none,             // not stopped (yet)
    run_time,         // -t / load.run_time elapsed
    profile_end,      // the load profile's last stage ended
    iterations,       // --iterations / load.iterations reached
    stopped,          // stopped from the UI or the REST API
    interrupted,      // SIGINT / SIGTERM before the planned end
    threshold_abort,  // a threshold with abort_on_fail failed
    workers_lost,     // every worker was lost during the test
    data_exhausted,   // an `on_end: stop_test` data set was used up on every worker
};

// "run_time", "profile_end", "iterations", "stopped", "interrupted",
// "threshold_abort", "workers_lost", "data_exhausted" ("none" for none).
const char* to_string(stop_reason r);

// The console's words for it: "run time reached", "interrupted (SIGINT/SIGTERM)", ...
const char* describe(stop_reason r);

}  // namespace swarm::master
