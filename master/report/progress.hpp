#pragma once
// The live progress line a test logs every --progress-interval (headless and
// UI mode alike, so a Deployment's log shows how a test goes), and how the
// controller's events become log lines. progress_line() is a pure function of
// progress_figures (tests/master/progress_test.cpp); progress_of() reads them
// off the controller on the control thread.
//
//   progress: 00:01:20 running, 500/500 users, 41234 requests (0.1 % failed),
//   512.3 req/s, p95 34.0 ms, thresholds 2/3 passing, stage 2 of 3
//
// (one line; the thresholds part only when the test has thresholds, the
// workload part only with a profile or --iterations).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "common/log/log.hpp"

namespace swarm::master {
class controller;
}

namespace swarm::master::report {

struct progress_figures {
    std::chrono::milliseconds elapsed{0};  // since the test started
    std::string state;                     // "spawning", "running", "stopping"
    std::int64_t users = 0;                // running, all workers
    std::int64_t target_users = 0;         // what the test (or its stage) asks for
    std::uint64_t requests = 0;            // since start or reset, ITER rows excluded
    std::uint64_t failures = 0;
    double rps = 0;                // current (trailing window) requests per second
    std::optional<double> p95_us;  // µs, over the run; none before any request
    std::size_t thresholds = 0;    // 0: the test has none
    std::size_t thresholds_passing = 0;
    // Workload: a profile's stage (1-based) of stage_count, or iterations done of target.
    std::optional<std::size_t> stage;
    std::size_t stage_count = 0;
    std::optional<std::int64_t> iterations_target;
    std::int64_t iterations_done = 0;
};

// "progress: 00:01:20 running, 500/500 users, ..." (see the header).
std::string progress_line(const progress_figures& f);

// The figures of the controller's current test, now.
progress_figures progress_of(const controller& c);

// A controller event (on_event) as a log line: "warning: ..." at warning
// level without the word (the level says it), the rest at info.
void log_event(const log::logger& log, const std::string& text);

}  // namespace swarm::master::report
