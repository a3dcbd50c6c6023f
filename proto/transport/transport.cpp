// The ZeroMQ side of proto/ (with zap_handler.cpp and auth/curve_keys.cpp,
// the only files that include ZeroMQ's headers). One ROUTER bound by the
// master, one DEALER per worker; frames on the ROUTER are [identity,
// payload], on the DEALER [payload]. Socket options and their reasons are in
// set_common_options; CURVE's in set_curve_server / set_curve_client.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include <zmq.hpp>

#include "proto/codec/object_reader.hpp"
#include "proto/transport.hpp"
#include "proto/transport/drop_log.hpp"
#include "proto/transport/handshake_watch.hpp"
#include "proto/transport/zap_handler.hpp"

#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace swarm::proto {
namespace {

// libzmq passes frames between threads (inproc:// peers, its I/O thread)
// through lock-free pipes built on atomics ThreadSanitizer cannot see
// (tests/tsan.supp). Under TSan, say what the pipe guarantees: what a
// thread wrote before it sent happens before what a thread reads after it
// received. (Nothing in other builds.)
[[maybe_unused]] char zmq_pipe;
void frame_sent() {
#if defined(__SANITIZE_THREAD__)
    __tsan_release(&zmq_pipe);
#endif
}
void frame_received() {
#if defined(__SANITIZE_THREAD__)
    __tsan_acquire(&zmq_pipe);
#endif
}

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Messages queued per peer each way. Traffic is a few messages per second per
// worker, so a full queue means a peer that is gone or stuck, not a burst.
constexpr int high_water_mark = 1000;
// How long a closing socket keeps trying to deliver: long enough for a final
// stats_report or quit, short enough that a quitting process does not hang.
constexpr int linger_ms = 1000;
// ZMTP pings below the application's own heartbeats: they tear down a TCP
// connection whose peer vanished without a FIN, so the DEALER reconnects.
// The timeout is well above the application's 3 s "missing" rule, which
// already moves a silent worker's users: a master starved of CPU (1000
// workers on a busy core) answered pings late, libzmq dropped live
// connections, and the reports still queued on them arrived under a
// handed-over identity and were discarded (bench/fanin, 2.5 % of requests).
constexpr int zmtp_heartbeat_ivl_ms = 1000;
constexpr int zmtp_heartbeat_timeout_ms = 15000;
// Kernel keepalive for idle connections through NAT and load balancers.
constexpr int tcp_keepalive_idle_s = 30;
constexpr int tcp_keepalive_intvl_s = 10;
// A worker retries a lost master with a backoff up to this.
constexpr int reconnect_ivl_max_ms = 2000;

// `limits` bound what the socket receives.
void set_common_options(zmq::socket_t& s, const decode_limits& limits) {
    s.set(zmq::sockopt::linger, linger_ms);
    s.set(zmq::sockopt::sndhwm, high_water_mark);
    s.set(zmq::sockopt::rcvhwm, high_water_mark);
    // libzmq drops and disconnects a tcp peer sending a larger frame before it
    // is read into memory; over inproc:// decode() enforces the same bound.
    const auto max_bytes =
        std::min<std::uint64_t>(limits.max_message_bytes, std::numeric_limits<std::int64_t>::max());
    s.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(max_bytes));
    s.set(zmq::sockopt::tcp_keepalive, 1);
    s.set(zmq::sockopt::tcp_keepalive_idle, tcp_keepalive_idle_s);
    s.set(zmq::sockopt::tcp_keepalive_intvl, tcp_keepalive_intvl_s);
    s.set(zmq::sockopt::heartbeat_ivl, zmtp_heartbeat_ivl_ms);
    s.set(zmq::sockopt::heartbeat_timeout, zmtp_heartbeat_timeout_ms);
    s.set(zmq::sockopt::heartbeat_ttl, zmtp_heartbeat_timeout_ms);
}

// Sets a CURVE key option from its Z85 text (ZeroMQ takes 41 bytes: 40 + NUL).
void set_curve_key(zmq::socket_t& s, int option, const std::string& z85) {
    if (zmq_setsockopt(s.handle(), option, z85.c_str(), z85.size() + 1) != 0) {
        throw std::invalid_argument(std::string("CURVE key refused by ZeroMQ: ") +
                                    zmq_strerror(zmq_errno()));
    }
}

bool is_tcp(const std::string& endpoint) {
    return endpoint.rfind("tcp://", 0) == 0;
}

