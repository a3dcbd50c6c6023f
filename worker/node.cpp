#include "worker/node.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <random>
#include <string_view>

#include "proto/transport.hpp"
#include "worker/node_core.hpp"
#include "worker/process_metrics.hpp"
#include "worker/ready_file.hpp"
#include "worker/runtime/engine.hpp"

namespace swarm::worker {
namespace {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
    return buf;
}

std::string unique_identity() {
    std::random_device rd;
    return host_name() + ":" + std::to_string(getpid()) + ":" + std::to_string(rd() % 1000000);
}

node_core_options core_options(const node_options& opts) {
    node_core_options c;
    c.master = opts.master;
    c.hello.host = host_name();
    c.hello.name = opts.name.empty() ? c.hello.host + ":" + std::to_string(getpid()) : opts.name;
    c.hello.threads = opts.engine.threads;
    c.hello.pid = getpid();
    c.engine = opts.engine;
    c.report_interval = opts.report_interval;
    c.watch = opts.watch;
    return c;
}

// The resolver's error for the host of a tcp:// endpoint, if it has one.
// ZeroMQ resolves a name by itself, on every reconnect, and says nothing when
// it cannot: asking too is the only way the log can tell "no such host" from
// "nobody listens".
std::optional<std::string> resolve_error(const std::string& endpoint) {
    constexpr std::string_view tcp = "tcp://";
    if (endpoint.rfind(tcp, 0) != 0) return std::nullopt;
    const auto colon = endpoint.rfind(':');
    if (colon == std::string::npos || colon < tcp.size()) return std::nullopt;
    std::string host = endpoint.substr(tcp.size(), colon - tcp.size());
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
    if (rc == 0) {
        ::freeaddrinfo(found);
        return std::nullopt;
    }
    return "cannot resolve " + host + ": " + ::gai_strerror(rc);
}

// The DEALER to the master. The core asks for a fresh socket for every
// attempt to join: what the old one queued while the master was away
// (reports, heartbeats, hellos) is dropped with it instead of reaching a
// restarted master in a burst.
class master_link {
  public:
    master_link(zmq::context_t& zmq, const node_options& opts)
        : zmq_(zmq), opts_(opts), identity_(unique_identity()) {
        connect();
    }
    void connect() {
        // The old socket first, its queue dropped: a hello it still holds
        // would otherwise connect later with our identity and take the
        // master's replies away from the new socket.
        if (endpoint_) endpoint_->discard_unsent();
        endpoint_.reset();
        check_name();
        endpoint_ = std::make_unique<proto::worker_endpoint>(
            zmq_, opts_.master, identity_, proto::endpoint_options{opts_.auth, {}, opts_.log});
    }
    void send(const proto::message& m) { endpoint_->send(m); }
    std::optional<proto::message> receive(std::chrono::milliseconds timeout) {
        return endpoint_->receive(timeout);
    }

  private:
    // Logs the resolver's error once, and again only when it changes (a
    // worker retries every 5 s for as long as it waits).
    void check_name() {
        auto error = resolve_error(opts_.master);
        if (error && error != name_error_) opts_.log.error(*error + " (retrying)");
        if (!error && name_error_) opts_.log.info("the master's name resolves again");
        name_error_ = std::move(error);
    }

    zmq::context_t& zmq_;
    const node_options& opts_;
    std::string identity_;
    std::optional<std::string> name_error_;
    std::unique_ptr<proto::worker_endpoint> endpoint_;
};

// The driver: the socket, the real clock and the loop around node_core.
class node_driver {
  public:
    node_driver(zmq::context_t& zmq, const node_options& opts)
        : opts_(opts),
          link_(zmq, opts),
          ready_(opts.ready_file),
          core_(
              core_options(opts),
              [](const engine_options& eo) { return std::make_unique<engine>(eo); },
              [this] { return metrics_.sample(); }, opts.log, clock::now()) {}
    ~node_driver() { set_ready(false); }

    int run(const std::atomic<bool>& stop_flag);

  private:
    void receive_queued();
    void apply_effects();
    void set_ready(bool ready);

    const node_options& opts_;
    master_link link_;
    ready_file ready_;
    process_metrics metrics_;
    node_core core_;  // last: its engines stop before the rest goes
};

int node_driver::run(const std::atomic<bool>& stop_flag) {
    while (!core_.exit_code()) {
        if (stop_flag.load()) {
            const bool again = opts_.stop_now_flag && opts_.stop_now_flag->load();
            core_.on_terminate(clock::now(), again);
        }
        // What waits was sent before now: read it all before the core judges
        // the master, or a silence of our own (SIGSTOP, a long compile, a
        // slow tick) would be taken for the master's.
        receive_queued();
        const auto now = clock::now();
        core_.on_tick(now);
        apply_effects();
        if (core_.exit_code()) break;
        const auto wait =
            std::chrono::ceil<std::chrono::milliseconds>(core_.wake_by(now) - clock::now());
        if (auto m = link_.receive(std::max(wait, 0ms))) {
            core_.on_message(*m, clock::now());
            apply_effects();
        }
    }
    return *core_.exit_code();
}

void node_driver::receive_queued() {
    while (!core_.exit_code()) {
        auto m = link_.receive(0ms);
        if (!m) return;
        core_.on_message(*m, clock::now());
        apply_effects();
    }
}

void node_driver::apply_effects() {
    struct apply {
        node_driver& d;
        void operator()(const proto::message& m) const { d.link_.send(m); }
        void operator()(reconnect) const { d.link_.connect(); }
        void operator()(ready_change r) const { d.set_ready(r.ready); }
    };
    for (const auto& e : core_.take_effects()) std::visit(apply{*this}, e);
}

void node_driver::set_ready(bool ready) {
    if (auto done = ready_.set(ready); !done) opts_.log.error(done.error().message);
}

}  // namespace

int run_node(zmq::context_t& zmq, const node_options& opts, const std::atomic<bool>& stop_flag) {
    try {
        node_driver d(zmq, opts);
        return d.run(stop_flag);
    } catch (const std::exception& e) {
        opts.log.error(e.what());
        return 1;
    }
}

}  // namespace swarm::worker
