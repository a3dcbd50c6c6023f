#include "worker/node.hpp"

#include <unistd.h>

#include <iostream>
#include <random>

#include "proto/transport.hpp"
#include "worker/process_metrics.hpp"
#include "worker/run_options.hpp"
#include "worker/runtime/ramp.hpp"

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

// The loop's state: one instance per run_node call.
class node {
public:
    node(zmq::context_t& zmq, const node_options& opts)
        : opts_(opts), identity_(unique_identity()), endpoint_(zmq, opts.master, identity_, opts.auth) {}

    int run(const std::atomic<bool>& stop_flag);

private:
    void log(const std::string& line) const {
        if (!opts_.quiet) std::cerr << "swarm worker: " << line << "\n";
    }
    void send_hello();
    void handle(proto::message& m);
    void on_bundle(const proto::scenario_bundle& b);
    void on_spawn(const proto::spawn& s);
    void on_stop(std::int64_t timeout_ms);
    void step_ramp(clock::time_point now);
    void step_stopping(clock::time_point now);
    void report(clock::time_point now);

    const node_options& opts_;
    std::string identity_;
    proto::worker_endpoint endpoint_;
    std::unique_ptr<engine> engine_;
    process_metrics metrics_;
    ramp ramp_;

    bool welcomed_ = false;
    bool quit_ = false;
    std::uint32_t index_ = 0;
    std::optional<scenario::bundle> bundle_;
    std::string bundle_hash_;
    std::string loaded_host_;
    std::uint64_t run_id_ = 0;
    bool ramping_ = false;
    bool stopping_ = false;
    clock::time_point graceful_deadline_{}, hard_deadline_{};
    std::uint64_t sequence_ = 0;
    clock::time_point last_hello_{}, last_report_{}, last_from_master_{};
};

void node::send_hello() {
    proto::hello h;
    h.host = host_name();
    h.name = opts_.name.empty() ? h.host + ":" + std::to_string(getpid()) : opts_.name;
    h.threads = opts_.engine.threads;
    h.pid = getpid();
    endpoint_.send(h);
    last_hello_ = clock::now();
}

void node::on_bundle(const proto::scenario_bundle& b) {
    auto compiled = scenario::compile(b.bundle, scenario::compile_options{"", false});
    if (!compiled.result) {
        proto::compile_failed f{b.hash, {}};
        for (const auto& e : compiled.errors) f.errors.push_back(e.to_string());
        log("scenario " + b.bundle.name + " does not compile here");
        endpoint_.send(f);
        return;
    }
    engine_options eo = with_run_options(opts_.engine, b.options);
    eo.worker_index = index_;
    if (!engine_ || engine_->alive() == 0) {
        try {
            auto fresh = std::make_unique<engine>(eo);
            fresh->load(compiled.result, "");  // throws when a CA cannot be used
            engine_ = std::move(fresh);
        } catch (const std::exception& e) {
            log("scenario " + b.bundle.name + " cannot run here: " + e.what());
            endpoint_.send(proto::compile_failed{b.hash, {e.what()}});
            return;
        }
    }
    bundle_ = b.bundle;
    bundle_hash_ = b.hash;
    loaded_host_.clear();
    endpoint_.send(proto::ready{b.hash});
}

void node::on_spawn(const proto::spawn& s) {
    if (!engine_ || !bundle_) return;
    if (s.run_id != run_id_ || s.host_override != loaded_host_) {
        // A new test: (re)compile with its host override while no user is alive.
        if (engine_->alive() == 0) {
            auto compiled = scenario::compile(*bundle_, scenario::compile_options{s.host_override, false});
            if (compiled.result) engine_->load(compiled.result, s.host_override);
            loaded_host_ = s.host_override;
        }
        run_id_ = s.run_id;
        sequence_ = 0;
    }
    std::vector<std::int64_t> targets(engine_->class_count(), 0);
    for (const auto& [name, count] : s.targets) {
        const auto c = engine_->class_index(name);
        if (c < targets.size()) targets[c] = count;
    }
    stopping_ = false;
    ramp_.retarget(std::move(targets), s.spawn_rate, clock::now());
    ramping_ = true;
    endpoint_.send(proto::spawning{run_id_, engine_->running_total()});
}

