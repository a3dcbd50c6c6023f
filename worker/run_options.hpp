#pragma once
// The master's run options (proto::run_options: --insecure, --request-timeout,
// --ca-file's content) added to a worker's own engine options, so a remote
// `swarm worker` runs users as the master's command line says.

#include "proto/messages.hpp"
#include "worker/runtime/engine_options.hpp"

namespace swarm::worker {

// Either side's insecure skips verification; both sides' CAs are trusted;
// the master's request timeout and body limit, when set, replace the worker's.
engine_options with_run_options(engine_options local, const proto::run_options& run);

}  // namespace swarm::worker
