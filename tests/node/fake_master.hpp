#pragma once
// A master the test scripts by hand: a real proto::master_endpoint bound on
// 127.0.0.1, speaking to one worker (run_node on a test thread) message by
// message. While the test waits on it, it heartbeats the worker every 500 ms
// like the real coordinator (every second); when the test stops calling it,
// it is silent — a master that hangs or died.
//
// Owned by the test thread.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <zmq.hpp>

#include "common/scenario/loader.hpp"
#include "proto/transport.hpp"

namespace swarm::test {

// Bound on every wait: only reached when the test fails.
inline constexpr std::chrono::seconds patience{20};

class fake_master {
  public:
    // Binds `endpoint`; an address just closed by another fake_master may stay
    // busy for a moment, so binding is retried for up to `patience`.
    fake_master(zmq::context_t& ctx, const std::string& endpoint = "tcp://127.0.0.1:*");

    std::string endpoint() const { return endpoint_->bound_endpoint(); }

    // The next message of type T from any identity, waiting up to `timeout`
    // and heartbeating `worker` meanwhile; every message is kept in received.
    template <class T>
    std::optional<T> wait_for(std::chrono::milliseconds timeout = patience) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (auto m = next(deadline)) {
            if (auto* t = std::get_if<T>(&*m)) return *t;
        }
        return std::nullopt;
    }
    // Every message that arrives within `d`, heartbeating meanwhile.
    std::vector<proto::message> collect_for(std::chrono::milliseconds d);

    // Sends to the worker that said hello last.
    void send(const proto::message& m) { endpoint_->send(worker, m); }

    std::string worker;                    // identity of the last hello
    std::vector<proto::message> received;  // everything, in order
    bool heartbeat = true;

  private:
    std::optional<proto::message> next(std::chrono::steady_clock::time_point deadline);

    std::unique_ptr<proto::master_endpoint> endpoint_;
    std::chrono::steady_clock::time_point last_heartbeat_{};
};

// A scenario whose users GET / every `wait_ms` from `target_url`.
scenario::bundle steady_bundle(const std::string& target_url, int wait_ms = 100);

// The message carrying `b` (with its hash, default run options).
proto::scenario_bundle bundle_message(const scenario::bundle& b);

// Requests in a report (all rows).
std::uint64_t requests_in(const proto::stats_report& r);

// Waits up to `patience` for `path` to exist (or not); false on timeout. The
// worker creates its ready file just after sending ready, so a test that has
// seen ready polls for the file.
bool wait_for_file(const std::string& path, bool present);

// The target's own count of the requests it answered (/__stats total).
std::int64_t target_total(const std::string& target_url);

}  // namespace swarm::test
