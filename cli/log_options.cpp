#include "cli/log_options.hpp"

#include "common/log/log.hpp"

namespace swarm::cli {

void add_log_options(CLI::App& cmd, log_options& opts) {
    cmd.add_option("-L,--loglevel", opts.level,
                   "log lines kept from this level up (stderr, and the events on stdout): debug, "
                   "info, warning, error "
                   "(any case; WARN and CRITICAL as in Locust)")
        ->capture_default_str()
        ->check([](const std::string& text) {
            return log::parse_level(text)
                       ? std::string()
                       : "expected debug, info, warning or error, got '" + text + "'";
        });
    cmd.add_option("--log-format", opts.format,
                   "log lines as text (UTC time, level, source: message) or json (one object a "
                   "line: time, level, source, message)")
        ->capture_default_str()
        ->check([](const std::string& text) {
            return log::parse_format(text) ? std::string()
                                           : "expected text or json, got '" + text + "'";
        });
}

void apply_log_options(const log_options& opts) {
    log::output_options out;
    out.min_level = log::parse_level(opts.level).value_or(log::level::info);
    out.style = log::parse_format(opts.format).value_or(log::format::text);
    log::set_output(out);
}

}  // namespace swarm::cli