// libzmq binds and connects to IPv6 addresses only with ZMQ_IPV6 set. It is
// set only where the address asks for it — an "[IPv6]" literal, or "*" (every
// interface) — because it also changes IPv4: a socket bound to 127.0.0.1
// then names itself "[::ffff:127.0.0.1]", and a host name resolves to its
// IPv6 address first (a worker told "localhost" would miss a master bound to
// 0.0.0.0). Host names therefore stay IPv4; an IPv6 master is given as [addr].
void enable_ipv6_if_asked(zmq::socket_t& s, const std::string& endpoint) {
    if (!is_tcp(endpoint)) return;
    const char host = endpoint.size() > 6 ? endpoint[6] : '\0';
    if (host == '[' || host == '*') s.set(zmq::sockopt::ipv6, 1);
}

// Checked before any socket exists, so a wrong file leaves nothing half made.
void check_auth_for(const std::string& endpoint, const auth_keys& keys, auth_side side) {
    if (!is_tcp(endpoint)) {
        throw std::invalid_argument("an auth key file secures tcp:// endpoints only, not " +
                                    endpoint);
    }
    if (side == auth_side::master && keys.kind == key_file_kind::worker) {
        throw std::invalid_argument(
            keys.path + " is a worker key file; the master needs a master or shared one");
    }
    if (side == auth_side::worker && keys.kind == key_file_kind::master) {
        throw std::invalid_argument(
            keys.path + " is the master's key file; a worker needs a worker or shared one");
    }
}

void set_curve_server(zmq::socket_t& s, const auth_keys& keys) {
    s.set(zmq::sockopt::curve_server, true);
    set_curve_key(s, ZMQ_CURVE_SECRETKEY, keys.own.secret_key);
    s.set(zmq::sockopt::zap_domain, "swarm");
}

void set_curve_client(zmq::socket_t& s, const auth_keys& keys) {
    set_curve_key(s, ZMQ_CURVE_SERVERKEY, keys.master_public);
    set_curve_key(s, ZMQ_CURVE_PUBLICKEY, keys.own.public_key);
    set_curve_key(s, ZMQ_CURVE_SECRETKEY, keys.own.secret_key);
}

// Encodes `m`, refusing what the receiving side would drop for its size.
std::string encode_for_wire(const message& m, std::size_t max_bytes) {
    std::string bytes = encode(m);
    if (bytes.size() > max_bytes) {
        throw std::length_error(std::string(type_name(m)) + " of " + std::to_string(bytes.size()) +
                                " bytes exceeds the transport limit of " +
                                std::to_string(max_bytes) + " bytes");
    }
    return bytes;
}

// What the master's socket takes in: workers send only small messages
// (max_worker_message_bytes), and ZMQ_MAXMSGSIZE applies before a peer has
// authenticated, so any larger frame is refused before it is read.
decode_limits master_inbound(decode_limits limits) {
    limits.max_message_bytes = std::min(limits.max_message_bytes, max_worker_message_bytes);
    limits.max_string_bytes = std::min(limits.max_string_bytes, limits.max_message_bytes);
    return limits;
}

// Waits until `s` may have a message, or `deadline` passes (false).
bool wait_readable(zmq::socket_t& s, clock::time_point deadline) {
    for (;;) {
        const auto left =
            std::max(milliseconds(0), std::chrono::ceil<milliseconds>(deadline - clock::now()));
        zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
        try {
            if (zmq::poll(&item, 1, left) > 0) return true;
        } catch (const zmq::error_t& e) {
            if (e.num() != EINTR) throw;  // a signal is not an error; anything else is
        }
        if (clock::now() >= deadline) return false;
    }
}

// One whole message read without blocking: its first `keep` frames and how
// many frames it had. A peer may send any number of frames; the rest are
// read and discarded so they cannot pile up.
struct frames {
    std::vector<zmq::message_t> kept;
    std::size_t total = 0;
};

std::optional<frames> read_frames(zmq::socket_t& s, std::size_t keep) {
    zmq::message_t part;
    if (!s.recv(part, zmq::recv_flags::dontwait)) return std::nullopt;
    frame_received();
    frames out;
    for (;;) {
        const bool more = part.more();
        ++out.total;
        if (out.kept.size() < keep) out.kept.push_back(std::move(part));
        if (!more) return out;
        part = zmq::message_t();
        // The parts of a message arrive together: once the first is here, all are.
        if (!s.recv(part, zmq::recv_flags::none)) return out;
    }
}

