// The ZAP protocol (ZeroMQ RFC 27) for CURVE: a request is [version "1.0",
// request id, domain, address, routing id, mechanism, client public key (32
// bytes)], after a REP socket's empty delimiter; the reply is [version,
// request id, status code, status text, user id, metadata].
#include <array>
#include <cerrno>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <vector>

#include <zmq.hpp>

#include "proto/transport/zap_handler.hpp"

namespace swarm::proto::detail {
namespace {

constexpr const char* zap_endpoint = "inproc://zeromq.zap.01";
// How often the thread looks at the stop flag between requests.
constexpr std::chrono::milliseconds stop_poll{100};
constexpr std::size_t request_frames = 7;  // before the credentials

std::string z85_of(const zmq::message_t& raw) {
    if (raw.size() != 32) return {};
    std::array<char, 41> out{};
    if (zmq_z85_encode(out.data(), static_cast<const std::uint8_t*>(raw.data()), raw.size()) ==
        nullptr) {
        return {};
    }
    return std::string(out.data());
}

}  // namespace

zap_handler::zap_handler(zmq::context_t& ctx, const auth_keys& keys, log::logger to)
    : socket_(std::make_unique<zmq::socket_t>(ctx, zmq::socket_type::rep)),
      key_file_(keys.path),
      log_(std::move(to)) {
    for (const auto& a : keys.allowed) allowed_.insert(a.public_key);
    socket_->set(zmq::sockopt::linger, 0);
    try {
        socket_->bind(zap_endpoint);
    } catch (const zmq::error_t& e) {
        throw std::runtime_error(std::string("cannot start the CURVE authenticator: ") + e.what());
    }
    thread_ = std::thread([this] { serve(); });
}

zap_handler::~zap_handler() {
    stop_ = true;
    thread_.join();
}

void zap_handler::serve() {
    while (!stop_) {
        zmq::pollitem_t item{socket_->handle(), 0, ZMQ_POLLIN, 0};
        try {
            if (zmq::poll(&item, 1, stop_poll) > 0) answer_one();
        } catch (const zmq::error_t& e) {
            if (e.num() == ETERM) break;  // the context is going away
            if (e.num() != EINTR) log_.error(std::string("authenticator: ") + e.what());
        }
    }
    socket_.reset();  // closed on the thread that used it last
}

void zap_handler::answer_one() {
    std::vector<zmq::message_t> parts;
    for (;;) {
        zmq::message_t part;
        if (!socket_->recv(part, zmq::recv_flags::dontwait)) break;
        const bool more = part.more();
        parts.push_back(std::move(part));
        if (!more) break;
    }
    if (parts.empty()) return;
    // A malformed request still gets a well-formed refusal, or libzmq's side stalls.
    const bool complete = parts.size() >= request_frames;
    const std::string request_id = parts.size() > 1 ? parts[1].to_string() : std::string();
    const std::string mechanism = complete ? parts[5].to_string() : std::string();
    const std::string key = complete && mechanism == "CURVE" ? z85_of(parts[6]) : std::string();
    const bool ok = !key.empty() && allowed_.count(key) > 0;
    if (!ok) note_refused(key, complete ? parts[3].to_string() : "?");

    const std::array<std::string, 6> reply{
        "1.0", request_id, ok ? "200" : "400", ok ? "OK" : "key not allowed", "", ""};
    for (std::size_t i = 0; i < reply.size(); ++i) {
        const auto flags = i + 1 < reply.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
        (void)socket_->send(zmq::buffer(reply[i]), flags);
    }
}

void zap_handler::note_refused(const std::string& key_z85, const std::string& address) {
    ++refused_;
    const std::string key = key_z85.empty() ? std::string("(none)") : key_z85;
    if (logged_keys_.count(key) > 0) return;
    if (logged_keys_.size() == max_logged_keys) {
        log_.info("more than " + std::to_string(max_logged_keys) +
                  " distinct keys refused; further ones are counted, not logged");
        logged_keys_.insert(key);  // past the cap: this line is printed once
        return;
    }
    if (logged_keys_.size() > max_logged_keys) return;
    logged_keys_.insert(key);
    log_.error("refused a worker from " + address + ": its public key " + key +
               " is not allowed in " + key_file_);
}

}  // namespace swarm::proto::detail
