#pragma once
// A cluster of real processes for integration tests: `swarm master
// --headless` on 127.0.0.1 and `swarm worker`s joined to it, and what the
// master's --json says at the end. Shared by distributed_test (the cluster
// works) and fault_test (it survives faults without silent loss).

#include <boost/json/value.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

namespace swarm::test {

struct master_process {
    std::unique_ptr<child_process> process;
    std::string address;  // "127.0.0.1:PORT" for --master
    std::string json_file;
};

// `swarm master FILE --headless --bind BIND --json FILE ARGS...`; waits for
// its "listening for workers on tcp://..." line (throws if it never comes).
master_process start_master(const std::string& scenario, const std::string& bind,
                            const std::vector<std::string>& args);

// `swarm worker --master MASTER --threads 1 --name NAME`.
std::unique_ptr<child_process> start_worker(const std::string& master, const std::string& name);
// `count` workers named PREFIX0, PREFIX1, ...
std::vector<std::unique_ptr<child_process>> start_workers(const std::string& master,
                                                          const std::string& prefix, int count);

// The end of a master's run: its exit code, its stdout, and its --json.
struct master_end {
    std::optional<int> code;  // nullopt: still running after a minute
    std::string output;
    boost::json::value result;  // null when no JSON was written
};
master_end wait_for_end(const master_process& m);

std::string joined(const std::vector<std::string>& lines);

// The highest user count in the run's history at or after `from_unix_s`,
// looking `within_s` seconds ahead.
std::int64_t users_between(const boost::json::value& result, std::int64_t from_unix_s,
                           std::int64_t within_s);
// The run's history as (unix_s, users), oldest first.
std::vector<std::pair<std::int64_t, std::int64_t>> users_history(const boost::json::value& result);

std::int64_t unix_now_s();

}  // namespace swarm::test
