#include "cli/commands.hpp"

#include <iostream>

namespace swarm::cli {

void add_check_command(CLI::App& app, command_runner& run) {
    auto file = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("check", "Validate a scenario and print its plan");
    cmd->add_option("file", *file, "scenario YAML file")->required();
    cmd->callback([&run, file] { run = [file] { std::cerr << "check: not implemented\n"; return 2; }; });
}

}  // namespace swarm::cli
