#pragma once
// A watcher of one user's requests, for `swarm try` (which prints each
// exchange): told what was sent and what came back, after the checks and
// extractions ran and before the response is recorded and let go.
//
// Optional and off the load path: a user_sink without an observer (every
// sink of a load test) costs one null-pointer test per request. Called on
// the user's thread, synchronously; an observer must not keep the
// references it is given past the call.

#include <chrono>
#include <cstddef>

#include "common/result.hpp"
#include "common/scenario/plan.hpp"
#include "worker/http/session.hpp"
#include "worker/user/checks.hpp"

namespace swarm::worker::user {

class user_observer {
  public:
    // A response came: `facts` holds it (and the session, for cookies),
    // `verdict` is what the stats record (the first failed check or
    // extraction; the step's extractions have been stored).
    virtual void on_response(const scenario::request_step& step, const http::request& sent,
                             const response_facts& facts, const swarm::result<void>& verdict) = 0;
    // The send failed (no response to judge): `message` is what the stats record.
    virtual void on_send_failed(const scenario::request_step& step, const http::request& sent,
                                const http::error& failure, const std::string& message) = 0;
    // A `parallel:` block of `requests` has ended, `took` after it began
    // (about its slowest request's time, not their sum); its exchanges
    // follow, in list order. Ignored unless overridden.
    virtual void on_parallel(std::size_t /*requests*/, std::chrono::microseconds /*took*/) {}

  protected:
    ~user_observer() = default;
};

}  // namespace swarm::worker::user
