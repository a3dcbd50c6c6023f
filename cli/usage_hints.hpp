#pragma once
// What `swarm` adds to a usage error so it says how to fix it: the option a
// mistyped one was probably meant to be (`worker --master-host x`: did you
// mean --master?), and which values came from outside the command line.

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/option_sources.hpp"

namespace swarm::cli {

// For an unknown "--name" or "--name=value" given to `cmd`: the option of
// `cmd` it most likely meant ("--master"), when one is close enough.
std::optional<std::string> closest_option(const CLI::App& cmd, const std::string& unknown);

// After an unknown option (CLI11's ExtrasError): one "did you mean" line on
// stderr for each argument `cmd` did not take that is close to an option.
void print_unknown_option_hints(const CLI::App& cmd);

// After a usage error (exit 2) in a command some of whose options came from
// the environment or a config file: one line naming them, since the error
// itself names only the option.
void print_sources_note(const CLI::App& cmd, const std::vector<applied_option>& applied);

}  // namespace swarm::cli
