#pragma once
// A headless test on the master: wait for workers, start U users at R/s, show
// the console table while running, stop after the run time (or on SIGINT /
// SIGTERM), collect the final deltas, print the summary and write reports.
// `swarm run --headless` and `swarm master --headless` both end up here.
//
// Threading: runs on the calling thread, which owns the master endpoint.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/scenario/loader.hpp"
#include "master/report/json_result.hpp"
#include "proto/auth.hpp"
#include "proto/messages.hpp"

namespace zmq {
class context_t;
}

namespace swarm::master {

class controller;
struct controller_options;

struct headless_options {
    std::string bind;  // "inproc://..." or "tcp://0.0.0.0:5557"
    std::int64_t users = 1;
    double spawn_rate = 1;
    std::optional<std::chrono::milliseconds> run_time;  // none: until interrupted
    std::string host_override;
    std::size_t expect_workers = 1;
    std::chrono::milliseconds expect_workers_max_wait{0};  // 0: wait forever
    std::string csv_prefix;
    std::string json_file;
    bool reset_stats = false;
    std::chrono::milliseconds stop_timeout{0};
    int exit_code_on_error = 1;
    bool only_summary = false;
    bool quit_workers_at_end = true;
    std::chrono::milliseconds table_interval{2000};
    std::chrono::microseconds request_timeout{60'000'000};  // bounds the wait for the last requests
    std::optional<proto::auth_keys> auth;  // --auth-key-file: CURVE on the worker port
    proto::run_options run_options;        // --insecure, --request-timeout, --ca-file: sent to every worker
    std::string html_file;  // --html: the self-contained HTML report, written at the end
    // Called once the controller exists (the /healthz, /readyz server); what
    // it returns is kept until just before the controller goes.
    std::function<std::shared_ptr<void>(controller&)> attach;
};

// The controller's options for a test with these options (headless or
// interactive: the same worker port, auth, run options and timeouts).
controller_options controller_options_for(const headless_options& opts);

// Writes the reports `opts` asks for (--csv PREFIX_*.csv, --json FILE,
// --html FILE) from the controller's current stats; `exit_code` goes into the
// JSON result. The one writer of both modes: headless at the end of its test,
// interactive at the end of each test and at exit. Control thread.
void write_reports(const headless_options& opts, const controller& c, int exit_code);

// The JSON result's metadata for the controller's current (or last) test.
report::run_metadata run_metadata_of(const controller& c, int exit_code);

// Returns the exit code: 0 clean, exit_code_on_error when any request failed,
// 1 when the run could not happen (no workers, ...).
// `after_bind` runs once the master endpoint is bound (`swarm run` starts its
// in-process worker there: inproc:// needs the bind before the connect).
int run_headless(zmq::context_t& zmq, const scenario::bundle& bundle, std::shared_ptr<const scenario::plan> plan,
                 const headless_options& opts, const std::atomic<bool>& interrupted,
                 const std::function<void()>& after_bind = {});

}  // namespace swarm::master
