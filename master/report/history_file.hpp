#pragma once
// --csv-full-history's PREFIX_stats_history.csv, written as the run goes, as
// Locust writes it: each closed second's rows (one per name, then
// Aggregated; write_full_history_second) are appended and flushed when the
// second closes. Nothing is kept in memory, so a run with a thousand names
// for hours costs disk, not RAM (about 150 bytes per name and second).
//
// Each test starts the file again (truncated, header first): the file holds
// the latest test's rows, as PREFIX_stats_history.csv does without
// --csv-full-history. Control thread only (run_stats' listener, the
// reports written at a test's end); the web API's download reads the file.

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "master/stats/run_stats.hpp"

namespace swarm::master::report {

class history_file {
  public:
    // run_stats' second listener: opens `path` for `run` (a new test: its
    // start time differs) and appends second `p`'s rows.
    void write_second(const std::string& path, const run_stats& run, const history_point& p,
                      const stats::table& second);

    // The run's rows are complete: `path` exists for `run` (header only
    // when no second closed), is flushed, and no write failed. The error
    // names the file and the system's reason.
    result<void> finish(const std::string& path, const run_stats& run);

  private:
    // Opens (truncates) `path` and writes the header, for the run started at `start_wall_ms`.
    void open_for(const std::string& path, std::int64_t start_wall_ms);

    std::string path_;  // the file open now
    std::ofstream out_;
    std::optional<std::int64_t> run_start_;  // start_wall_ms of the run the file holds
    std::string error_;                      // first failure, "" if none
};

}  // namespace swarm::master::report
