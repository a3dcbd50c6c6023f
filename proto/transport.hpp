#pragma once
// The master↔worker transport: ZeroMQ ROUTER (master) and DEALER (worker),
// over tcp:// between processes or inproc:// inside one (`swarm run`), with
// the same code path. Each endpoint object belongs to one thread (ZeroMQ
// sockets are not thread-safe).

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "proto/codec.hpp"

namespace zmq {
class context_t;
}

namespace swarm::proto {

// A message from a worker, with the identity to answer to.
struct incoming {
    std::string worker;  // the DEALER's routing identity
    message body;
};

class master_endpoint {
public:
    // Binds a ROUTER to `endpoint` ("tcp://0.0.0.0:5557", "inproc://swarm").
    // Throws std::runtime_error with a clear message when the address is taken.
    master_endpoint(zmq::context_t& ctx, const std::string& endpoint, decode_limits limits = {});
    ~master_endpoint();

    void send(const std::string& worker, const message& m);
    // Waits up to `timeout` for one message. Undecodable input is logged to
    // stderr (once per sender per kind) and skipped; it never ends the master.
    std::optional<incoming> receive(std::chrono::milliseconds timeout);
    std::string bound_endpoint() const;  // with the real port when bound to :0
    std::uint64_t dropped_messages() const;  // undecodable messages so far

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

class worker_endpoint {
public:
    // Connects a DEALER with routing identity `identity` to the master.
    worker_endpoint(zmq::context_t& ctx, const std::string& endpoint, const std::string& identity,
                    decode_limits limits = {});
    ~worker_endpoint();

    void send(const message& m);
    std::optional<message> receive(std::chrono::milliseconds timeout);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace swarm::proto
