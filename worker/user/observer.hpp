#pragma once
// A watcher of one user's requests, for `swarm try` (which prints each
// exchange): told what was sent and what came back, after the checks and
// extractions ran and before the response is recorded and let go; and of
// each WebSocket step (connect, send, receive, close) likewise.
//
// Optional and off the load path: a user_sink without an observer (every
// sink of a load test) costs one null-pointer test per request. Called on
// the user's thread, synchronously; an observer must not keep the
// references it is given past the call.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

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

    // WebSocket steps (ws_steps.cpp), each told once as its WS row is
    // recorded, with that row's verdict and time. Ignored unless overridden.
    // `ws:` — `url` as connected (http(s):// form), `subprotocol` the one the
    // server chose ("" when none or when the upgrade failed).
    virtual void on_ws_connect(const scenario::ws_connect_step& /*step*/, std::string_view /*url*/,
                               std::string_view /*subprotocol*/, std::chrono::microseconds /*took*/,
                               const swarm::result<void>& /*verdict*/) {}
    // `send:` — the payload as sent (rendered), binary or text.
    virtual void on_ws_send(const scenario::ws_send_step& /*step*/, std::string_view /*payload*/,
                            bool /*binary*/, std::chrono::microseconds /*took*/,
                            const swarm::result<void>& /*verdict*/) {}
    // `receive:` — `message` the last message read (facts.response.body, its
    // latency), null when none came (a timeout, a close); `read` messages in
    // all (more than one with `until:`). Checks and extractions have run.
    virtual void on_ws_receive(const scenario::ws_receive_step& /*step*/,
                               const response_facts* /*message*/, bool /*binary*/,
                               std::int64_t /*read*/, const swarm::result<void>& /*verdict*/) {}
    // `close:` — the closing handshake with the step's code and reason.
    virtual void on_ws_close(const scenario::ws_close_step& /*step*/,
                             std::chrono::microseconds /*took*/,
                             const swarm::result<void>& /*verdict*/) {}

  protected:
    ~user_observer() = default;
};

}  // namespace swarm::worker::user
