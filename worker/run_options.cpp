#include "worker/run_options.hpp"

namespace swarm::worker {

engine_options with_run_options(engine_options local, const proto::run_options& run) {
    local.insecure = local.insecure || run.insecure;
    if (run.request_timeout_ms > 0)
        local.request_timeout = std::chrono::milliseconds(run.request_timeout_ms);
    if (run.max_body_bytes > 0) local.max_body_bytes = run.max_body_bytes;
    if (!run.ca_pem.empty()) {
        // PEM blocks concatenate; a newline keeps a file without a final one apart.
        if (!local.ca_pem.empty() && local.ca_pem.back() != '\n') local.ca_pem += '\n';
        local.ca_pem += run.ca_pem;
    }
    return local;
}

}  // namespace swarm::worker
