// `swarm worker --master HOST[:PORT]`: one worker of a distributed test. It
// needs no scenario file — the master sends the scenario, the users to run
// and when to stop. It outlives its master: when the master goes away the
// worker stops its users and waits for it (or a new one) to come back.
#include <unistd.h>

#include <iostream>
#include <thread>
#include <zmq.hpp>

#include "cli/commands.hpp"
#include "cli/log_options.hpp"
#include "cli/signals.hpp"
#include "common/duration.hpp"
#include "common/log/log.hpp"
#include "proto/address.hpp"
#include "proto/auth.hpp"
#include "worker/node.hpp"
#include "worker/usable_cpus.hpp"

namespace swarm::cli {
namespace {

struct worker_command_options {
    std::string master;
    unsigned threads = std::min(1024u, worker::usable_cpus());  // --threads' bound
    std::string name;
    std::string master_timeout;  // empty: keep trying
    std::string ready_file;
    std::string auth_key_file;
    log_options log;
};

int run_worker(const worker_command_options& opts) {
    apply_log_options(opts.log);
    const auto address = proto::parse_tcp_address(opts.master, proto::address_use::connect);
    if (!address) {
        std::cerr << "swarm worker: --master '" << opts.master << "': " << address.error().message
                  << "; expected HOST, HOST:PORT, [IPv6]:PORT or tcp://HOST:PORT (default port "
                  << proto::default_master_port << ")\n";
        return 2;
    }
    worker::node_options w;
    w.master = *address;
    w.name = opts.name;
    w.ready_file = opts.ready_file;
    w.engine.threads = opts.threads;
    w.engine.user_agent = std::string("swarm/") + SWARM_VERSION;
    if (!opts.master_timeout.empty()) {
        const auto timeout = parse_duration(opts.master_timeout);
        if (!timeout || timeout->count() == 0) {
            std::cerr
                << "swarm worker: --master-timeout: expected a duration like 30s, 5m or 1h, got '"
                << opts.master_timeout << "'\n";
            return 2;
        }
        w.watch.give_up_after = std::chrono::ceil<std::chrono::milliseconds>(*timeout);
    }

    if (!opts.auth_key_file.empty()) {
        auto keys = proto::load_auth_key_file(opts.auth_key_file, proto::auth_side::worker,
                                              log::logger("swarm worker"));
        if (!keys) {
            std::cerr << "swarm worker: --auth-key-file: " << keys.error().message << "\n";
            return 2;
        }
        w.auth = std::move(*keys);
    }

    const auto& signals = install_stop_signals();
    w.stop_now_flag = &signals.again;
    zmq::context_t zmq;
    return worker::run_node(zmq, w, signals.stop);
}

}  // namespace

void add_worker_command(CLI::App& app, command_runner& run) {
    auto opts = std::make_shared<worker_command_options>();
    auto* cmd = app.add_subcommand(
        "worker", "Run users for a master (`swarm master`); needs no scenario file");
    cmd->add_option(
           "--master", opts->master,
           "the master: HOST, HOST:PORT, [IPv6]:PORT or tcp://HOST:PORT (default port 5557)")
        ->required();
    cmd->add_option("--threads", opts->threads,
                    "worker threads, 1 to 1024 (default: the CPUs this process may use: its CPU "
                    "affinity and its cgroup's CPU quota, rounded up)")
        ->capture_default_str()
        ->check(CLI::Range(1u, 1024u));
    cmd->add_option("--name", opts->name,
                    "name shown by the master, at most 255 bytes (default: HOST:PID; a name "
                    "another worker has is shown with a suffix, NAME#2)")
        ->check([](const std::string& name) {
            return name.size() > 255 ? std::string("at most 255 bytes: the master refuses longer")
                                     : std::string();
        });
    cmd->add_option("--master-timeout", opts->master_timeout,
                    "exit when no master has answered for this long, e.g. 30s, 5m (default: keep "
                    "trying): status 0 after working for a master, 5 when none was ever reached");
    cmd->add_option(
        "--ready-file", opts->ready_file,
        "create this empty file while joined to a master and ready to run users, remove it "
        "otherwise: a Kubernetes readiness probe (`test -f PATH`)");
    cmd->add_option(
           "--auth-key-file", opts->auth_key_file,
           "CURVE key file (swarm keygen): talk only to the master whose public key it names")
        ->check(CLI::ExistingFile);
    add_log_options(*cmd, opts->log);
    cmd->callback([&run, opts] { run = [opts] { return run_worker(*opts); }; });
}

}  // namespace swarm::cli
