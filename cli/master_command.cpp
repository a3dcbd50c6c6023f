// `swarm master FILE`: the master of a distributed test. Workers (`swarm
// worker --master HOST`) connect over tcp, receive the scenario and run the
// users; the master dispatches, merges their stats and reports.
#include <iostream>
#include <thread>
#include <zmq.hpp>

#include "cli/commands.hpp"
#include "cli/signals.hpp"
#include "cli/test_options.hpp"
#include "common/duration.hpp"
#include "common/log/log.hpp"
#include "master/headless.hpp"
#include "master/interactive.hpp"
#include "proto/address.hpp"
#include "proto/auth.hpp"

namespace swarm::cli {
namespace {

struct master_options {
    std::string file;
    test_options test;
    std::string bind = "0.0.0.0:5557";
    std::size_t expect_workers = 1;
    std::size_t max_workers = 1000;
    std::string expect_workers_max_wait;
    std::string auth_key_file;
};

int run_master(const master_options& opts) {
    apply_log_options(opts.test.log);
    if (!check_test_options(opts.test, "swarm master")) return 2;
    const auto scenario = load_scenario(opts.file, opts.test);
    if (!scenario) return 2;
    auto m = headless_options_for(opts.test, *scenario->plan, "swarm master");
    if (!m) return 2;
    // Before any worker or request: a report that cannot be written fails now, not after the test.
    if (auto paths = master::check_report_paths(*m); !paths) {
        std::cerr << "swarm master: " << paths.error().message << "\n";
        return 2;
    }
    const auto bind = proto::parse_tcp_address(opts.bind, proto::address_use::bind);
    if (!bind) {
        std::cerr << "swarm master: --bind '" << opts.bind << "': " << bind.error().message
                  << "; expected HOST:PORT, :PORT, [IPv6]:PORT or tcp://HOST:PORT (e.g. "
                     "0.0.0.0:5557 or [::1]:5557)\n";
        return 2;
    }
    m->bind = *bind;
    m->expect_workers = opts.expect_workers;
    if (opts.max_workers < opts.expect_workers) {
        std::cerr << "swarm master: --max-workers " << opts.max_workers
                  << " is less than --expect-workers " << opts.expect_workers << "\n";
        return 2;
    }
    m->max_workers = opts.max_workers;
    // With the UI, more workers may join before a start, which is checked then.
    if (opts.test.headless &&
        !check_users_fit(*m, "swarm master",
                         "--expect-workers is " + std::to_string(opts.expect_workers)))
        return 2;
    if (!opts.expect_workers_max_wait.empty()) {
        const auto wait = parse_duration(opts.expect_workers_max_wait);
        if (!wait) {
            std::cerr << "swarm master: --expect-workers-max-wait: expected a duration like 30s or "
                         "5m, got '"
                      << opts.expect_workers_max_wait << "'\n";
            return 2;
        }
        m->expect_workers_max_wait = std::chrono::duration_cast<std::chrono::milliseconds>(*wait);
    }
    const auto web = web_options_for(opts.test, "swarm master");
    if (!web) return 2;
    if (opts.test.headless) m->attach = master::probe_server(*web, m->expect_workers);
    const log::logger log("swarm master");
    if (!opts.auth_key_file.empty()) {
        auto keys = proto::load_auth_key_file(opts.auth_key_file, proto::auth_side::master, log);
        if (!keys) {
            std::cerr << "swarm master: --auth-key-file: " << keys.error().message << "\n";
            return 2;
        }
        m->auth = std::move(*keys);
    } else if (const auto warning = proto::plaintext_bind_warning(m->bind)) {
        log.warning(*warning);
    }

    const auto& signals = install_stop_signals();
    m->interrupted_again = &signals.again;
    zmq::context_t zmq;
    try {
        return opts.test.headless
                   ? master::run_headless(zmq, scenario->bundle, scenario->plan, *m, signals.stop)
                   : master::run_interactive(zmq, scenario->bundle, scenario->plan,
                                             {*m, *web, opts.test.run_time}, signals.stop);
    } catch (const std::exception& e) {
        // A port that cannot be bound, before any test (a start-up error).
        log.error(e.what());
        return 2;
    }
}

}  // namespace

void add_master_command(CLI::App& app, command_runner& run) {
    auto opts = std::make_shared<master_options>();
    auto* cmd = app.add_subcommand(
        "master", "Run the master of a distributed test (workers: swarm worker --master HOST)");
    cmd->add_option("file", opts->file, "scenario YAML file (workers receive it from the master)")
        ->required();
    add_test_options(*cmd, opts->test);
    cmd->add_option(
           "--bind", opts->bind,
           "address workers connect to, HOST:PORT (port 0: any free port, printed at start)")
        ->capture_default_str();
    cmd->add_option("--expect-workers", opts->expect_workers,
                    "start the test once this many workers are ready")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
    cmd->add_option("--max-workers", opts->max_workers,
                    "workers the master keeps at most; a hello beyond them is rejected, unless "
                    "a missing worker gives its place up (workers missing 60 s are forgotten)")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
    cmd->add_option(
        "--expect-workers-max-wait", opts->expect_workers_max_wait,
        "give up (exit 5) when the workers are not there after this long (default: wait)");
    cmd->add_option(
           "--auth-key-file", opts->auth_key_file,
           "CURVE key file (swarm keygen): only workers holding an allowed key may connect")
        ->check(CLI::ExistingFile);
    cmd->callback([&run, opts] { run = [opts] { return run_master(*opts); }; });
}

}  // namespace swarm::cli
