#include "master/run_outputs.hpp"

#include <fstream>

#include "common/result.hpp"
#include "master/report/csv.hpp"
#include "master/report/json_result.hpp"
#include "master/web/json_text.hpp"
#include "master/web/report_page.hpp"

namespace swarm::master {
namespace {

result<void> write_file(const std::string& path, const std::function<void(std::ostream&)>& write) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return fail("cannot write " + path);
    write(out);
    if (!out) return fail("cannot write " + path);
    return {};
}

}  // namespace

void write_reports(const headless_options& opts, const controller& c, int exit_code) {
    const auto& run = c.stats();
    std::vector<std::pair<std::string, std::function<void(std::ostream&)>>> files;
    if (!opts.csv_prefix.empty()) {
        files.emplace_back(opts.csv_prefix + "_stats.csv",
                           [&](std::ostream& o) { report::write_stats_csv(o, run); });
        files.emplace_back(opts.csv_prefix + "_stats_history.csv", [&](std::ostream& o) {
            report::write_stats_history_csv(o, run, opts.csv_full_history);
        });
        files.emplace_back(opts.csv_prefix + "_failures.csv",
                           [&](std::ostream& o) { report::write_failures_csv(o, run); });
        files.emplace_back(opts.csv_prefix + "_classes.csv",
                           [&](std::ostream& o) { report::write_classes_csv(o, run); });
    }
    if (!opts.json_file.empty()) {
        files.emplace_back(opts.json_file, [&](std::ostream& o) {
            // Numbers without exponents, as the API serves them.
            o << web::json_text(report::json_result(run, c.run_metadata(exit_code))) << "\n";
        });
    }
    if (!opts.html_file.empty()) {
        files.emplace_back(opts.html_file, [&](std::ostream& o) { o << web::html_report(c); });
    }
    for (const auto& [path, write] : files) {
        if (auto written = write_file(path, write); !written)
            opts.log.error(written.error().message);
    }
}

controller_options controller_options_for(const headless_options& opts) {
    controller_options co;
    co.bind = opts.bind;
    co.request_timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(opts.request_timeout);
    co.reset_stats_after_spawn = opts.reset_stats;
    co.auth = opts.auth;
    co.max_workers = opts.max_workers;
    co.run_options = opts.run_options;
    co.thresholds = opts.thresholds;
    co.log = opts.log.with_source("swarm master");
    return co;
}

}  // namespace swarm::master
