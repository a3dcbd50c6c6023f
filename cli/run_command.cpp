// `swarm run FILE`: a master and a worker in one process, joined by the same
// transport over inproc:// (one code path with the distributed mode).
#include <unistd.h>

#include <iostream>
#include <thread>
#include <zmq.hpp>

#include "cli/commands.hpp"
#include "cli/signals.hpp"
#include "cli/test_options.hpp"
#include "master/headless.hpp"
#include "master/interactive.hpp"
#include "worker/node.hpp"
#include "worker/usable_cpus.hpp"

namespace swarm::cli {
namespace {

struct run_options {
    std::string file;
    test_options test;
    unsigned threads = std::min(1024u, worker::usable_cpus());  // --threads' bound
};

int run_run(const run_options& opts) {
    apply_log_options(opts.test.log);
    if (!check_test_options(opts.test, "swarm run")) return 2;
    const auto scenario = load_scenario(opts.file, opts.test);
    if (!scenario) return 2;
    auto m = headless_options_for(opts.test, *scenario->plan, "swarm run");
    if (!m) return 2;
    // Before any worker or request: a report that cannot be written fails now, not after the test.
    if (auto paths = master::check_report_paths(*m); !paths) {
        std::cerr << "swarm run: " << paths.error().message << "\n";
        return 2;
    }
    m->bind = "inproc://swarm-run-" + std::to_string(getpid());
    m->expect_workers = 1;
    if (!check_users_fit(*m, "swarm run", "swarm run has one (run more with swarm master)"))
        return 2;
    m->expect_workers_max_wait = std::chrono::seconds(30);
    const auto web = web_options_for(opts.test, "swarm run");
    if (!web) return 2;
    if (opts.test.headless) m->attach = master::probe_server(*web, m->expect_workers);

    const auto& signals = install_stop_signals();
    const auto& interrupted = signals.stop;
    m->interrupted_again = &signals.again;
    zmq::context_t zmq;
    worker::node_options w;
    w.master = m->bind;
    w.name = "local";
    // The master speaks for both; only what went wrong in the worker is shown.
    w.log = log::logger("swarm worker", [to = log::stderr_sink()](const log::line& l) {
        if (l.severity >= log::level::warning) to(l);
    });
    w.engine.threads = opts.threads;
    w.stop_now_flag = &signals.again;  // after the master: a second Ctrl-C skips on_stop
    // TLS options and the request timeout come in the bundle (run_options), as for a remote worker.
    w.engine.request_timeout = m->request_timeout;  // when the bundle leaves it unset
    w.engine.user_agent = std::string("swarm/") + SWARM_VERSION;
    std::atomic<bool> worker_stop{false};
    // inproc:// needs the bind before the connect: the master binds inside
    // run_headless, so the worker thread starts from its after_bind hook.
    std::thread worker_thread;
    auto start_worker = [&] {
        worker_thread = std::thread([&] { worker::run_node(zmq, w, worker_stop); });
    };
    int code = 0;
    try {
        code = opts.test.headless ? master::run_headless(zmq, scenario->bundle, scenario->plan, *m,
                                                         interrupted, start_worker)
                                  : master::run_interactive(zmq, scenario->bundle, scenario->plan,
                                                            {*m, *web, opts.test.run_time},
                                                            interrupted, start_worker);
    } catch (const std::exception& e) {
        // A port that cannot be bound, before any test (a start-up error).
        log::logger("swarm run").error(e.what());
        code = 2;
    }
    worker_stop = true;
    if (worker_thread.joinable()) worker_thread.join();
    return code;
}

}  // namespace

void add_run_command(CLI::App& app, command_runner& run) {
    auto opts = std::make_shared<run_options>();
    auto* cmd = app.add_subcommand(
        "run", "Run a scenario on this machine (master and worker in one process)");
    cmd->add_option("file", opts->file, "scenario YAML file")->required();
    add_test_options(*cmd, opts->test);
    cmd->add_option("--threads", opts->threads,
                    "worker threads, 1 to 1024 (default: the CPUs this process may use: its CPU "
                    "affinity and its cgroup's CPU quota, rounded up)")
        ->capture_default_str()
        ->check(CLI::Range(1u, 1024u));
    cmd->callback([&run, opts] { run = [opts] { return run_run(*opts); }; });
}

}  // namespace swarm::cli
