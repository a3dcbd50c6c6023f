#include "master/report/history_file.hpp"

#include <cerrno>
#include <cstring>

#include "master/report/csv.hpp"

namespace swarm::master::report {

void history_file::open_for(const std::string& path, std::int64_t start_wall_ms) {
    if (out_.is_open()) out_.close();
    path_ = path;
    out_.clear();
    run_start_ = start_wall_ms;
    error_.clear();
    out_.open(path_, std::ios::binary | std::ios::trunc);
    if (!out_) {
        error_ = "cannot write " + path_ + ": " + std::strerror(errno);
        return;
    }
    write_stats_history_header(out_);
    out_.flush();
}

void history_file::write_second(const std::string& path, const run_stats& run,
                                const history_point& p, const stats::table& second) {
    if (run_start_ != run.start_wall_ms() || path != path_) open_for(path, run.start_wall_ms());
    if (!out_.is_open() || !error_.empty()) return;
    write_full_history_second(out_, run, p, second);
    // Flushed each second, as Locust does: the file can be followed while the test runs.
    out_.flush();
    if (!out_) error_ = "cannot write " + path_ + ": " + std::strerror(errno);
}

result<void> history_file::finish(const std::string& path, const run_stats& run) {
    if (run_start_ != run.start_wall_ms() || path != path_) open_for(path, run.start_wall_ms());
    if (error_.empty() && out_.is_open()) {
        out_.flush();
        if (!out_) error_ = "cannot write " + path_ + ": " + std::strerror(errno);
    }
    if (!error_.empty()) return fail(error_);
    return {};
}

}  // namespace swarm::master::report
