#include "cli/commands.hpp"
#include "cli/log_options.hpp"
#include "target/target.hpp"

namespace swarm::cli {

void add_target_command(CLI::App& app, command_runner& run) {
    auto opts = std::make_shared<target::options>();
    auto log = std::make_shared<log_options>();
    auto* cmd =
        app.add_subcommand("target", "Serve the built-in demo site (for demos, tests, benchmarks)");
    cmd->add_option("--listen", opts->listen, "host:port to listen on (port 0 picks a free port)")
        ->capture_default_str();
    cmd->add_option("--threads", opts->threads, "io threads")
        ->capture_default_str()
        ->check(CLI::Range(1u, 256u));
    cmd->add_option("--tls-cert", opts->tls_cert, "PEM certificate chain: serve HTTPS")
        ->check(CLI::ExistingFile);
    cmd->add_option("--tls-key", opts->tls_key, "PEM private key for --tls-cert")
        ->check(CLI::ExistingFile);
    add_log_options(*cmd, *log);
    cmd->callback([&run, opts, log] {
        run = [opts, log] {
            apply_log_options(*log);
            return target::run(*opts);
        };
    });
}

}  // namespace swarm::cli
