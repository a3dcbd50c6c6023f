#pragma once
// --loglevel/-L and --log-format, the same on every long-running command
// (run, master, worker, target): how its log lines look and which it drops.
// Values are checked by CLI11 while parsing (a bad one is a plain usage error,
// exit 2); apply_log_options() sets the process-wide sinks' output
// (common/log/log.hpp) before the command logs anything.

#include <CLI/CLI.hpp>
#include <string>

namespace swarm::cli {

struct log_options {
    std::string level = "info";   // debug, info, warning, error (any case)
    std::string format = "text";  // text or json
};

void add_log_options(CLI::App& cmd, log_options& opts);
void apply_log_options(const log_options& opts);

}  // namespace swarm::cli
