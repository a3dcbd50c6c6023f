#include "cli/option_sources.hpp"

#include <unistd.h>  // environ
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <sstream>

namespace swarm::cli {
namespace {

constexpr const char* config_option = "--config";

std::string where(const std::string& path, const YAML::Mark& mark) {
    return path + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

// The text of a scalar, or of each scalar of a flat list.
std::vector<std::string> config_values(const std::string& path, const std::string& key,
                                       const YAML::Node& value) {
    const auto bad = [&](const char* why) {
        return option_source_error(where(path, value.Mark()) + ": " + key + ": " + why);
    };
    if (value.IsScalar()) return {value.Scalar()};
    if (!value.IsSequence()) {
        throw bad(value.IsNull() ? "has no value" : "expected a value or a list of values");
    }
    std::vector<std::string> out;
    for (const auto& item : value) {
        if (!item.IsScalar()) throw bad("expected a list of plain values");
        out.push_back(item.Scalar());
    }
    if (out.empty()) throw bad("an empty list sets nothing");
    return out;
}

bool is_option_with_a_source(const CLI::App& cmd, const CLI::Option* opt) {
    return opt != cmd.get_help_ptr() && opt != cmd.get_help_all_ptr() &&
           opt->get_name() != config_option && !option_key(*opt).empty();
}

std::string joined(const std::vector<std::string>& values) {
    std::string out;
    for (const auto& v : values) out += (out.empty() ? "" : ",") + v;
    return out;
}

// Gives `opt` these values, converted and checked as CLI11 does for the
// command line (its type, its ->check()s); throws naming `source`.
void set_option(CLI::Option& opt, const std::vector<std::string>& values,
                const std::string& source) {
    opt.clear();
    for (const auto& v : values) opt.add_result(v);
    try {
        opt.run_callback();
    } catch (const CLI::Error& e) {
        throw option_source_error(source + ": " + opt.get_name() + " '" + joined(values) +
                                  "': " + e.what());
    }
}

// The config file's path: --config, else SWARM_CONFIG; empty when neither.
std::string config_path(CLI::App& cmd, const environment& env) {
    const auto* opt = cmd.get_option_no_throw(config_option);
    if (opt != nullptr && opt->count() > 0) return opt->results().back();
    const auto it = env.find(environment_name("config"));
    return it == env.end() ? std::string() : it->second;
}

}  // namespace

std::string option_key(const CLI::Option& opt) {
    if (!opt.get_lnames().empty()) return opt.get_lnames().front();
    return opt.get_positional() ? opt.get_name(true) : std::string();
}

std::string environment_name(const std::string& key) {
    std::string out = "SWARM_";
    for (const char c : key) {
        out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

environment swarm_environment() {
    environment out;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        const std::string_view entry(*e);
        const auto eq = entry.find('=');
        if (eq == std::string_view::npos || entry.substr(0, 6) != "SWARM_") continue;
        if (eq + 1 == entry.size()) continue;  // empty: as if unset
        out.emplace(entry.substr(0, eq), entry.substr(eq + 1));
    }
    return out;
}

config_file read_config_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) throw option_source_error(path + ": cannot read the --config file");
    YAML::Node root;
    try {
        root = YAML::Load(text.str());
    } catch (const YAML::Exception& e) {
        throw option_source_error(where(path, e.mark) + ": " + e.msg);
    }
    if (root.IsNull()) return {};  // an empty file sets nothing
    if (!root.IsMap()) {
        throw option_source_error(where(path, root.Mark()) +
                                  ": expected a map of option names to values (users: 100)");
    }
    config_file out;
    for (const auto& entry : root) {
        if (!entry.first.IsScalar()) {
            throw option_source_error(where(path, entry.first.Mark()) +
                                      ": expected an option name as the key");
        }
        const auto key = entry.first.Scalar();
        const auto at = where(path, entry.first.Mark());
        if (out.count(key) != 0) throw option_source_error(at + ": " + key + " is set twice");
        out[key] = config_setting{config_values(path, key, entry.second), at};
    }
    return out;
}

prepared_options prepare_option_sources(CLI::App& app) {
    prepared_options out;
    for (auto* cmd : app.get_subcommands([](const CLI::App*) { return true; })) {
        for (auto* opt : cmd->get_options()) {
            if (opt->get_required()) {
                out.required.emplace_back(cmd, opt);
                opt->required(false);
            }
            // Overlays append arguments: -u 10 ... -u 20 means 20. Lists
            // (--tags a,b or a repeated --threshold) keep every value.
            if (opt->get_expected_max() == 1 && opt->get_delimiter() == '\0')
                opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
            // One value per occurrence: with the positional no longer required
            // (above), CLI11 would let `--tags a FILE` take FILE as a second tag.
            if (opt->get_expected_max() == 1) opt->allow_extra_args(false);
        }
        cmd->add_option(config_option,
                        "YAML file of option values, keys the long option names "
                        "(users: 100); the command line and SWARM_* variables "
                        "win over it (README: Configuration)")
            ->type_name("FILE");
    }
    return out;
}

std::vector<applied_option> apply_option_sources(CLI::App& cmd, const prepared_options& prepared,
                                                 const environment& env) {
    const auto path = config_path(cmd, env);
    auto config = path.empty() ? config_file{} : read_config_file(path);
    std::vector<applied_option> applied;
    for (auto* opt : cmd.get_options()) {
        if (!is_option_with_a_source(cmd, opt)) continue;
        const auto key = option_key(*opt);
        const auto from_file = config.find(key);
        const bool in_file = from_file != config.end();
        config_setting setting;
        if (in_file) {
            setting = std::move(from_file->second);
            config.erase(from_file);
        }
        if (opt->count() > 0) continue;  // the command line's
        const auto variable = environment_name(key);
        if (const auto it = env.find(variable); it != env.end()) {
            set_option(*opt, {it->second}, variable + "=" + it->second);
            applied.push_back({opt->get_name(), it->second, variable});
        } else if (in_file) {
            if (setting.values.size() > 1 && opt->get_expected_max() == 1 &&
                opt->get_delimiter() == '\0') {
                throw option_source_error(setting.where + ": " + key +
                                          ": takes one value, not a list");
            }
            set_option(*opt, setting.values, setting.where + ": " + key);
            applied.push_back({opt->get_name(), joined(setting.values), setting.where});
        }
    }
    if (!config.empty()) {
        const auto& [key, setting] = *config.begin();
        throw option_source_error(setting.where + ": " + key + ": swarm " + cmd.get_name() +
                                  " has no option --" + key +
                                  " (keys are the long option names, without --)");
    }
    for (const auto& [owner, opt] : prepared.required) {
        if (owner != &cmd || opt->count() > 0) continue;
        const auto key = option_key(*opt);
        throw option_source_error(opt->get_name() + " is required (on the command line, as " +
                                  environment_name(key) + " or as " + key +
                                  ": in the --config file)");
    }
    return applied;
}

}  // namespace swarm::cli
