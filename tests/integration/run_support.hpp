#pragma once
// Running `swarm run --headless` as a user would, and reading what the run
// and the target each counted.

#include <boost/json/value.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace swarm::test {

struct run_outcome {
    int exit_code = -1;
    std::string output;         // stdout + stderr
    boost::json::value result;  // the --json file (null when not written)
};

// Runs `swarm run SCENARIO --headless --json FILE ARGS...` to completion
// (bounded by `timeout_s`).
run_outcome run_swarm(const std::string& scenario, const std::vector<std::string>& args,
                      int timeout_s = 60);

// A JSON number as an integer.
std::int64_t number(const boost::json::value& v);
// The row (method, name) of a result, or null.
const boost::json::value* entry(const boost::json::value& result, std::string_view method,
                                std::string_view name);

// Requests per "METHOD name" in a result's entries, and their sum.
std::map<std::string, std::int64_t> requests_by_entry(const boost::json::value& result);
std::int64_t total_requests(const boost::json::value& result);
std::int64_t total_failures(const boost::json::value& result);
// Error messages in the result, with occurrences.
std::map<std::string, std::int64_t> error_messages(const boost::json::value& result);

// The target's own counters: "METHOD /path" → requests, and the total.
struct target_counts {
    std::map<std::string, std::int64_t> requests;
    std::int64_t total = 0;
};
target_counts read_target_stats(const std::string& target_url);

// Writes a scenario into the test's temp dir and returns its path.
std::string write_scenario(const std::string& name, const std::string& yaml);

}  // namespace swarm::test
