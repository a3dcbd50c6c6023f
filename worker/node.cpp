#include "worker/node.hpp"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <random>

#include "common/duration.hpp"
#include "proto/transport.hpp"
#include "worker/master_watch.hpp"
#include "worker/process_metrics.hpp"
#include "worker/ready_file.hpp"
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

master_watch_options watch_options(const node_options& opts) {
    master_watch_options w;
    w.lost_after = opts.master_lost_after;
    w.give_up_after = opts.master_timeout;
    return w;
}

// The DEALER to the master. A fresh socket for every attempt to join: what
// the old one queued while the master was away (reports, heartbeats, hellos)
// is dropped with it instead of reaching a restarted master in a burst.
class master_link {
public:
    master_link(zmq::context_t& zmq, const node_options& opts, std::string identity)
        : zmq_(zmq), opts_(opts), identity_(std::move(identity)) {
        connect();
    }
    void connect() {
        // The old socket first, its queue dropped: a hello it still holds
        // would otherwise connect later with our identity and take the
        // master's replies away from the new socket.
        if (endpoint_) endpoint_->discard_unsent();
        endpoint_.reset();
        endpoint_ = std::make_unique<proto::worker_endpoint>(zmq_, opts_.master, identity_, opts_.auth);
    }
    void send(const proto::message& m) { endpoint_->send(m); }
    std::optional<proto::message> receive(std::chrono::milliseconds timeout) { return endpoint_->receive(timeout); }

private:
    zmq::context_t& zmq_;
    const node_options& opts_;
    std::string identity_;
    std::unique_ptr<proto::worker_endpoint> endpoint_;
};

// The loop's state: one instance per run_node call.
class node {
public:
    node(zmq::context_t& zmq, const node_options& opts)
        : opts_(opts), identity_(unique_identity()), endpoint_(zmq, opts, identity_),
          watch_(watch_options(opts), clock::now()), ready_(opts.ready_file) {}

    int run(const std::atomic<bool>& stop_flag);

private:
    void log(const std::string& line) const {
        if (!opts_.quiet) std::cerr << "swarm worker: " << line << "\n";
    }
    void send_hello();
    void step_join(clock::time_point now);
    void on_master_lost(clock::time_point now);
    void set_ready(bool ready);
    void handle(proto::message& m);
    void on_bundle(const proto::scenario_bundle& b);
    void on_spawn(const proto::spawn& s);
    void on_stop(std::int64_t timeout_ms);
    void step_ramp(clock::time_point now);
    void step_stopping(clock::time_point now);
    void report();

    const node_options& opts_;
    std::string identity_;
    master_link endpoint_;
    master_watch watch_;
    ready_file ready_;
    std::unique_ptr<engine> engine_;
    // The engine whose users were stopped when the master was lost: it runs
    // down on its own threads while a new master's bundle gets a fresh engine.
    std::unique_ptr<engine> retired_;
    clock::time_point retired_deadline_{};
    process_metrics metrics_;
    ramp ramp_;

    bool welcomed_ = false;
    bool quit_ = false;
    int exit_code_ = 0;
    int hellos_ = 0;  // since the last welcome; the first one is logged
    std::uint32_t index_ = 0;
    std::optional<scenario::bundle> bundle_;
    std::string bundle_hash_;
    std::string loaded_host_;
    std::uint64_t run_id_ = 0;
    bool ramping_ = false;
    bool stopping_ = false;
    clock::time_point graceful_deadline_{}, hard_deadline_{};
    std::uint64_t sequence_ = 0;
    // Reports run at a fixed rate (next += interval), not "interval after the
    // last one": the loop wakes a little late each time, and a period of
    // 1.01 s would drift across the master's second grid and leave it a
    // second without this worker's report every hundred or so.
    clock::time_point next_report_{};
};

void node::send_hello() {
    proto::hello h;
    h.host = host_name();
    h.name = opts_.name.empty() ? h.host + ":" + std::to_string(getpid()) : opts_.name;
    h.threads = opts_.engine.threads;
    h.pid = getpid();
    endpoint_.send(h);
}

// Not welcomed: hello now and then (backoff 1, 2, 4, 5, 5... s), each on a
// fresh socket so a master that comes up gets one hello, not a queue of them.
void node::step_join(clock::time_point now) {
    if (welcomed_ || !watch_.hello_due(now)) return;
    if (hellos_ > 0) endpoint_.connect();
    if (hellos_ == 0) log("saying hello to the master at " + opts_.master);
    ++hellos_;
    send_hello();
    watch_.hello_sent(now);
}