// Tries `read` (one message or nullopt, never blocking) until it yields or
// `timeout` passes. Undecodable messages are read and dropped by `read`
// itself, so a stream of garbage cannot hold the caller past its deadline.
template <class Read>
auto receive_until(zmq::socket_t& s, milliseconds timeout, Read&& read)
    -> decltype(read(std::declval<frames&>())) {
    const auto deadline = clock::now() + timeout;
    for (;;) {
        while (auto f = read_frames(s, 2)) {
            if (auto m = read(*f)) return m;
            if (clock::now() >= deadline) return std::nullopt;
        }
        if (!wait_readable(s, deadline)) return std::nullopt;
    }
}

std::string frame_text(const zmq::message_t& frame) {
    return std::string(static_cast<const char*>(frame.data()), frame.size());
}

// The master's last encoded scenario bundle, shared by the zmq messages that
// carry it (zero-copy: ZeroMQ frees through release() when the last copy is
// sent or dropped, from its I/O thread; shared_ptr counts atomically).
// Over inproc:// the worker thread itself reads the frame, and the only
// thing ordering its read after our write is libzmq's lock-free pipe, which
// ThreadSanitizer cannot see: there each message gets its own copy (one
// in-process worker: the copy costs nothing that matters).
class bundle_cache {
  public:
    zmq::message_t message(const scenario_bundle& b, std::size_t max_bytes, bool share) {
        if (!bytes_ || key_of(b) != key_) {
            bytes_ = std::make_shared<const std::string>(encode_for_wire(b, max_bytes));
            key_ = key_of(b);
        }
        if (!share) return zmq::message_t(bytes_->data(), bytes_->size());
        auto* keep = new shared_frame{bytes_};
        // Pairs with release()'s acquire: libzmq hands the frame to its I/O
        // thread through atomics TSan cannot see; this one it can.
        keep->handed_over.store(true, std::memory_order_release);
        return zmq::message_t(const_cast<char*>(bytes_->data()), bytes_->size(), &release, keep);
    }

  private:
    // One queued frame's hold on the bytes.
    struct shared_frame {
        std::shared_ptr<const std::string> bytes;
        std::atomic<bool> handed_over{false};
    };
    static void release(void*, void* hint) {
        auto* frame = static_cast<shared_frame*>(hint);
        (void)frame->handed_over.load(std::memory_order_acquire);
        delete frame;
    }
    // What tells bundles apart: the content hash (of source and files), and
    // what it does not cover. Cheap to compare, unlike the files.
    static std::string key_of(const scenario_bundle& b) {
        std::string key = b.hash + '\0' + b.bundle.name + '\0' +
                          std::to_string(b.options.insecure) + ':' +
                          std::to_string(b.options.request_timeout_ms) + ':' +
                          std::to_string(b.options.max_body_bytes) + ':' + b.options.ca_pem + '\0' +
                          std::to_string(b.bundle.source.size());
        for (const auto& [path, content] : b.bundle.files)
            key += '\0' + path + ':' + std::to_string(content.size());
        return key;
    }

    std::shared_ptr<const std::string> bytes_;
    std::string key_;  // key_of() the bundle bytes_ encodes
};

}  // namespace

// ----------------------------------------------------------------- master

struct master_endpoint::impl {
    impl(zmq::context_t& ctx, const endpoint_options& opts, log::logger l)
        : own_context(opts.auth ? std::make_unique<zmq::context_t>() : nullptr),
          // Bound before the ROUTER exists, so no worker is let in unchecked.
          zap(opts.auth ? std::make_unique<detail::zap_handler>(*own_context, *opts.auth, l)
                        : nullptr),
          socket(opts.auth ? *own_context : ctx, zmq::socket_type::router),
          limits(master_inbound(opts.limits)),
          max_send_bytes(opts.limits.max_message_bytes),
          log(std::move(l)),
          drops(log) {}

    void watch_handshakes(zmq::context_t& ctx, const std::string& endpoint, bool curve) {
        watch = std::make_unique<detail::handshake_watch>(own_context ? *own_context : ctx, socket,
                                                          detail::watch_side::master, endpoint,
                                                          curve, log);
    }

    // The message in `f`, or nullopt after counting and logging why not.
    std::optional<incoming> accept(frames& f) {
        const std::string sender = f.kept.empty() ? std::string() : frame_text(f.kept[0]);
        if (f.total != 2) {
            return drop(sender, "frames: expected [identity, payload], got " +
                                    std::to_string(f.total) + " frames");
        }
        result<message> m = decode(f.kept[1].to_string_view(), limits);
        if (!m) return drop(sender, m.error().message);
        return incoming{sender, std::move(*m)};
    }

