#include "cli/usage_hints.hpp"

#include <iostream>

#include "common/suggest.hpp"

namespace swarm::cli {
namespace {

// "--master-host=x" → "master-host"; "" when `arg` is not an option.
std::string option_name(const std::string& arg) {
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) return {};
    return arg.substr(2,
                      arg.find('=') == std::string::npos ? std::string::npos : arg.find('=') - 2);
}

}  // namespace

std::optional<std::string> closest_option(const CLI::App& cmd, const std::string& unknown) {
    const auto name = option_name(unknown);
    if (name.empty()) return std::nullopt;
    std::vector<std::string> names;
    for (const auto* opt : cmd.get_options()) {
        for (const auto& known : opt->get_lnames()) names.push_back(known);
    }
    const std::vector<std::string_view> candidates(names.begin(), names.end());
    if (const auto typo = closest_match(name, candidates)) return "--" + *typo;
    // --master-host for --master: an option's name with more words after it.
    std::string longest;
    for (const auto& known : names) {
        if (name.size() > known.size() && name.compare(0, known.size(), known) == 0 &&
            name[known.size()] == '-' && known.size() > longest.size())
            longest = known;
    }
    if (longest.empty()) return std::nullopt;
    return "--" + longest;
}

void print_unknown_option_hints(const CLI::App& cmd) {
    for (const auto& arg : cmd.remaining(false)) {
        if (const auto hint = closest_option(cmd, arg)) {
            std::cerr << "swarm " << cmd.get_name() << ": unknown option " << arg
                      << ": did you mean " << *hint << "? (swarm " << cmd.get_name()
                      << " --help lists them)\n";
        }
    }
}

void print_sources_note(const CLI::App& cmd, const std::vector<applied_option>& applied) {
    if (applied.empty()) return;
    std::cerr << "swarm " << cmd.get_name() << ": note: set outside the command line:";
    for (const auto& a : applied)
        std::cerr << " " << a.option << " '" << a.value << "' (" << a.source << ")";
    std::cerr << "\n";
}

}  // namespace swarm::cli
