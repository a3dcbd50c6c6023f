#pragma once
// How a worker's engine runs its users: threads, TLS trust, the request
// timeout, the user agent. Its own header so that the node's core
// (worker/node_core.hpp) can say what engine it wants without depending on
// the real engine (worker/runtime/engine.hpp).
//
// A plain value.

#include <chrono>
#include <cstdint>
#include <string>

namespace swarm::worker {

struct engine_options {
    unsigned threads = 1;
    std::int64_t worker_index =
        0;                       // from the master's welcome; user ids are unique per worker index
    std::uint64_t run_seed = 0;  // 0: random per run
    std::string ca_file;    // extra CA certificates (a PEM file on this machine) for https targets
    std::string ca_pem;     // more extra CA certificates, as PEM bytes (the master's --ca-file)
    bool insecure = false;  // skip TLS verification for every class
    std::chrono::microseconds request_timeout{60'000'000};
    std::uint64_t max_body_bytes = 16 * 1024 * 1024;  // a response body, as received and decoded
    std::string user_agent = "swarm";
};

}  // namespace swarm::worker
