#pragma once
// What a test on the master is asked for and what it leaves behind, shared by
// the two ways of running one (siblings over this file): headless.hpp (run,
// print, exit) and interactive.hpp (the web UI). The options a test is
// described by, the controller's options for them, and the report files
// (--csv, --json, --html).
//
// Threading: write_reports() on the control thread (it reads the controller).

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/log/log.hpp"
#include "common/result.hpp"
#include "master/controller.hpp"
#include "master/exit_code.hpp"
#include "master/report/history_file.hpp"
#include "proto/auth.hpp"
#include "proto/messages.hpp"

namespace swarm::master {

struct headless_options {
    std::string bind;        // "inproc://..." or "tcp://0.0.0.0:5557"
    std::int64_t users = 1;  // with stages: their peak (what must fit on the workers)
    double spawn_rate = 1;
    std::optional<std::chrono::milliseconds> run_time;  // none: until interrupted
    std::vector<scenario::load_stage> stages{};         // a closed profile (test_request::stages)
    std::optional<std::int64_t> iterations{};           // --iterations / load.iterations
    // The scenario's `thresholds:` then every --threshold (core_options::thresholds).
    std::vector<scenario::threshold_spec> thresholds{};
    std::string host_override;
    std::size_t expect_workers = 1;
    std::chrono::milliseconds expect_workers_max_wait{0};  // 0: wait forever
    std::size_t max_workers = 1000;                        // --max-workers
    std::string csv_prefix;
    bool csv_full_history = false;  // per-name rows in PREFIX_stats_history.csv
    // Writes them as each second closes (shared by the copies of these options).
    std::shared_ptr<report::history_file> full_history = std::make_shared<report::history_file>();
    std::string json_file;
    bool reset_stats = false;
    std::chrono::milliseconds stop_timeout{0};
    int exit_code_on_error = 1;
    bool only_summary = false;
    bool quit_workers_at_end = true;
    std::chrono::milliseconds table_interval{2000};
    // --progress-interval: a "progress: ..." log line this often while a test
    // runs (master/report/progress.hpp), also with --only-summary; 0: none.
    std::chrono::milliseconds progress_interval{10'000};
    std::chrono::microseconds request_timeout{60'000'000};  // bounds the wait for the last requests
    std::optional<proto::auth_keys> auth;  // --auth-key-file: CURVE on the worker port
    proto::run_options
        run_options;        // --insecure, --request-timeout, --ca-file: sent to every worker
    std::string html_file;  // --html: the self-contained HTML report, written at the end
    // Set by a second SIGINT/SIGTERM (null: none): cancel everything now
    // (controller::stop_now), collect the last deltas for up to 3 s, still
    // print the summary and write every report, and exit 4 (interrupted).
    const std::atomic<bool>* interrupted_again = nullptr;
    // Called once the controller exists (the /healthz, /readyz server); what
    // it returns is kept until just before the controller goes.
    std::function<std::shared_ptr<void>(controller&)> attach;
    // Where the master's log lines go ("swarm: cannot write ..."; the
    // coordinator's under "swarm master"). The console table and the
    // controller's events are the run's output and go to stdout.
    log::logger log{"swarm"};
};

// The controller's options for a test with these options (headless or
// interactive: the same worker port, auth, run options, timeouts and log).
controller_options controller_options_for(const headless_options& opts);

// Writes the reports `opts` asks for (--csv PREFIX_*.csv, --json FILE,
// --html FILE) from the controller's current stats, and returns the exit
// code: exit_code_for(outcome) after setting outcome.reports_failed when a
// file could not be written (5, infrastructure). The JSON result is written last and carries that
// code
// ("exit_status"), a failed CSV or HTML file included. The one writer of both
// modes: headless at the end of its test, interactive at the end of each
// test and at exit. A file that cannot be written (a full disk, /dev/full) is
// logged with the system's reason and the others are still written.
int write_reports(const headless_options& opts, const controller& c, run_outcome& outcome);

// The run's outcome as the controller sees it now (stop reason, thresholds,
// failed requests) with `opts`' --exit-code-on-error; the caller adds
// workers_missing and reports_failed.
run_outcome outcome_of(const headless_options& opts, const controller& c);

// --csv-full-history's PREFIX_stats_history.csv, written as the test
// goes; "" without --csv-full-history.
std::string full_history_path(const headless_options& opts);

// Every file write_reports() will write, checked before the test starts: its
// directory exists and a file can be created in it, or the file exists and
// opens for writing (without truncating it; a file created to try is removed
// again). The first that cannot be written: "--json out/x/result.json: cannot
// write: No such file or directory" (the cli prefixes the command and exits 2).
result<void> check_report_paths(const headless_options& opts);

}  // namespace swarm::master
