#pragma once
// A headless test on the master: wait for workers, start U users at R/s, show
// the console table while running, stop after the run time (or on SIGINT /
// SIGTERM), collect the final deltas, print the summary and write reports.
// A second signal (headless_options::interrupted_again) cancels everything
// now; the summary and the reports are still written, and it returns 130.
// `swarm run --headless` and `swarm master --headless` both end up here.
//
// Threading: runs on the calling thread, which owns the master endpoint.

#include <atomic>
#include <functional>
#include <memory>

#include "common/scenario/loader.hpp"
#include "master/run_outputs.hpp"

namespace zmq {
class context_t;
}

namespace swarm::master {

// Returns the exit code: 0 clean, exit_code_on_error when any request failed,
// 1 when the run could not happen (no workers, ...).
// `after_bind` runs once the master endpoint is bound (`swarm run` starts its
// in-process worker there: inproc:// needs the bind before the connect).
int run_headless(zmq::context_t& zmq, const scenario::bundle& bundle,
                 std::shared_ptr<const scenario::plan> plan, const headless_options& opts,
                 const std::atomic<bool>& interrupted,
                 const std::function<void()>& after_bind = {});

}  // namespace swarm::master