    std::nullopt_t drop(const std::string& sender, const std::string& error) {
        ++dropped;
        drops.dropped("worker '" + detail::printable(sender) + "'", error, dropped);
        return std::nullopt;
    }

    // Declared in this order so they are destroyed socket first, context last.
    std::unique_ptr<zmq::context_t> own_context;  // with auth only
    std::unique_ptr<detail::zap_handler> zap;     // with auth only
    zmq::socket_t socket;
    std::unique_ptr<detail::handshake_watch> watch;  // tcp:// only
    decode_limits limits;                            // what workers may send (master_inbound)
    std::size_t max_send_bytes;                      // what workers accept (a scenario bundle)
    std::uint64_t dropped = 0;                       // undecodable messages so far
    log::logger log;
    detail::drop_log drops;
    bundle_cache bundles;
    bool share_bundles = false;  // tcp://: zero-copy (see bundle_cache)
};

master_endpoint::master_endpoint(zmq::context_t& ctx, const std::string& endpoint,
                                 decode_limits limits)
    : master_endpoint(ctx, endpoint, endpoint_options{std::nullopt, limits, std::nullopt}) {}

master_endpoint::master_endpoint(zmq::context_t& ctx, const std::string& endpoint,
                                 const std::optional<auth_keys>& auth, decode_limits limits)
    : master_endpoint(ctx, endpoint, endpoint_options{auth, limits, std::nullopt}) {}

master_endpoint::master_endpoint(zmq::context_t& ctx, const std::string& endpoint,
                                 const endpoint_options& opts) {
    const auto& auth = opts.auth;
    if (auth) check_auth_for(endpoint, *auth, auth_side::master);
    impl_ = std::make_unique<impl>(ctx, opts, opts.log.value_or(log::logger("swarm master")));
    zmq::socket_t& s = impl_->socket;
    set_common_options(s, impl_->limits);
    enable_ipv6_if_asked(s, endpoint);
    if (auth) set_curve_server(s, *auth);
    if (is_tcp(endpoint)) impl_->watch_handshakes(ctx, endpoint, auth.has_value());
    impl_->share_bundles = is_tcp(endpoint);
    // A message for a worker that is gone is dropped, not an exception.
    s.set(zmq::sockopt::router_mandatory, false);
    // A restarted worker reconnecting under its old name takes the name over
    // instead of being refused while the dead connection times out.
    s.set(zmq::sockopt::router_handover, true);
    try {
        s.bind(endpoint);
    } catch (const zmq::error_t& e) {
        throw std::runtime_error("cannot bind " + endpoint + ": " + e.what());
    }
}

master_endpoint::~master_endpoint() = default;

