// `swarm convert recording.har [--include-static] [--class NAME] > scenario.yaml`:
// a browser's HAR recording as a scenario (authoring/convert.hpp says what is
// kept). The scenario goes to stdout; notes on what was left out to stderr.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "authoring/convert.hpp"
#include "authoring/har.hpp"
#include "cli/commands.hpp"

namespace swarm::cli {
namespace {

struct convert_options {
    std::string file;
    bool include_static = false;
    std::string class_name = "RecordedUser";
};

int run_convert(const convert_options& opts) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(opts.file, ec);
    if (ec) {
        std::cerr << opts.file << ": " << ec.message() << "\n";
        return 2;
    }
    if (size > authoring::max_har_bytes) {
        std::cerr << opts.file << ": larger than " << (authoring::max_har_bytes >> 20)
                  << " MiB, not read\n";
        return 2;
    }
    std::ifstream in(opts.file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
        std::cerr << opts.file << ": cannot be read\n";
        return 2;
    }
    const auto har = authoring::read_har(text.str());
    if (!har) {
        std::cerr << opts.file << ": " << har.error().message << "\n";
        return 2;
    }
    authoring::convert_options co;
    co.include_static = opts.include_static;
    co.class_name = opts.class_name;
    co.source_name = std::filesystem::path(opts.file).filename().string();
    const auto rec = authoring::build_recording(*har, co);
    for (const auto& note : rec.notes) std::cerr << "note: " << note << "\n";
    if (rec.requests == 0) {
        std::cerr << opts.file << ": no request to replay ("
                  << (rec.static_skipped > 0 ? "only static assets; try --include-static"
                                             : "the recording has none")
                  << ")\n";
        return 2;
    }
    std::cout << authoring::emit_scenario(rec, co);
    std::cerr << "converted " << rec.requests << " requests on " << rec.pages.size() << " pages";
    if (rec.static_skipped > 0)
        std::cerr << " (" << rec.static_skipped << " static assets left out)";
    std::cerr << "\n";
    return 0;
}

}  // namespace

void add_convert_command(CLI::App& app, command_runner& run) {
    auto opts = std::make_shared<convert_options>();
    auto* cmd = app.add_subcommand(
        "convert", "Turn a HAR recording (browser developer tools) into a scenario on stdout");
    cmd->add_option("file", opts->file, "HAR file (HAR 1.2, JSON)")->required();
    cmd->add_flag("--include-static", opts->include_static,
                  "keep requests for images, CSS, scripts, fonts and media");
    cmd->add_option("--class", opts->class_name, "the user class's name")->capture_default_str();
    cmd->callback([&run, opts] { run = [opts] { return run_convert(*opts); }; });
}

}  // namespace swarm::cli