// The master went silent: it died, restarted, or the network is gone. Stop
// every user at once (the unsent delta is lost; the master counts the gap),
// stop talking, and go back to hello until a master welcomes this worker.
void node::on_master_lost(clock::time_point now) {
    const auto silent = std::chrono::duration_cast<std::chrono::seconds>(watch_.silent_for(now)).count();
    const auto users = engine_ ? engine_->running_total() : 0;
    log("lost the master (nothing from it for " + std::to_string(silent) + " s); stopped " + std::to_string(users) +
        " users; waiting for a master");
    welcomed_ = false;
    hellos_ = 0;
    set_ready(false);
    if (engine_) {
        engine_->stop_all(user::stop_mode::now);
        retired_.reset();  // an earlier one still running down: wait for it now (bounded)
        retired_ = std::move(engine_);
        retired_deadline_ = now + std::chrono::duration_cast<clock::duration>(opts_.engine.request_timeout) + 5s;
    }
    // A new master numbers its tests, workers and reports afresh.
    bundle_.reset();
    bundle_hash_.clear();
    run_id_ = 0;
    sequence_ = 0;
    ramping_ = false;
    stopping_ = false;
    endpoint_.connect();
    watch_.reset_backoff(now);
}

void node::set_ready(bool ready) {
    if (const auto error = ready_.set(ready); !error.empty()) std::cerr << "swarm worker: " << error << "\n";
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
    const auto now = clock::now();
    watch_.heard(now);
    if (auto* w = std::get_if<proto::welcome>(&m)) {
        // A master may welcome twice (a hello from the previous socket arrived
        // too); the second welcome only restates the index.
        if (!welcomed_) log("joined master " + opts_.master + " as worker " + std::to_string(w->index));
        welcomed_ = true;
        index_ = w->index;
        watch_.reset_backoff(now);
    } else if (auto* r = std::get_if<proto::reject>(&m)) {
        if (welcomed_) {
            // A master that welcomed us and now does not know us (it restarted
            // within the silence window): join it again rather than exit.
            log("the master no longer knows this worker (" + r->reason + "); joining again");
            on_master_lost(now);
            return;
        }
        std::cerr << "swarm worker: the master refused this worker: " << r->reason << "\n";
        exit_code_ = 1;
        quit_ = true;
    } else if (auto* b = std::get_if<proto::scenario_bundle>(&m)) {
        on_bundle(*b);
        set_ready(!bundle_hash_.empty() && bundle_hash_ == b->hash);
    } else if (auto* s = std::get_if<proto::spawn>(&m)) {
        on_spawn(*s);
    } else if (auto* st = std::get_if<proto::stop>(&m)) {
        on_stop(st->timeout_ms);
    } else if (auto* q = std::get_if<proto::quit>(&m)) {
        log("the master said quit (" + q->reason + "); exiting");
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
        engine_->release_free_memory();
    }
}

void node::step_stopping(clock::time_point now) {
    if (!stopping_ || !engine_) return;
    if (now >= graceful_deadline_) engine_->stop_all(user::stop_mode::now);
    if (engine_->alive() > 0 && now < hard_deadline_) return;
    stopping_ = false;
    report();  // the final delta: every request that completed is in it
    endpoint_.send(proto::stopped{run_id_});
}

void node::report() {
    std::int64_t users = 0;
    double loop_lag_ms = 0;
    if (engine_) {
        proto::stats_report r;
        r.sequence = ++sequence_;
        r.run_id = run_id_;
        r.users = users = engine_->running_total();
        r.delta = engine_->collect();
        endpoint_.send(r);
        loop_lag_ms = engine_->take_loop_lag_ms();
    }
    // Heartbeat even without an engine (a bundle that did not compile), or
    // the master would think this worker missing.
    const auto usage = metrics_.sample();
    endpoint_.send(proto::heartbeat{usage.cpu_percent, usage.rss_bytes, users, loop_lag_ms});
}

int node::run(const std::atomic<bool>& stop_flag) {
    bool terminating = false;
    while (!quit_) {
        const auto now = clock::now();
        if (stop_flag.load() && !terminating) {
            // SIGTERM: stop users, send the last delta, say quit.
            terminating = true;
            if (!welcomed_) break;  // no master to tell
            on_stop(0);
        }
        if (terminating && !stopping_) break;
        if (welcomed_ && watch_.lost(now)) {
            // The silence may be ours (SIGSTOP, a long compile): read what waits first.
            if (auto m = endpoint_.receive(0ms)) {
                handle(*m);
                continue;
            }
            on_master_lost(now);
        }
        if (watch_.give_up(now)) {
            log("no master for " + format_duration(opts_.master_timeout) + " (--master-timeout); exiting");
            return 0;
        }
        step_join(now);
        if (retired_ && (retired_->alive() == 0 || now >= retired_deadline_)) retired_.reset();
        step_ramp(now);
        step_stopping(now);
        if (welcomed_ && now >= next_report_) {
            next_report_ += opts_.report_interval;
            // Behind by a whole interval (the first report, a stall): restart the grid.
            if (next_report_ <= now) next_report_ = now + opts_.report_interval;
            report();
        }
        const auto until_report = welcomed_ ? std::chrono::ceil<std::chrono::milliseconds>(next_report_ - now)
                                            : std::chrono::milliseconds::max();
        if (auto m = endpoint_.receive(std::clamp(until_report, 0ms, ramping_ ? 2ms : 20ms))) handle(*m);
    }
    if (!welcomed_) return exit_code_;  // rejected, or no master to say goodbye to
    if (engine_) {
        engine_->stop_all(user::stop_mode::now);
        report();
    }
    endpoint_.send(proto::quit{terminating ? "terminated" : "told to quit"});
    return exit_code_;
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
