// ZeroMQ's socket monitor: each event is two frames, [event id (u16) and
// value (u32), native byte order][the endpoint]. The values that matter here
// are the ZAP status code (AUTH) and the ZMTP protocol error (PROTOCOL).
#include "proto/transport/handshake_watch.hpp"

#include <atomic>
#include <cstring>

#include <zmq.hpp>

namespace swarm::proto::detail {
namespace {

constexpr int watched_events = ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;

std::string monitor_address() {
    static std::atomic<std::uint64_t> next{0};
    return "inproc://swarm-handshake-watch-" + std::to_string(next++);
}

}  // namespace

handshake_watch::handshake_watch(zmq::context_t& ctx, zmq::socket_t& watched, watch_side side,
                                 std::string endpoint, bool curve, log::logger to)
    : side_(side), endpoint_(std::move(endpoint)), curve_(curve), log_(std::move(to)) {
    const std::string address = monitor_address();
    if (zmq_socket_monitor(watched.handle(), address.c_str(), watched_events) != 0)
        return;  // logging is best effort
    events_ = std::make_unique<zmq::socket_t>(ctx, zmq::socket_type::pair);
    events_->set(zmq::sockopt::linger, 0);
    events_->connect(address);
}

handshake_watch::~handshake_watch() = default;

void handshake_watch::poll() {
    if (!events_) return;
    zmq::message_t head;
    while (events_->recv(head, zmq::recv_flags::dontwait)) {
        zmq::message_t address;
        if (head.more()) (void)events_->recv(address, zmq::recv_flags::none);
        if (head.size() < 6) continue;
        std::uint16_t event = 0;
        std::uint32_t value = 0;
        std::memcpy(&event, head.data(), sizeof event);
        std::memcpy(&value, static_cast<const char*>(head.data()) + 2, sizeof value);
        failed(event, value);
    }
}

void handshake_watch::failed(std::uint16_t event, std::uint32_t value) {
    // On the master the authenticator already counted and logged refused keys.
    if (side_ == watch_side::master && event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) return;
    ++failures_;
    const bool mismatch = event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL &&
                          value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH;
    // Without a mismatch the other side often saw it first and hung up, which
    // leaves only "no detail" here: the words name both likely causes.
    std::string text;
    if (side_ == watch_side::master) {
        if (mismatch) {
            text = curve_
                       ? "refused a worker without CURVE: this master needs --auth-key-file on "
                         "every worker"
                       : "refused a worker that speaks CURVE: this master has no --auth-key-file";
        } else {
            text = curve_ ? "a worker's handshake failed: a worker without --auth-key-file, or one "
                            "whose key "
                            "file names another master's key?"
                          : "a worker's handshake failed: a worker with --auth-key-file (this "
                            "master has none)?";
        }
        text = endpoint_ + ": " + text;
    } else {
        if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
            text = "the master refused this worker's key (status " + std::to_string(value) +
                   "): its public key must be on an `allow` line of the master's key file";
        } else if (mismatch) {
            text = curve_ ? "the master does not use CURVE: it was started without --auth-key-file"
                          : "the master uses CURVE: this worker needs --auth-key-file";
        } else {
            text = curve_ ? "the handshake with the master failed: does the master use "
                            "--auth-key-file, and "
                            "is `master =` in this worker's key file its public key?"
                          : "the handshake with the master failed: does the master require "
                            "--auth-key-file?";
        }
        text = endpoint_ + ": " + text + " (retrying)";
    }
    if (logged_.insert(text).second) log_.error(text);
}

}  // namespace swarm::proto::detail
