#include "master/run_outputs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "master/report/csv.hpp"
#include "master/report/json_result.hpp"
#include "master/web/json_text.hpp"
#include "master/web/report_page.hpp"

namespace swarm::master {
namespace {

using writer = std::function<void(std::ostream&)>;

// Writes `text` to `path` (created or truncated) with plain system calls, so
// that every failure is seen with its reason: a stream's buffer would hide a
// full disk until a flush nobody checks (/dev/full accepts the open and
// fails each write with ENOSPC).
result<void> write_text(const std::string& path, const std::string& text) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail("cannot write " + path + ": " + std::strerror(errno));
    std::size_t done = 0;
    while (done < text.size()) {
        const auto n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int err = n < 0 ? errno : EIO;
            ::close(fd);
            return fail("cannot write " + path + ": " + std::strerror(err));
        }
        done += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) return fail("cannot write " + path + ": " + std::strerror(errno));
    return {};
}

result<void> write_file(const std::string& path, const writer& write) {
    std::ostringstream text;
    write(text);
    return write_text(path, text.str());
}

// The --csv files, in the order they are written.
std::vector<std::string> csv_files(const std::string& prefix) {
    return {prefix + "_stats.csv", prefix + "_stats_history.csv", prefix + "_failures.csv",
            prefix + "_classes.csv"};
}

// Whether `path` could be written now; the reason if not. An existing file is
// opened without truncating it (non-blocking: a FIFO without a reader does
// not hang the check); a new one is created and removed again.
result<void> check_writable(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd >= 0) {
        ::close(fd);
        return {};
    }
    if (errno != ENOENT) return fail(std::strerror(errno));
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return fail(std::strerror(errno));
    ::close(fd);
    ::unlink(path.c_str());
    return {};
}

}  // namespace

result<void> check_report_paths(const headless_options& opts) {
    if (!opts.csv_prefix.empty()) {
        for (const auto& file : csv_files(opts.csv_prefix)) {
            if (auto ok = check_writable(file); !ok) {
                return fail("--csv " + opts.csv_prefix + ": cannot write " + file + ": " +
                            ok.error().message);
            }
        }
    }
    const std::pair<const char*, const std::string*> single[] = {{"--json", &opts.json_file},
                                                                 {"--html", &opts.html_file}};
    for (const auto& [option, path] : single) {
        if (path->empty()) continue;
        if (auto ok = check_writable(*path); !ok)
            return fail(std::string(option) + " " + *path +
                        ": cannot write: " + ok.error().message);
    }
    return {};
}

std::string full_history_path(const headless_options& opts) {
    return opts.csv_full_history && !opts.csv_prefix.empty() ? csv_files(opts.csv_prefix)[1] : "";
}

run_outcome outcome_of(const headless_options&, const controller& c) {
    return c.core().outcome();
}

int write_reports(const headless_options& opts, const controller& c, run_outcome& outcome) {
    const auto& run = c.stats();
    std::vector<std::pair<std::string, writer>> files;
    if (!opts.csv_prefix.empty()) {
        const auto names = csv_files(opts.csv_prefix);
        files.emplace_back(names[0], [&](std::ostream& o) { report::write_stats_csv(o, run); });
        // With --csv-full-history the rows are in the file already (written
        // as each second closed); without, the Aggregated rows the history keeps.
        if (!opts.csv_full_history) {
            files.emplace_back(names[1],
                               [&](std::ostream& o) { report::write_stats_history_csv(o, run); });
        } else if (auto done = opts.full_history->finish(names[1], run); !done) {
            opts.log.error(done.error().message);
            outcome.reports_failed = true;
        }
        files.emplace_back(names[2], [&](std::ostream& o) { report::write_failures_csv(o, run); });
        files.emplace_back(names[3], [&](std::ostream& o) { report::write_classes_csv(o, run); });
    }
    if (!opts.html_file.empty()) {
        files.emplace_back(opts.html_file, [&](std::ostream& o) { o << web::html_report(c); });
    }
    const auto write = [&](const std::string& path, const writer& w) {
        if (auto written = write_file(path, w); !written) {
            opts.log.error(written.error().message);
            outcome.reports_failed = true;
        }
    };
    for (const auto& [path, w] : files) write(path, w);
    // Last, so that its exit_status counts the other files' failures.
    if (!opts.json_file.empty()) {
        const int code = exit_code_for(outcome);
        write(opts.json_file, [&](std::ostream& o) {
            // Numbers without exponents, as the API serves them.
            o << web::json_text(report::json_result(run, c.run_metadata(code))) << "\n";
        });
    }
    return exit_code_for(outcome);
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
    co.exit_code_on_error = opts.exit_code_on_error;
    co.log = opts.log.with_source("swarm master");
    if (const auto path = full_history_path(opts); !path.empty()) {
        co.on_second_closed = [file = opts.full_history, path](const run_stats& run,
                                                               const history_point& p,
                                                               const stats::table& second) {
            file->write_second(path, run, p, second);
        };
    }
    return co;
}

}  // namespace swarm::master
