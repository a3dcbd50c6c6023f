// swarm: a distributed load generator. main() only wires subcommands.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/open_files.hpp"

int main(int argc, char** argv) {
    CLI::App app{"swarm: a distributed load generator (scenarios of virtual users, at native speed)"};
    app.set_version_flag("--version", std::string("swarm ") + SWARM_VERSION);
    app.require_subcommand(1);

    swarm::cli::command_runner run;
    swarm::cli::add_run_command(app, run);
    swarm::cli::add_worker_command(app, run);
    swarm::cli::add_master_command(app, run);
    swarm::cli::add_check_command(app, run);
    swarm::cli::add_target_command(app, run);
    swarm::cli::add_keygen_command(app, run);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;  // usage errors exit 2
    }
    swarm::cli::raise_open_file_limit();
    return run ? run() : 2;
}
