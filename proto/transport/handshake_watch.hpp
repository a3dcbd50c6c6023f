#pragma once
// Internal to proto/transport: says why a connection never came up. A
// refused CURVE key or a plaintext peer at a CURVE socket (or the reverse)
// fails in ZeroMQ's handshake, below any message, and libzmq just retries;
// without this both sides would wait in silence. It reads the socket's
// monitor events and logs each kind of failure once (to the endpoint's
// logger), in words that say what to fix.
//
// Owned by an endpoint and polled from its thread (receive()).

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "common/log/log.hpp"

namespace zmq {
class context_t;
class socket_t;
}  // namespace zmq

namespace swarm::proto::detail {

enum class watch_side { master, worker };

class handshake_watch {
  public:
    // Starts monitoring `watched` (call before it binds or connects).
    // `endpoint`: the address, for log lines; `curve`: whether this side uses
    // CURVE; `to`: where the lines go (its source names the side).
    handshake_watch(zmq::context_t& ctx, zmq::socket_t& watched, watch_side side,
                    std::string endpoint, bool curve, log::logger to);
    ~handshake_watch();
    handshake_watch(const handshake_watch&) = delete;
    handshake_watch& operator=(const handshake_watch&) = delete;

    // Reads the events so far without blocking; logs the first of each kind.
    void poll();
    std::uint64_t failures() const { return failures_; }  // failed handshakes seen

  private:
    void failed(std::uint16_t event, std::uint32_t value);

    std::unique_ptr<zmq::socket_t> events_;  // PAIR connected to the monitor
    watch_side side_;
    std::string endpoint_;
    bool curve_;
    log::logger log_;
    std::set<std::string> logged_;  // messages already written
    std::uint64_t failures_ = 0;
};

}  // namespace swarm::proto::detail
