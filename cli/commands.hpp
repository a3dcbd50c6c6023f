#pragma once
// Each subcommand registers its options on the CLI11 app and returns the
// function that runs it once parsing succeeded.

#include <CLI/CLI.hpp>
#include <functional>

namespace swarm::cli {

using command_runner = std::function<int()>;

void add_check_command(CLI::App& app, command_runner& run);
void add_target_command(CLI::App& app, command_runner& run);
void add_run_command(CLI::App& app, command_runner& run);
void add_master_command(CLI::App& app, command_runner& run);
void add_keygen_command(CLI::App& app, command_runner& run);
void add_worker_command(CLI::App& app, command_runner& run);
void add_convert_command(CLI::App& app, command_runner& run);
void add_try_command(CLI::App& app, command_runner& run);

}  // namespace swarm::cli