void node::on_stop(std::int64_t timeout_ms) {
    ramping_ = false;
    if (!engine_) {
        endpoint_.send(proto::stopped{run_id_});
        return;
    }
    engine_->stop_all(timeout_ms > 0 ? user::stop_mode::graceful : user::stop_mode::now);
    stopping_ = true;
    const auto now = clock::now();
    graceful_deadline_ = now + std::chrono::milliseconds(timeout_ms);
    // In-flight requests finish or time out; never wait forever.
    hard_deadline_ = graceful_deadline_ + std::chrono::duration_cast<clock::duration>(opts_.engine.request_timeout) + 5s;
}

void node::handle(proto::message& m) {
    last_from_master_ = clock::now();
    if (auto* w = std::get_if<proto::welcome>(&m)) {
        welcomed_ = true;
        index_ = w->index;
        log("joined master " + opts_.master + " as worker " + std::to_string(index_));
    } else if (auto* r = std::get_if<proto::reject>(&m)) {
        std::cerr << "swarm worker: the master refused this worker: " << r->reason << "\n";
        quit_ = true;
    } else if (auto* b = std::get_if<proto::scenario_bundle>(&m)) {
        on_bundle(*b);
    } else if (auto* s = std::get_if<proto::spawn>(&m)) {
        on_spawn(*s);
    } else if (auto* st = std::get_if<proto::stop>(&m)) {
        on_stop(st->timeout_ms);
    } else if (std::holds_alternative<proto::quit>(m)) {
        quit_ = true;
    }
}

void node::step_ramp(clock::time_point now) {
    if (!ramping_ || !engine_) return;
    for (const auto& a : ramp_.due(now, engine_->running())) {
        if (a.what == ramp::action::kind::start) engine_->start_user(a.user_class);
        else engine_->stop_user(a.user_class, user::stop_mode::graceful);
    }
    if (ramp_.complete(engine_->running())) {
        ramping_ = false;
        endpoint_.send(proto::spawn_complete{run_id_, engine_->running_total()});
    }
}

void node::step_stopping(clock::time_point now) {
    if (!stopping_ || !engine_) return;
    if (now >= graceful_deadline_) engine_->stop_all(user::stop_mode::now);
    if (engine_->alive() > 0 && now < hard_deadline_) return;
    stopping_ = false;
    report(now);  // the final delta: every request that completed is in it
    endpoint_.send(proto::stopped{run_id_});
}

void node::report(clock::time_point now) {
    last_report_ = now;
    if (!engine_) return;
    proto::stats_report r;
    r.sequence = ++sequence_;
    r.run_id = run_id_;
    r.users = engine_->running_total();
    r.delta = engine_->collect();
    endpoint_.send(r);
    const auto usage = metrics_.sample();
    endpoint_.send(proto::heartbeat{usage.cpu_percent, usage.rss_bytes, r.users, engine_->take_loop_lag_ms()});
}

int node::run(const std::atomic<bool>& stop_flag) {
    send_hello();
    last_from_master_ = clock::now();
    bool terminating = false;
    while (!quit_) {
        const auto now = clock::now();
        if (stop_flag.load() && !terminating) {
            // SIGTERM: stop users, send the last delta, say quit.
            terminating = true;
            on_stop(0);
        }
        if (terminating && !stopping_) break;
        if (!welcomed_ && now - last_hello_ >= 1s) send_hello();
        if (opts_.master_timeout.count() > 0 && now - last_from_master_ > opts_.master_timeout) {
            log("the master has been silent for " + std::to_string(opts_.master_timeout.count() / 1000) + " s; exiting");
            return 1;
        }
        step_ramp(now);
        step_stopping(now);
        if (welcomed_ && now - last_report_ >= opts_.report_interval) report(now);
        if (auto m = endpoint_.receive(ramping_ ? 2ms : 20ms)) handle(*m);
    }
    if (engine_) {
        engine_->stop_all(user::stop_mode::now);
        report(clock::now());
    }
    endpoint_.send(proto::quit{terminating ? "terminated" : "told to quit"});
    return 0;
}

}  // namespace

int run_node(zmq::context_t& zmq, const node_options& opts, const std::atomic<bool>& stop_flag) {
    try {
        node n(zmq, opts);
        return n.run(stop_flag);
    } catch (const std::exception& e) {
        std::cerr << "swarm worker: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace swarm::worker
