#pragma once
// Internal to proto/transport: a CURVE master's gatekeeper. ZeroMQ asks the
// ZAP handler bound at inproc://zeromq.zap.01 in the socket's context about
// every client that completes a CURVE handshake; this one answers 200 for
// the public keys of the allow-list and 400 for any other, logging each
// refused key once.
//
// One per context (ZeroMQ allows one), so a CURVE master_endpoint owns a
// context of its own. Constructed and destroyed by the endpoint's thread;
// answers on a thread of its own, which only touches the REP socket, the
// allow-list (read-only), the log state and the logger.

#include <atomic>
#include <cstdint>
#include <set>
#include <string>
#include <thread>

#include "common/log/log.hpp"
#include "proto/auth.hpp"

namespace zmq {
class context_t;
class socket_t;
}  // namespace zmq

namespace swarm::proto::detail {

class zap_handler {
  public:
    // Distinct refused keys logged; beyond that they are only counted.
    static constexpr std::size_t max_logged_keys = 1024;

    // Binds the handler in `ctx` before returning, so no CURVE connection can
    // be accepted before it is there. Throws std::runtime_error when another
    // handler is bound in `ctx`. Refused keys are logged to `to` (from the
    // handler's thread).
    zap_handler(zmq::context_t& ctx, const auth_keys& keys, log::logger to);
    ~zap_handler();  // stops the thread and closes its socket
    zap_handler(const zap_handler&) = delete;
    zap_handler& operator=(const zap_handler&) = delete;

    std::uint64_t refused() const { return refused_.load(); }  // connections refused so far

  private:
    void serve();
    void answer_one();
    void note_refused(const std::string& key_z85, const std::string& address);

    std::unique_ptr<zmq::socket_t> socket_;
    std::set<std::string> allowed_;  // Z85 public keys
    std::string key_file_;           // for log lines
    log::logger log_;
    std::set<std::string> logged_keys_;  // refused keys already logged (serve thread only)
    std::atomic<std::uint64_t> refused_{0};
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace swarm::proto::detail
