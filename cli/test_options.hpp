#pragma once
// The options that describe a test, shared by `swarm run` and `swarm master`
// (same names, same defaults, same checks), and the scenario loading both do.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/log_options.hpp"
#include "common/scenario/loader.hpp"
#include "master/run_outputs.hpp"
#include "master/web/server.hpp"

namespace swarm::cli {

struct test_options {
    bool headless = false;
    // As typed ("" when not given): checked with the REST API's rules
    // (master/web/start_limits.hpp), so both say the same about the same value.
    std::string users;
    std::string spawn_rate;
    std::string run_time;
    std::string host;
    std::string csv_prefix;
    bool csv_full_history = false;
    std::string json_file;
    bool reset_stats = false;
    std::string stop_timeout = "0s";
    int exit_code_on_error = 1;
    bool only_summary = false;
    bool insecure = false;
    std::string ca_file;
    std::string request_timeout = "60s";
    std::string max_body_size = "16MiB";
    // The workload model (issue 13): a closed profile as one line
    // ("30s:100@10,1m:500@50,30s:0"), an iteration count, the tag filter
    // (comma lists; the option may repeat).
    std::string stages;
    std::string iterations;
    std::vector<std::string> include_tags;
    std::vector<std::string> exclude_tags;
    // --threshold (repeatable): "EXPR[; abort_on_fail][; delay=DURATION]",
    // added after the scenario's `thresholds:` (common/scenario/threshold_expr.hpp).
    std::vector<std::string> thresholds;
    // The web UI; headless, only its /healthz and /readyz.
    std::string web_host = "127.0.0.1";
    std::uint16_t web_port = 8089;
    std::string web_base_path;
    std::size_t web_connections_per_address = 64;  // 0: no limit
    std::string web_auth;                          // user:password
    std::string web_auth_file;                     // one user:password a line
    std::string tls_cert;                          // HTTPS for the web UI
    std::string tls_key;
    std::string html_file;
    // Logs and progress (issue 14): --loglevel/-L, --log-format, and the
    // progress line's period ("10s"; "0" disables it).
    log_options log;
    std::string progress_interval = "10s";
};

void add_test_options(CLI::App& cmd, test_options& opts);

// Checks -u, -r, -t and -H as typed; false after printing a usage error
// naming `command` and the option ("swarm run: --spawn-rate: ...").
bool check_test_options(const test_options& opts, const char* command);

// The headless options for `opts` and the scenario's own defaults (load:);
// nullopt after printing a usage error naming `command` ("swarm run").
std::optional<master::headless_options> headless_options_for(const test_options& opts,
                                                             const scenario::plan& plan,
                                                             const char* command);

// False after printing a usage error when m.users cannot fit on
// m.expect_workers workers (master/web/start_limits.hpp: max_users_per_worker);
// `workers` says where that number comes from ("--expect-workers is 2").
bool check_users_fit(const master::headless_options& m, const char* command,
                     const std::string& workers);

// The web server's options; nullopt after printing a usage error.
std::optional<master::web::server_options> web_options_for(const test_options& opts,
                                                           const char* command);

struct loaded_scenario {
    scenario::bundle bundle;
    std::shared_ptr<const scenario::plan> plan;
};

// Reads and compiles FILE (with -H's host and the --tags/--exclude-tags
// filter, as workers will); prints every error and returns nullopt when it
// does not compile (the caller exits 2).
std::optional<loaded_scenario> load_scenario(const std::string& file, const test_options& opts);

}  // namespace swarm::cli
