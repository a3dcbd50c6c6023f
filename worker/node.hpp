#pragma once
// A worker process's control loop: joins a master over the proto transport,
// compiles the scenario bundle it is sent, steers the engine's ramp to the
// master's absolute targets, reports stats deltas and heartbeats every second,
// and stops or quits when told. Used by `swarm worker` (tcp://) and by
// `swarm run` (inproc://, same code).
//
// The rules live in node_core (worker/node_core.hpp, tested on simulated
// time); run_node is its driver: the socket, the clock, the engine's threads,
// the ready file.
//
// Threading: run_node() owns the calling thread until the worker ends.

#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "common/log/log.hpp"
#include "proto/auth.hpp"
#include "worker/master_watch.hpp"
#include "worker/runtime/engine_options.hpp"

namespace zmq {
class context_t;
}

namespace swarm::worker {

struct node_options {
    std::string master;     // "tcp://10.0.0.5:5557" or "inproc://..."
    std::string name;       // shown by the master; default host:pid
    engine_options engine;  // threads, TLS, timeouts
    std::chrono::milliseconds report_interval{1000};
    // When the master counts as lost (3 s of silence: it heartbeats every
    // second; the worker then stops its users and says hello until a master
    // welcomes it), the hello backoff, and when to give up (give_up_after:
    // --master-timeout; 0: keep trying).
    master_watch_options watch;
    // Exists while welcomed and ready (Kubernetes readiness probe); "" for none.
    std::string ready_file;
    // CURVE keys (--auth-key-file); none: plaintext, as for inproc://.
    std::optional<proto::auth_keys> auth;
    // Where the worker's lines go (`swarm run`: a null sink, the master speaks).
    log::logger log{"swarm worker"};
    // A second SIGTERM/SIGINT (set after stop_flag): cancel every request
    // and on_stop now, send the last delta and quit. Null: none.
    const std::atomic<bool>* stop_now_flag = nullptr;
};

// Runs until the master says quit, `stop_flag` becomes true (SIGTERM: stop
// users, send the last delta, say quit), or the master timeout passes (all
// exit 0); a master's reject (version mismatch) returns 1. A master that goes
// silent is not the end: the worker waits for it, or for a new one.
// Returns the process exit code.
int run_node(zmq::context_t& zmq, const node_options& opts, const std::atomic<bool>& stop_flag);

}  // namespace swarm::worker