void master_endpoint::send(const std::string& worker, const message& m) {
    // A bundle is encoded once and its bytes shared by every copy queued:
    // workers that join together (or a peer repeating hello) cost one bundle
    // of memory, not one each.
    zmq::message_t payload =
        std::holds_alternative<scenario_bundle>(m)
            ? impl_->bundles.message(std::get<scenario_bundle>(m), impl_->max_send_bytes,
                                     impl_->share_bundles)
            : zmq::message_t(encode_for_wire(m, impl_->max_send_bytes));
    zmq::socket_t& s = impl_->socket;
    // Without ROUTER_MANDATORY a ROUTER never blocks and never fails here: an
    // unknown identity or a full queue drops the message.
    frame_sent();
    (void)s.send(zmq::buffer(worker), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    (void)s.send(payload, zmq::send_flags::dontwait);
}

std::optional<incoming> master_endpoint::receive(std::chrono::milliseconds timeout) {
    if (impl_->watch) impl_->watch->poll();
    return receive_until(impl_->socket, timeout, [this](frames& f) { return impl_->accept(f); });
}

std::string master_endpoint::bound_endpoint() const {
    return impl_->socket.get(zmq::sockopt::last_endpoint);
}

std::uint64_t master_endpoint::dropped_messages() const {
    return impl_->dropped;
}

std::uint64_t master_endpoint::refused_connections() const {
    return (impl_->zap ? impl_->zap->refused() : 0) + (impl_->watch ? impl_->watch->failures() : 0);
}

// ----------------------------------------------------------------- worker

struct worker_endpoint::impl {
    impl(zmq::context_t& ctx, const decode_limits& l, log::logger lg)
        : socket(ctx, zmq::socket_type::dealer), limits(l), log(std::move(lg)), drops(log) {}

    std::optional<message> accept(frames& f) {
        if (f.total != 1) {
            return drop("frames: expected [payload], got " + std::to_string(f.total) + " frames");
        }
        result<message> m = decode(f.kept[0].to_string_view(), limits);
        if (!m) return drop(m.error().message);
        return std::move(*m);
    }

    std::nullopt_t drop(const std::string& error) {
        ++dropped;
        drops.dropped("the master", error, dropped);
        return std::nullopt;
    }

    zmq::socket_t socket;
    std::unique_ptr<detail::handshake_watch> watch;  // tcp:// only
    decode_limits limits;
    std::uint64_t dropped = 0;  // undecodable messages so far
    std::uint64_t unsent = 0;   // sends dropped on a full queue
    log::logger log;
    detail::drop_log drops;
};

namespace {

void check_identity(const std::string& identity) {
    // ZeroMQ's rules: 1..255 bytes; a leading zero byte is reserved for the
    // identities a ROUTER makes up itself.
    if (identity.empty() || identity.size() > 255 || identity.front() == '\0') {
        throw std::invalid_argument("worker identity '" + detail::printable(identity) +
                                    "' must be 1 to 255 bytes and not start with a zero byte");
    }
}

}  // namespace

worker_endpoint::worker_endpoint(zmq::context_t& ctx, const std::string& endpoint,
                                 const std::string& identity, decode_limits limits)
    : worker_endpoint(ctx, endpoint, identity,
                      endpoint_options{std::nullopt, limits, std::nullopt}) {}

worker_endpoint::worker_endpoint(zmq::context_t& ctx, const std::string& endpoint,
                                 const std::string& identity, const std::optional<auth_keys>& auth,
                                 decode_limits limits)
    : worker_endpoint(ctx, endpoint, identity, endpoint_options{auth, limits, std::nullopt}) {}

worker_endpoint::worker_endpoint(zmq::context_t& ctx, const std::string& endpoint,
                                 const std::string& identity, const endpoint_options& opts)
    : impl_(std::make_unique<impl>(ctx, opts.limits,
                                   opts.log.value_or(log::logger("swarm worker")))) {
    const auto& auth = opts.auth;
    check_identity(identity);
    if (auth) check_auth_for(endpoint, *auth, auth_side::worker);
    zmq::socket_t& s = impl_->socket;
    set_common_options(s, opts.limits);
    enable_ipv6_if_asked(s, endpoint);
    if (auth) set_curve_client(s, *auth);
    if (is_tcp(endpoint)) {
        impl_->watch = std::make_unique<detail::handshake_watch>(
            ctx, s, detail::watch_side::worker, endpoint, auth.has_value(), impl_->log);
    }
    s.set(zmq::sockopt::routing_id, identity);
    s.set(zmq::sockopt::reconnect_ivl_max, reconnect_ivl_max_ms);
    try {
        s.connect(endpoint);
    } catch (const zmq::error_t& e) {
        throw std::runtime_error("cannot connect to " + endpoint + ": " + e.what());
    }
}

worker_endpoint::~worker_endpoint() = default;

void worker_endpoint::send(const message& m) {
    const std::string bytes = encode_for_wire(m, impl_->limits.max_message_bytes);
    // A DEALER blocks when its queue is full; a worker must keep running its
    // users instead, so the message is dropped (stats_report sequence gaps
    // tell the master).
    frame_sent();
    if (!impl_->socket.send(zmq::buffer(bytes), zmq::send_flags::dontwait)) ++impl_->unsent;
}

std::optional<message> worker_endpoint::receive(std::chrono::milliseconds timeout) {
    if (impl_->watch) impl_->watch->poll();
    return receive_until(impl_->socket, timeout, [this](frames& f) { return impl_->accept(f); });
}

std::uint64_t worker_endpoint::dropped_messages() const {
    return impl_->dropped;
}
void worker_endpoint::discard_unsent() {
    impl_->socket.set(zmq::sockopt::linger, 0);
}

std::uint64_t worker_endpoint::unsent_messages() const {
    return impl_->unsent;
}
std::uint64_t worker_endpoint::failed_handshakes() const {
    return impl_->watch ? impl_->watch->failures() : 0;
}

}  // namespace swarm::proto
