// swarm: a distributed load generator. main() only wires subcommands.
#include <exception>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/open_files.hpp"
#include "cli/option_sources.hpp"
#include "cli/usage_hints.hpp"
#include "common/log/log.hpp"

namespace {

int run_swarm(int argc, char** argv) {
    CLI::App app{
        "swarm: a distributed load generator (scenarios of virtual users, at native speed)"};
    app.set_version_flag("--version", std::string("swarm ") + SWARM_VERSION);
    app.require_subcommand(1);

    swarm::cli::command_runner run;
    swarm::cli::add_run_command(app, run);
    swarm::cli::add_worker_command(app, run);
    swarm::cli::add_master_command(app, run);
    swarm::cli::add_check_command(app, run);
    swarm::cli::add_target_command(app, run);
    swarm::cli::add_keygen_command(app, run);
    swarm::cli::add_convert_command(app, run);
    swarm::cli::add_try_command(app, run);
    const auto prepared = swarm::cli::prepare_option_sources(app);

    std::vector<swarm::cli::applied_option> applied;
    try {
        app.parse(argc, argv);
        applied = swarm::cli::apply_option_sources(*app.get_subcommands().front(), prepared,
                                                   swarm::cli::swarm_environment());
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        for (const auto* cmd : app.get_subcommands()) swarm::cli::print_unknown_option_hints(*cmd);
        return code == 0 ? 0 : 2;  // usage errors exit 2
    } catch (const swarm::cli::option_source_error& e) {
        std::cerr << "swarm " << app.get_subcommands().front()->get_name() << ": " << e.what()
                  << "\n";
        return 2;
    }
    swarm::cli::raise_open_file_limit();
    const int code = run ? run() : 2;
    if (code == 2) swarm::cli::print_sources_note(*app.get_subcommands().front(), applied);
    return code;
}

}  // namespace

int main(int argc, char** argv) {
    // A command reports what it expects to fail; anything else ends here, said
    // in one line rather than by std::terminate's abort.
    try {
        return run_swarm(argc, argv);
    } catch (const std::exception& e) {
        swarm::log::logger("swarm").error(e.what());
        return 1;
    }
}
