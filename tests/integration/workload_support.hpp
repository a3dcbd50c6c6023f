#pragma once
// Reading what a workload test needs (issue 13): the target's per-second
// arrivals and gaps (its /__stats), a result's per-class counters and entry
// percentiles, and a history CSV by column name. Shared by workload_test.cpp.

#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace swarm::test {

// The target's arrival counters (target.hpp documents /__stats).
struct target_arrivals {
    std::int64_t total = 0;
    std::map<std::int64_t, std::int64_t> per_second;  // unix second → arrivals
    std::int64_t now_unix_ms = 0;                     // that second is still filling
    std::int64_t gap_p99_us = 0;
};
target_arrivals read_target_arrivals(const std::string& target_url);

// The seconds of `a` strictly between its first and last (both partial: the
// run started and ended inside them).
std::vector<std::int64_t> full_second_counts(const target_arrivals& a);

// A result's per-class counters (`classes`: an array of {name, ...} or an
// object keyed by class name); a missing class or field reads as 0.
struct class_figures {
    std::int64_t iterations = 0;
    std::int64_t dropped_iterations = 0;
    std::int64_t pacing_overruns = 0;
};
class_figures class_counts(const boost::json::value& result, const std::string& class_name);

// The entry `method name`'s percentile `p` ("90", "99.9"), µs; -1 when absent.
std::int64_t entry_percentile_us(const boost::json::value& result, const std::string& method,
                                 const std::string& name, const std::string& p);
// The first entry with this method (any name); null when none.
const boost::json::value* first_entry_with_method(const boost::json::value& result,
                                                  const std::string& method);

// A CSV file as rows of column name → cell (quoted cells are not needed here).
std::vector<std::map<std::string, std::string>> read_csv(const std::string& path);

}  // namespace swarm::test
