#pragma once
// `swarm target`: a small, fast, real HTTP site for demos, tests and benchmarks.
// It counts every request per method+path and per status and serves the
// counters at /__stats, so a test can compare swarm's report with what the
// target actually saw.

#include <string>

namespace swarm::target {

struct options {
    std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free one
    unsigned threads = 1;                   // io threads
    std::string tls_cert;                   // PEM files; both set = serve HTTPS
    std::string tls_key;
};

// Serves until SIGINT/SIGTERM. Prints "swarm target listening on http://HOST:PORT"
// (with the real port) on stdout once accepting. Returns the process exit code.
int run(const options& opts);

}  // namespace swarm::target
