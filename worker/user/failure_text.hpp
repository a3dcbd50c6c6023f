#pragma once
// The words for a send that failed, as users read them in the failures
// table, the reports and the UI: the one place an http::error becomes text.
// Keep the wording stable; reports are compared and grepped across versions.
//
// A plain function; any thread.

#include <string>

#include "worker/http/errors.hpp"

namespace swarm::worker::user {

// "connection refused", "timeout after 2s", "DNS failure: host: reason", ...
std::string failure_text(const http::error& e);

}  // namespace swarm::worker::user
