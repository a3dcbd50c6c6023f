#pragma once
// Where a subcommand's options come from besides the command line, in this
// order (the first that sets an option wins):
//   1. the command line (a repeated option: its last value)
//   2. the environment: SWARM_ + the long name in capitals, '-' as '_'
//      (--web-port: SWARM_WEB_PORT; the scenario argument: SWARM_FILE)
//   3. the --config FILE (or SWARM_CONFIG): a YAML map whose keys are the
//      long option names without "--" (users: 100, tags: [a, b], headless: true)
//   4. for the test options, the scenario's own `load:` (cli/test_options.cpp)
// A list option (--tags, --threshold) takes its whole list from one source.
//
// CLI11 parses the command line first (prepare_option_sources makes that
// pass leave required options alone); apply_option_sources then fills what
// the command line left unset and checks each value with the option's own
// conversion and checks, so an error names the variable or the file and key.
// Used from main() only, single-threaded.

#include <CLI/CLI.hpp>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace swarm::cli {

// A value from outside the command line that cannot be used; what() names
// the variable, or the file, line and key, and says why.
class option_source_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The key an option has in a config file: its first long name without "--",
// or a positional's name ("file").
std::string option_key(const CLI::Option& opt);
// "SWARM_" + option_key upper-cased, '-' as '_'.
std::string environment_name(const std::string& key);

// The SWARM_* variables of this process (empty ones left out: unset).
using environment = std::map<std::string, std::string>;
environment swarm_environment();

// One key of a config file: its values as text and where it was written.
struct config_setting {
    std::vector<std::string> values;
    std::string where;  // "swarm.yaml:3:1"
};
using config_file = std::map<std::string, config_setting>;

// Reads a YAML config file (a map of option keys); throws option_source_error
// naming the file (and line:column) when it cannot be read or is not such a map.
config_file read_config_file(const std::string& path);

// Before parsing: adds --config FILE to every subcommand, lets a repeated
// single-value option take its last value, and leaves required options to
// apply_option_sources (they may come from the environment or the file):
// returned here, for it to check.
struct prepared_options {
    // Each option CLI11 was told is required, with its subcommand.
    std::vector<std::pair<const CLI::App*, const CLI::Option*>> required;
};
prepared_options prepare_option_sources(CLI::App& app);

// One option set from outside the command line, for the note on a usage error.
struct applied_option {
    std::string option;  // "--users"
    std::string value;   // as given (lists joined with ',')
    std::string source;  // "SWARM_USERS" or "swarm.yaml:3:1"
};

// After parsing, for the subcommand that was chosen: sets every option the
// command line did not from `env`, then from the config file; then checks
// that the required ones are set. Throws option_source_error.
std::vector<applied_option> apply_option_sources(CLI::App& cmd, const prepared_options& prepared,
                                                 const environment& env);

}  // namespace swarm::cli
