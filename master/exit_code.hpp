#pragma once
// The process exit codes of `swarm run` and `swarm master` (documented in the
// README's "Exit codes" table), and the one pure function that picks a
// run's code from its outcome, so every mode (headless, UI, run, master)
// answers a CI system the same way.
//
// Precedence, first match wins:
//   5 infrastructure  workers never came, all were lost, or a report could not be written
//   4 interrupted     SIGINT/SIGTERM before the planned end (the numbers are partial)
//   3 threshold       a threshold failed (at the end, or aborted the test)
//   1 requests failed at least one request failed and the test has no thresholds
//                     (Locust's meaning; --exit-code-on-error sets the code). With
//                     thresholds, they are the gate: failures alone exit 0.
//   0 passed
// 2 (usage or scenario error) is returned before a test starts, by the cli.

#include "master/stop_reason.hpp"

namespace swarm::master {

enum class exit_code : int {
    passed = 0,
    requests_failed = 1,
    usage = 2,
    threshold_failed = 3,
    interrupted = 4,
    infrastructure = 5,
};

struct run_outcome {
    stop_reason reason = stop_reason::none;
    bool has_thresholds = false;      // the test had at least one threshold
    bool thresholds_failed = false;   // one failed at the end or aborted the test
    bool requests_failed = false;     // total().failures() > 0
    bool workers_missing = false;     // workers never came, or all were lost
    bool reports_failed = false;      // a --csv/--json/--html file could not be written
    int exit_code_on_error = 1;       // --exit-code-on-error (used for "requests failed")
};

// The code for `o` (see the precedence above).
int exit_code_for(const run_outcome& o);

}  // namespace swarm::master
