#include "cli/test_options.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/byte_size.hpp"
#include "common/duration.hpp"
#include "common/scenario/ca_file.hpp"
#include "common/scenario/stages_text.hpp"
#include "common/scenario/threshold_expr.hpp"
#include "master/web/start_limits.hpp"

namespace swarm::cli {
namespace {

// --iterations' bound: far beyond any test, well inside the counters.
constexpr std::int64_t max_iterations = 1'000'000'000'000;

// Prints "swarm run: --users: <why>" and returns false when `checked` failed.
template <class T>
bool usage_ok(const result<T>& checked, const char* command, const char* option) {
    if (checked) return true;
    std::cerr << command << ": " << option << ": " << checked.error().message << "\n";
    return false;
}

std::optional<std::chrono::milliseconds> parse_time_option(const std::string& text,
                                                           const char* command,
                                                           const char* option) {
    auto d = parse_duration(text);
    if (!d) {
        std::cerr << command << ": " << option
                  << ": expected a duration like 30s, 5m or 1h30m, got '" << text << "'\n";
        return std::nullopt;
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
}

// The tags of a comma list as given ("a,,b" has an empty one: dropped).
std::vector<std::string> tag_list(const std::vector<std::string>& given) {
    std::vector<std::string> out;
    for (const auto& t : given) {
        if (!t.empty()) out.push_back(t);
    }
    return out;
}

bool has_closed_class(const scenario::plan& plan) {
    for (const auto& u : plan.users) {
        if (!u.arrival) return true;
    }
    return false;
}

// --stages, else (without -u) the scenario's load.stages; --iterations,
// else load.iterations. False after printing a usage error.
bool set_workload(const test_options& opts, const scenario::plan& plan, const char* command,
                  master::headless_options& m) {
    if (!opts.stages.empty()) {
        if (!opts.users.empty()) {
            std::cerr << command
                      << ": --stages: not with --users (the stages set the users over time)\n";
            return false;
        }
        auto stages = scenario::parse_stages(opts.stages);
        if (!stages) {
            std::cerr << command << ": --stages: " << stages.error().message << "\n";
            return false;
        }
        m.stages = std::move(*stages);
    } else if (opts.users.empty()) {
        m.stages = plan.load.stages;
    }
    if (!m.stages.empty()) {
        // The peak is what must fit on the workers (check_users_fit).
        m.users = 0;
        for (const auto& s : m.stages) m.users = std::max(m.users, s.users);
        m.spawn_rate = m.stages.front().rate;
    }
    if (!opts.iterations.empty()) {
        std::int64_t n = 0;
        const auto* end = opts.iterations.data() + opts.iterations.size();
        const auto [ptr, ec] = std::from_chars(opts.iterations.data(), end, n);
        if (ec != std::errc() || ptr != end || n < 1 || n > max_iterations) {
            std::cerr << command << ": --iterations: expected a whole number from 1 to "
                      << max_iterations << ", got '" << opts.iterations << "'\n";
            return false;
        }
        m.iterations = n;
    } else if (plan.load.iterations) {
        if (*plan.load.iterations < 1) {
            std::cerr << command << ": load.iterations: expected at least 1, got "
                      << *plan.load.iterations << "\n";
            return false;
        }
        m.iterations = plan.load.iterations;
    }
    return true;
}

// The scenario's thresholds, then every --threshold; false after printing
// the first bad one ("swarm run: --threshold 'p95 < 2OOms': at column 8: ...").
bool add_thresholds(const test_options& opts, const scenario::plan& plan, const char* command,
                    master::headless_options& m) {
    m.thresholds = plan.thresholds;
    for (const auto& text : opts.thresholds) {
        auto spec = scenario::parse_threshold_option(text);
        if (spec) {
            // The same checks as the scenario's `thresholds:`: a class or tag
            // that does not exist would count 0 and pass.
            const auto problems = scenario::threshold_plan_problems(
                *scenario::parse_threshold(spec->expression), plan);
            for (const auto& w : problems.warnings)
                std::cerr << command << ": warning: --threshold '" << text << "': " << w << "\n";
            if (problems.errors.empty()) {
                m.thresholds.push_back(std::move(*spec));
                continue;
            }
            spec = fail(problems.errors.front());
        }
        std::cerr << command << ": --threshold '" << text << "': " << spec.error().message << "\n";
        return false;
    }
    return true;
}

}  // namespace

void add_test_options(CLI::App& cmd, test_options& opts) {
    cmd.add_flag("--headless", opts.headless,
                 "no web UI: run, print the console table, write reports, exit");
    cmd.add_option("-u,--users", opts.users,
                   "peak number of users, 0 to 100000000 and at most 1000000 per worker "
                   "(default: the scenario's load.users, else 1)")
        ->type_name("INT");
    cmd.add_option("-r,--spawn-rate", opts.spawn_rate,
                   "users started per second, > 0 and at most 100000000 (default: "
                   "load.spawn_rate, else 1; a profile's stages carry their own rates)")
        ->type_name("FLOAT");
    cmd.add_option("-t,--run-time", opts.run_time,
                   "stop after this long, at least 1ms, e.g. 30s, 5m, 1h30m (default: until "
                   "Ctrl-C)");
    cmd.add_option("-H,--host", opts.host,
                   "target host, replacing the scenario's (http://... or https://..., with a "
                   "host name)");
    cmd.add_option("--csv", opts.csv_prefix,
                   "write PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv, "
                   "PREFIX_classes.csv");
    cmd.add_flag("--csv-full-history", opts.csv_full_history,
                 "with --csv: PREFIX_stats_history.csv also has one row per request name and "
                 "second (Locust's full history)");
    cmd.add_option("--json", opts.json_file, "write the full result as JSON");
    cmd.add_flag("--reset-stats", opts.reset_stats, "reset statistics once spawning completes");
    cmd.add_option("--stop-timeout", opts.stop_timeout,
                   "let stopping users finish their task for this long; then requests still "
                   "in flight are cancelled (failure \"cancelled: test stopped\") and each "
                   "user's on_stop runs, bounded by 10 s")
        ->capture_default_str();
    cmd.add_option("--exit-code-on-error", opts.exit_code_on_error,
                   "exit code when a request failed and the test has no thresholds (others: 0 "
                   "passed, 2 usage, 3 threshold failed, 4 interrupted, 5 infrastructure)")
        ->capture_default_str();
    cmd.add_flag("--only-summary", opts.only_summary,
                 "print only the final summary, not the live table");
    cmd.add_flag("--insecure", opts.insecure, "do not verify TLS certificates");
    cmd.add_option("--ca-file", opts.ca_file, "extra CA certificates (PEM) to trust")
        ->check(CLI::ExistingFile);
    cmd.add_option("--request-timeout", opts.request_timeout,
                   "default per-request timeout, 1ms to 24h (0 is refused: a request needs a "
                   "deadline)")
        ->capture_default_str();
    cmd.add_option("--max-body-size", opts.max_body_size,
                   "largest response body a user reads, e.g. 64KiB, 1GiB (per user, as received "
                   "and decoded; a request's max_body: overrides it)")
        ->capture_default_str();
    cmd.add_option("--stages", opts.stages,
                   "a load profile for the closed user classes, replacing the scenario's "
                   "load.stages: DURATION:USERS[@RATE],... e.g. 30s:100@10,1m:500@50,30s:0 "
                   "(users move to USERS at RATE/s, then hold until the stage's time is over; "
                   "the test ends with the last stage). Not with --users")
        ->type_name("TEXT");
    cmd.add_option("--iterations", opts.iterations,
                   "end the test after exactly N task iterations cluster-wide, N >= 1 "
                   "(default: the scenario's load.iterations; -t still bounds it)")
        ->type_name("N");
    cmd.add_option("--tags", opts.include_tags,
                   "run only the tasks with one of these tags (comma list; may repeat)")
        ->delimiter(',')
        ->type_name("LIST");
    cmd.add_option("--exclude-tags", opts.exclude_tags,
                   "do not run the tasks with any of these tags (comma list; may repeat)")
        ->delimiter(',')
        ->type_name("LIST");
    cmd.add_option("--threshold", opts.thresholds,
                   "a threshold that gates the exit code (3 when it fails), after the "
                   "scenario's: 'p95(GET /about) < 200ms', 'fail_ratio < 1%'; append "
                   "'; abort_on_fail' to stop the test when it fails live and '; delay=10s' "
                   "to judge it live only after that long (may repeat; README: Thresholds)")
        ->type_name("EXPR");
    cmd.add_option("--web-host", opts.web_host, "address the web UI listens on")
        ->capture_default_str();
    cmd.add_option("--web-port", opts.web_port,
                   "port of the web UI (0: any free port, printed at start)")
        ->capture_default_str();
    cmd.add_option("--web-base-path", opts.web_base_path,
                   "serve the UI under this path (behind a reverse proxy)");
    cmd.add_option("--web-connections-per-address", opts.web_connections_per_address,
                   "connections the web UI keeps open from one client address; idle ones give "
                   "way to new ones (0: no limit; raise it behind a reverse proxy)")
        ->capture_default_str();
    cmd.add_option("--web-auth", opts.web_auth,
                   "HTTP Basic authentication for the UI and API, USER:PASSWORD");
    cmd.add_option("--web-auth-file", opts.web_auth_file,
                   "file of USER:PASSWORD lines for the UI and API")
        ->check(CLI::ExistingFile);
    cmd.add_option("--tls-cert", opts.tls_cert,
                   "serve the UI over HTTPS with this certificate chain (PEM)")
        ->check(CLI::ExistingFile);
    cmd.add_option("--tls-key", opts.tls_key, "the private key (PEM) for --tls-cert")
        ->check(CLI::ExistingFile);
    cmd.add_option("--html", opts.html_file, "write a self-contained HTML report at the end");
    add_log_options(cmd, opts.log);
    cmd.add_option("--progress-interval", opts.progress_interval,
                   "log a progress line (users, requests, failures, req/s, p95) this often "
                   "while a test runs, also with --only-summary; 0: never")
        ->capture_default_str();
}

bool check_test_options(const test_options& opts, const char* command) {
    using namespace master::web;
    return (opts.users.empty() || usage_ok(parse_user_count(opts.users), command, "--users")) &&
           (opts.spawn_rate.empty() ||
            usage_ok(parse_spawn_rate(opts.spawn_rate), command, "--spawn-rate")) &&
           (opts.run_time.empty() ||
            usage_ok(parse_run_time(opts.run_time), command, "--run-time")) &&
           (opts.host.empty() || usage_ok(check_target_host(opts.host), command, "--host"));
}

bool check_users_fit(const master::headless_options& m, const char* command,
                     const std::string& workers) {
    const auto fits = master::web::check_users_fit(m.users, m.expect_workers);
    if (fits) return true;
    std::cerr << command << ": --users: " << fits.error().message << "; " << workers << "\n";
    return false;
}

std::optional<master::web::server_options> web_options_for(const test_options& opts,
                                                           const char* command) {
    master::web::server_options w;
    w.host = opts.web_host;
    w.port = opts.web_port;
    w.tls_cert = opts.tls_cert;
    w.tls_key = opts.tls_key;
    w.max_connections_per_address = opts.web_connections_per_address;
    if (opts.tls_cert.empty() != opts.tls_key.empty()) {
        std::cerr << command << ": --tls-cert and --tls-key go together\n";
        return std::nullopt;
    }
    const auto base_path = master::web::normalize_base_path(opts.web_base_path);
    if (!base_path) {
        std::cerr << command << ": " << base_path.error().message << "\n";
        return std::nullopt;
    }
    w.base_path = *base_path;
    if (!opts.web_auth.empty()) {
        auto a = master::web::basic_auth::from_pair(opts.web_auth);
        if (!a) {
            std::cerr << command << ": --web-auth: " << a.error().message << "\n";
            return std::nullopt;
        }
        w.auth.add(*a);
    }
    if (!opts.web_auth_file.empty()) {
        auto a = master::web::basic_auth::from_file(opts.web_auth_file);
        if (!a) {
            std::cerr << command << ": --web-auth-file: " << a.error().message << "\n";
            return std::nullopt;
        }
        w.auth.add(*a);
    }
    w.log = log::logger("swarm");
    return w;
}

std::optional<master::headless_options> headless_options_for(const test_options& opts,
                                                             const scenario::plan& plan,
                                                             const char* command) {
    if (!check_test_options(opts, command)) return std::nullopt;
    master::headless_options m;
    // The scenario's load: values pass the same checks (its loader knows
    // nothing of workers or of the ramp's arithmetic).
    // A scenario of open classes only needs no users: they come by arrival.
    m.users = opts.users.empty() ? plan.load.users.value_or(has_closed_class(plan) ? 1 : 0)
                                 : *master::web::parse_user_count(opts.users);
    if (m.users < 0 || m.users > master::web::max_users) {
        std::cerr << command << ": load.users: expected a whole number from 0 to "
                  << master::web::max_users << ", got " << m.users << "\n";
        return std::nullopt;
    }
    m.spawn_rate = opts.spawn_rate.empty() ? plan.load.spawn_rate.value_or(1)
                                           : *master::web::parse_spawn_rate(opts.spawn_rate);
    if (!usage_ok(master::web::check_spawn_rate(m.spawn_rate), command,
                  opts.spawn_rate.empty() ? "load.spawn_rate" : "--spawn-rate"))
        return std::nullopt;
    if (!opts.run_time.empty()) {
        m.run_time = *master::web::parse_run_time(opts.run_time);
    } else if (plan.load.run_time) {
        m.run_time = std::chrono::duration_cast<std::chrono::milliseconds>(*plan.load.run_time);
        if (m.run_time->count() <= 0) {
            std::cerr << command << ": load.run_time: expected a duration of at least 1ms\n";
            return std::nullopt;
        }
    }
    if (!set_workload(opts, plan, command, m)) return std::nullopt;
    const auto stop_timeout = parse_time_option(opts.stop_timeout, command, "--stop-timeout");
    const auto request_timeout =
        parse_time_option(opts.request_timeout, command, "--request-timeout");
    if (!stop_timeout || !request_timeout) return std::nullopt;
    // 0 made every request fail at once ("timeout after 0s"); past the wire's
    // 24 h bound, workers dropped the scenario and the run never started.
    if (request_timeout->count() < 1 || *request_timeout > std::chrono::hours(24)) {
        std::cerr << command << ": --request-timeout: must be more than 0 and at most 24h, got '"
                  << opts.request_timeout << "'\n";
        return std::nullopt;
    }
    const auto max_body = parse_byte_size(opts.max_body_size);
    if (!max_body) {
        std::cerr << command
                  << ": --max-body-size: expected a size like 65536, 64KiB or 16MiB (at most "
                     "1 TiB), got '"
                  << opts.max_body_size << "'\n";
        return std::nullopt;
    }
    m.run_options.max_body_bytes = *max_body;
    m.stop_timeout = *stop_timeout;
    m.request_timeout = *request_timeout;
    // Sent to every worker in the scenario bundle: `swarm run`'s own worker
    // and remote ones take the same path.
    m.run_options.insecure = opts.insecure;
    m.run_options.include_tags = tag_list(opts.include_tags);
    m.run_options.exclude_tags = tag_list(opts.exclude_tags);
    m.run_options.request_timeout_ms = request_timeout->count();
    if (!opts.ca_file.empty()) {
        std::ifstream in(opts.ca_file, std::ios::binary);
        std::stringstream pem;
        pem << in.rdbuf();
        if (!in) {
            std::cerr << command << ": --ca-file: cannot read " << opts.ca_file << "\n";
            return std::nullopt;
        }
        if (const auto checked = scenario::check_pem_certificates(pem.str()); !checked) {
            std::cerr << command << ": --ca-file: " << opts.ca_file << ": "
                      << checked.error().message << "\n";
            return std::nullopt;
        }
        m.run_options.ca_pem = pem.str();
    }
    m.host_override = opts.host;
    m.csv_prefix = opts.csv_prefix;
    if (opts.csv_full_history && opts.csv_prefix.empty()) {
        std::cerr << command << ": --csv-full-history needs --csv PREFIX\n";
        return std::nullopt;
    }
    m.csv_full_history = opts.csv_full_history;
    m.json_file = opts.json_file;
    m.reset_stats = opts.reset_stats;
    m.exit_code_on_error = opts.exit_code_on_error;
    m.only_summary = opts.only_summary;
    m.html_file = opts.html_file;
    if (!add_thresholds(opts, plan, command, m)) return std::nullopt;
    const auto progress = parse_time_option(opts.progress_interval, command, "--progress-interval");
    if (!progress) return std::nullopt;
    m.progress_interval = *progress;
    m.log = log::logger("swarm");
    return m;
}

std::optional<loaded_scenario> load_scenario(const std::string& file, const test_options& opts) {
    auto loaded = scenario::read_bundle(file);
    if (!loaded.result) {
        for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
        return std::nullopt;
    }
    scenario::compile_options compile_opts;
    compile_opts.host_override = opts.host;
    // The same filter the workers compile with (run_options' tags).
    compile_opts.include_tags = tag_list(opts.include_tags);
    compile_opts.exclude_tags = tag_list(opts.exclude_tags);
    auto compiled = scenario::compile(*loaded.result, compile_opts);
    for (const auto& w : compiled.warnings) std::cerr << "warning: " << w.to_string() << "\n";
    if (!compiled.result) {
        for (const auto& e : compiled.errors) std::cerr << e.to_string() << "\n";
        std::cerr << file << ": " << compiled.errors.size() << " error(s)\n";
        return std::nullopt;
    }
    return loaded_scenario{std::move(*loaded.result), std::move(compiled.result)};
}

}  // namespace swarm::cli
