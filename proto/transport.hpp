#pragma once
// The master↔worker transport: ZeroMQ ROUTER (master) and DEALER (worker),
// over tcp:// between processes or inproc:// inside one (`swarm run`), with
// the same code path. Each endpoint object belongs to one thread (ZeroMQ
// sockets are not thread-safe).
//
// With auth_keys (proto/auth.hpp) both ends speak ZeroMQ CURVE: traffic is
// encrypted, the worker checks the master's public key, and the master lets
// in only the workers of its allow-list. Without, the sockets are plaintext
// (inproc://, tests, trusted networks).
//
// What an endpoint drops or refuses goes to the log::logger its driver gives
// in endpoint_options (stderr when none is given).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "common/log/log.hpp"
#include "proto/auth.hpp"
#include "proto/codec.hpp"

namespace zmq {
class context_t;
}

namespace swarm::proto {

// What an endpoint takes besides its context and address.
struct endpoint_options {
    std::optional<auth_keys> auth;  // CURVE when set (see each endpoint)
    decode_limits limits;
    // Where the endpoint says what it drops and refuses. Unset: stderr, under
    // "swarm master" or "swarm worker". The ZAP thread logs too: the sink must
    // take lines from any thread (log::stderr_sink and test::log_capture do).
    std::optional<log::logger> log;
};

// A message from a worker, with the identity to answer to.
struct incoming {
    std::string worker;  // the DEALER's routing identity
    message body;
};

class master_endpoint {
  public:
    // Binds a ROUTER to `endpoint` ("tcp://0.0.0.0:5557", "inproc://swarm").
    // Throws std::runtime_error with a clear message when the address is taken.
    // A CURVE server when opts.auth is set (a master or shared key file): a
    // worker must prove a key of auth->allowed, or it gets nothing through;
    // each refused key is logged once. Such an endpoint uses a ZeroMQ context
    // of its own (ZeroMQ has one authenticator per context), so `ctx` is not
    // used then. Throws std::invalid_argument for a worker key file or a
    // non-tcp endpoint with auth.
    master_endpoint(zmq::context_t& ctx, const std::string& endpoint, const endpoint_options& opts);
    // The same with default options but these.
    master_endpoint(zmq::context_t& ctx, const std::string& endpoint, decode_limits limits = {});
    master_endpoint(zmq::context_t& ctx, const std::string& endpoint,
                    const std::optional<auth_keys>& auth, decode_limits limits = {});
    ~master_endpoint();

    // Queues `m` for `worker`; never blocks. A message to a worker that is
    // gone, or whose queue is full, is dropped without error (the health
    // logic notices a silent worker). Throws std::length_error when the
    // encoded message is larger than limits.max_message_bytes, which the
    // worker would refuse (e.g. a scenario bundle with huge data files).
    void send(const std::string& worker, const message& m);
    // Waits up to `timeout` for one message. Undecodable input is logged
    // (once per kind of problem) and skipped; it never ends the master.
    std::optional<incoming> receive(std::chrono::milliseconds timeout);
    std::string bound_endpoint() const;      // with the real port when bound to :0
    std::uint64_t dropped_messages() const;  // undecodable messages so far
    // tcp connections refused so far: keys the CURVE authenticator refused
    // (any thread sees those at once), and handshakes that failed because
    // one side speaks CURVE and the other does not (seen by receive()). Each
    // kind of refusal is also logged once.
    std::uint64_t refused_connections() const;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

class worker_endpoint {
  public:
    // Connects a DEALER with routing identity `identity` to the master.
    // Connecting does not wait for the master: messages queue until it is
    // there, and the connection comes back by itself after a master restart.
    // Throws std::invalid_argument for an identity ZeroMQ cannot use (empty,
    // over 255 bytes, or starting with a zero byte), std::runtime_error for a
    // malformed endpoint. A CURVE client when opts.auth is set (a worker or
    // shared key file): it talks only to the master holding
    // auth->master_public's secret. Throws std::invalid_argument for a master
    // key file.
    worker_endpoint(zmq::context_t& ctx, const std::string& endpoint, const std::string& identity,
                    const endpoint_options& opts);
    // The same with default options but these.
    worker_endpoint(zmq::context_t& ctx, const std::string& endpoint, const std::string& identity,
                    decode_limits limits = {});
    worker_endpoint(zmq::context_t& ctx, const std::string& endpoint, const std::string& identity,
                    const std::optional<auth_keys>& auth, decode_limits limits = {});
    ~worker_endpoint();

    // Queues `m` for the master; never blocks. When the queue is full (the
    // master has been unreachable for a long while) the message is dropped
    // and counted in unsent_messages(). Throws std::length_error like
    // master_endpoint::send.
    void send(const message& m);
    // Waits up to `timeout` for one message; undecodable input is logged,
    // counted and skipped as on the master.
    std::optional<message> receive(std::chrono::milliseconds timeout);
    std::uint64_t dropped_messages() const;  // undecodable messages so far
    // Closing then drops what is still queued instead of trying to deliver
    // it for the linger time (a replaced socket's old hello must not reach
    // the master later, with this worker's identity).
    void discard_unsent();
    std::uint64_t unsent_messages() const;  // messages send() dropped on a full queue
    // Handshakes with the master that failed (key refused, CURVE on one side
    // only, wrong master key), as seen by receive(); each kind is logged once.
    std::uint64_t failed_handshakes() const;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace swarm::proto
