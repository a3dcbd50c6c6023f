#pragma once
// Every message between master and worker (see PROTOCOL.md). Plain structs;
// codec.hpp turns them into msgpack bytes and back.

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/scenario/loader.hpp"
#include "common/stats/delta.hpp"

namespace swarm::proto {

// Bumped on any incompatible change; a worker with another version is rejected.
inline constexpr std::uint32_t protocol_version = 4;

// worker → master: first message after connecting.
struct hello {
    std::uint32_t version = protocol_version;
    std::string host;  // hostname
    std::string name;  // --name, or host:pid
    std::uint32_t threads = 0;
    std::int64_t pid = 0;
};

// master → worker: accepted; `index` numbers workers 0, 1, 2... (user ids use it).
struct welcome {
    std::uint32_t index = 0;
};

// master → worker: refused, with the reason both sides log.
struct reject {
    std::string reason;
};

// Settings from the master's command line that every worker applies to every
// user, so a remote `swarm worker` needs no flags of its own. A worker adds
// them to its own (--insecure there still skips verification).
struct run_options {
    bool insecure = false;                // --insecure: skip TLS verification for every class
    std::int64_t request_timeout_ms = 0;  // --request-timeout; 0: the worker's default (60 s)
    std::string ca_pem;  // --ca-file's content: extra CA certificates (PEM); empty: none
    // --max-body-size: the largest response body a user accepts, in bytes;
    // 0: the worker's default (16 MiB). Appended to the first layout.
    std::uint64_t max_body_bytes = 0;
    // --tags / --exclude-tags: tasks kept and dropped by tag (appended in
    // protocol 3). The worker compiles the bundle with the same filter.
    std::vector<std::string> include_tags{};
    std::vector<std::string> exclude_tags{};
};

// master → worker: the scenario to compile, and how to run it.
struct scenario_bundle {
    scenario::bundle bundle;
    std::string hash;  // bundle.hash(), so both sides can name the version
    run_options options;
};

// worker → master: compiled the bundle with this hash.
struct ready {
    std::string hash;
};

// worker → master: the bundle did not compile here (the master's copy did).
struct compile_failed {
    std::string hash;
    std::vector<std::string> errors;  // diagnostic::to_string() lines
};

// One open (arrival) class's share on a worker, in a spawn: from the
// spawn's arrival its rate moves linearly from `rate` to `rate_end` over
// `ramp_ms`, then holds `rate_end` (0: no more arrivals) until the next spawn.
struct arrival_share {
    std::string user_class;
    double rate = 0;                // iterations/s on this worker, now
    double rate_end = 0;            // iterations/s at the end of the ramp
    std::int64_t ramp_ms = 0;       // 0: rate_end at once
    std::int64_t max_users = 0;     // this worker's share of the pool bound
    std::int64_t pre_allocate = 0;  // this worker's share of pre_allocate
    // Where this worker's first arrival falls, in (0, 1] of its own gap
    // between arrivals: the master staggers workers ((i + 1) / n) so that
    // their arrivals interleave evenly at the target. Read when the worker
    // makes the class's pool (the first spawn of a run).
    double phase = 1;
};

// master → worker: run exactly these many users per class, starting or
// stopping them at `spawn_rate` users/s. Absolute targets: sending the same
// spawn twice is harmless, and a rebalance is just a new spawn.
struct spawn {
    std::uint64_t run_id = 0;  // changes with every new test (not with a rebalance)
    std::vector<std::pair<std::string, std::int64_t>>
        targets;                // user class name → users on this worker
    double spawn_rate = 1;      // this worker's share of the cluster's rate, users/s
    std::string host_override;  // -H; empty keeps the scenario's host
    // Appended in protocol 3. Open classes' shares (a class absent here
    // gets no arrivals), and the task iterations (all classes) this worker
    // may start in this run in all, counting those it already started
    // (--iterations; absolute like the targets); -1: no bound.
    std::vector<arrival_share> arrivals{};
    std::int64_t iteration_quota = -1;
    // Appended in protocol 4: this worker's share of every data set for
    // next()/unique() (common/scenario/feeder.hpp): slot `feeder_slot` of
    // `feeder_slots`, fixed for the run; feeder_slots 0: no share.
    std::uint32_t feeder_slot = 0;
    std::uint32_t feeder_slots = 1;
};

// worker → master: ramp progress, and ramp done.
struct spawning {
    std::uint64_t run_id = 0;
    std::int64_t users = 0;
};
struct spawn_complete {
    std::uint64_t run_id = 0;
    std::int64_t users = 0;
};

// worker → master, once per report interval: what happened since the last one.
struct stats_report {
    std::uint64_t sequence = 0;  // per worker, from 1, +1 per report (gaps mean lost reports)
    std::uint64_t run_id = 0;
    std::int64_t users = 0;  // running users at the time of the report
    stats::delta delta;
    // Appended in protocol 4: `on_end: stop_test` data sets whose share on
    // this worker ran out since the last report (each once per run).
    std::vector<std::string> exhausted_data{};
};

// both ways, every second. Worker fields are zero in the master's heartbeat.
struct heartbeat {
    double cpu_percent = 0;  // the worker process, over the last interval
    std::uint64_t rss_bytes = 0;
    std::int64_t users = 0;
    double loop_lag_ms = 0;  // worst io_context scheduling delay in the interval
};

// master → worker: stop all users (gracefully up to timeout_ms); worker answers stopped
// after its final stats_report.
struct stop {
    std::int64_t timeout_ms = 0;
};
struct stopped {
    std::uint64_t run_id = 0;
};

// either way: the sender is going away (worker exits; master shuts down).
struct quit {
    std::string reason;
};

using message =
    std::variant<hello, welcome, reject, scenario_bundle, ready, compile_failed, spawn, spawning,
                 spawn_complete, stats_report, heartbeat, stop, stopped, quit>;

// "hello", "stats_report", ... for logs and the wire's type field.
const char* type_name(const message& m);

}  // namespace swarm::proto
