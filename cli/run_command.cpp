// `swarm run FILE`: a master and a worker in one process, joined by the same
// transport over inproc:// (one code path with the distributed mode).
#include <unistd.h>

#include <iostream>
#include <thread>
#include <zmq.hpp>

#include "cli/commands.hpp"
#include "cli/signals.hpp"
#include "common/duration.hpp"
#include "master/headless.hpp"
#include "worker/node.hpp"

namespace swarm::cli {
namespace {

struct run_options {
    std::string file;
    bool headless = false;
    std::optional<std::int64_t> users;
    std::optional<double> spawn_rate;
    std::string run_time;
    std::string host;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::string csv_prefix;
    std::string json_file;
    bool reset_stats = false;
    std::string stop_timeout = "0s";
    int exit_code_on_error = 1;
    bool only_summary = false;
    bool insecure = false;
    std::string ca_file;
    std::string request_timeout = "60s";
};

std::optional<std::chrono::microseconds> parse_time_option(const std::string& text, const char* option) {
    auto d = parse_duration(text);
    if (!d) std::cerr << "swarm run: " << option << ": expected a duration like 30s, 5m or 1h30m, got '" << text << "'\n";
    return d;
}

int run_run(const run_options& opts) {
    const auto loaded = scenario::read_bundle(opts.file);
    if (!loaded.result) {
        for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
        return 2;
    }
    const auto compiled = scenario::compile(*loaded.result, {opts.host});
    if (!compiled.result) {
        for (const auto& e : compiled.errors) std::cerr << e.to_string() << "\n";
        std::cerr << opts.file << ": " << compiled.errors.size() << " error(s)\n";
        return 2;
    }
    const auto& plan = *compiled.result;

    master::headless_options m;
    m.bind = "inproc://swarm-run-" + std::to_string(getpid());
    m.users = opts.users.value_or(plan.load.users.value_or(1));
    m.spawn_rate = opts.spawn_rate.value_or(plan.load.spawn_rate.value_or(1));
    if (!opts.run_time.empty()) {
        auto t = parse_time_option(opts.run_time, "--run-time");
        if (!t) return 2;
        m.run_time = std::chrono::duration_cast<std::chrono::milliseconds>(*t);
    } else if (plan.load.run_time) {
        m.run_time = std::chrono::duration_cast<std::chrono::milliseconds>(*plan.load.run_time);
    }
    auto stop_timeout = parse_time_option(opts.stop_timeout, "--stop-timeout");
    auto request_timeout = parse_time_option(opts.request_timeout, "--request-timeout");
    if (!stop_timeout || !request_timeout) return 2;
    m.stop_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*stop_timeout);
    m.request_timeout = *request_timeout;
    m.host_override = opts.host;
    m.csv_prefix = opts.csv_prefix;
    m.json_file = opts.json_file;
    m.reset_stats = opts.reset_stats;
    m.exit_code_on_error = opts.exit_code_on_error;
    m.only_summary = opts.only_summary;
    m.expect_workers = 1;
    m.expect_workers_max_wait = std::chrono::seconds(30);
    if (!opts.headless) {
        std::cerr << "swarm run: the web UI is not part of this build yet; running headless\n";
    }

    const auto& interrupted = install_stop_signals();
    zmq::context_t zmq;
    worker::node_options w;
    w.master = m.bind;
    w.name = "local";
    w.quiet = true;
    w.engine.threads = opts.threads;
    w.engine.ca_file = opts.ca_file;
    w.engine.insecure = opts.insecure;
    w.engine.request_timeout = *request_timeout;
    w.engine.user_agent = std::string("swarm/") + SWARM_VERSION;
    std::atomic<bool> worker_stop{false};
    int worker_exit = 0;
    // inproc:// needs the bind before the connect: the master binds inside
    // run_headless, so the worker thread retries its hello until welcomed.
    std::thread worker_thread;
    auto start_worker = [&] {
        worker_thread = std::thread([&] { worker_exit = worker::run_node(zmq, w, worker_stop); });
    };
    int code = 0;
    try {
        code = master::run_headless(zmq, *loaded.result, compiled.result, m, interrupted, start_worker);
    } catch (const std::exception& e) {
        std::cerr << "swarm run: " << e.what() << "\n";
        code = 1;
    }
    worker_stop = true;
    if (worker_thread.joinable()) worker_thread.join();
    (void)worker_exit;
    return code;
}

}  // namespace

void add_run_command(CLI::App& app, command_runner& run) {
    auto opts = std::make_shared<run_options>();
    auto* cmd = app.add_subcommand("run", "Run a scenario on this machine (master and worker in one process)");
    cmd->add_option("file", opts->file, "scenario YAML file")->required();
    cmd->add_flag("--headless", opts->headless, "no web UI: run, print the console table, write reports, exit");
    cmd->add_option("-u,--users", opts->users, "peak number of users (default: the scenario's load.users, else 1)")
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{100'000'000}));
    cmd->add_option("-r,--spawn-rate", opts->spawn_rate, "users started per second (default: load.spawn_rate, else 1)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("-t,--run-time", opts->run_time, "stop after this long, e.g. 30s, 5m, 1h30m (default: until Ctrl-C)");
    cmd->add_option("-H,--host", opts->host, "target host, replacing the scenario's (http://... or https://...)");
    cmd->add_option("--threads", opts->threads, "worker threads (default: cores)")->check(CLI::Range(1u, 1024u));
    cmd->add_option("--csv", opts->csv_prefix, "write PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv");
    cmd->add_option("--json", opts->json_file, "write the full result as JSON");
    cmd->add_flag("--reset-stats", opts->reset_stats, "reset statistics once spawning completes");
    cmd->add_option("--stop-timeout", opts->stop_timeout, "let stopping users finish their task for this long")
        ->capture_default_str();
    cmd->add_option("--exit-code-on-error", opts->exit_code_on_error, "exit code when any request failed")
        ->capture_default_str();
    cmd->add_flag("--only-summary", opts->only_summary, "print only the final summary, not the live table");
    cmd->add_flag("--insecure", opts->insecure, "do not verify TLS certificates");
    cmd->add_option("--ca-file", opts->ca_file, "extra CA certificates (PEM) to trust")->check(CLI::ExistingFile);
    cmd->add_option("--request-timeout", opts->request_timeout, "default per-request timeout")->capture_default_str();
    cmd->callback([&run, opts] { run = [opts] { return run_run(*opts); }; });
}

}  // namespace swarm::cli
