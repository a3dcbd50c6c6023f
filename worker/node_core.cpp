#include "worker/node_core.hpp"

#include <algorithm>
#include <utility>

#include "common/duration.hpp"
#include "worker/run_options.hpp"

namespace swarm::worker {

using namespace std::chrono_literals;

namespace {

// In-flight requests finish or time out within the request timeout; the
// rest is slack for a loaded machine. Never wait longer than this for users.
node_core::clock::duration run_down_time(node_core::clock::duration request_timeout) {
    return request_timeout + 5s;
}

// The stop deadlines. A stop with timeout T: users finish their current task
// for T (T = 0: they stop at the next request boundary, and a request in
// flight gets in_flight_grace to complete: a healthy target's answer is no
// failure); then what is still in flight is cancelled and each user runs its
// on_stop, bounded by user::on_stop_time_limit (10 s); with this slack for a
// loaded machine, the node gives up waiting for users at max(T, 0.5 s) +
// 10 s + 2 s and sends its last delta and `stopped` anyway. A second stop
// (or SIGTERM) while stopping cancels everything now, on_stop included: the
// users are gone within a moment, and the node waits at most this long.
constexpr auto in_flight_grace = 500ms;
constexpr auto stop_slack = 2s;
constexpr auto stop_now_bound = 2s;

// `shares` as they stand `elapsed` after they arrived: each ramp (rate →
// rate_end over ramp_ms) advanced by that much, the rest of it still to go.
std::vector<proto::arrival_share> shares_at(std::vector<proto::arrival_share> shares,
                                            node_core::clock::duration elapsed) {
    const auto ms = std::max<std::int64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 0);
    for (auto& s : shares) {
        if (s.ramp_ms <= 0 || ms >= s.ramp_ms) {
            s.rate = s.rate_end;
            s.ramp_ms = 0;
            continue;
        }
        const double done = static_cast<double>(ms) / static_cast<double>(s.ramp_ms);
        s.rate += (s.rate_end - s.rate) * done;
        s.ramp_ms -= ms;
    }
    return shares;
}

}  // namespace

node_core::node_core(node_core_options opts, engine_factory make_engine, usage_sampler sample_usage,
                     log::logger log, clock::time_point now)
    : opts_(std::move(opts)),
      make_engine_(std::move(make_engine)),
      sample_usage_(std::move(sample_usage)),
      log_(std::move(log)),
      watch_(opts_.watch, now),
      last_tick_(now) {}

node_core::~node_core() = default;

std::vector<node_effect> node_core::take_effects() {
    return std::exchange(effects_, {});
}

node_core::clock::time_point node_core::wake_by(clock::time_point now) const {
    // Users finish on the engine's threads and the ramp's next start is due
    // within 1/rate s: look again soon (sooner while ramping).
    const auto poll = now + (ramping_ ? 2ms : 20ms);
    return welcomed_ ? std::min(poll, std::max(now, next_report_)) : poll;
}

void node_core::on_message(const proto::message& m, clock::time_point now) {
    if (exit_code_) return;
    watch_.heard(now);
    if (held_ && !held_for_pause_) resume_users("the master is back", now);
    std::visit([&](const auto& body) { handle(body, now); }, m);
}

void node_core::handle(const proto::welcome& w, clock::time_point now) {
    // A master may welcome twice (a hello from the previous socket arrived
    // too); the second welcome only restates the index.
    if (!welcomed_)
        log_.info("joined master " + opts_.master + " as worker " + std::to_string(w.index));
    welcomed_ = true;
    ever_welcomed_ = true;
    index_ = w.index;
    watch_.reset_backoff(now);
}

void node_core::handle(const proto::reject& r, clock::time_point now) {
    if (welcomed_) {
        // A master that welcomed us and now does not know us (it restarted
        // within the silence window): join it again rather than exit.
        log_.info("the master no longer knows this worker (" + r.reason + "); joining again");
        master_lost(now);
        return;
    }
    log_.error("the master refused this worker: " + r.reason);
    finish(1, "");
}

void node_core::handle(const proto::scenario_bundle& b, clock::time_point) {
    load_bundle(b);
    set_ready(!bundle_hash_.empty() && bundle_hash_ == b.hash);
}

result<std::unique_ptr<user_engine>> node_core::make_loaded_engine(
    const engine_options& eo, std::shared_ptr<const scenario::plan> plan) {
    try {
        auto fresh = make_engine_(eo);
        if (auto loaded = fresh->load(std::move(plan)); !loaded) return loaded.error();
        return fresh;
    } catch (const std::exception& e) {
        return fail(e.what());
    }
}

void node_core::load_bundle(const proto::scenario_bundle& b) {
    auto compiled = scenario::compile(
        b.bundle,
        scenario::compile_options{"", false, b.options.include_tags, b.options.exclude_tags});
    if (!compiled.result) {
        proto::compile_failed f{b.hash, {}};
        for (const auto& e : compiled.errors) f.errors.push_back(e.to_string());
        log_.info("scenario " + b.bundle.name + " does not compile here");
        send(std::move(f));
        return;
    }
    // An engine with users still stopping keeps its threads and options.
    if (!engine_ || engine_->alive() == 0) {
        engine_options eo = with_run_options(opts_.engine, b.options);
        eo.worker_index = index_;
        // Threads that cannot start, a CA that OpenSSL refuses: the master
        // hears why and the worker stays, as for a plan that does not compile.
        auto loaded = make_loaded_engine(eo, compiled.result);
        if (!loaded) {
            log_.info("scenario " + b.bundle.name + " cannot run here: " + loaded.error().message);
            send(proto::compile_failed{b.hash, {loaded.error().message}});
            return;
        }
        auto fresh = std::move(*loaded);
        engine_ = std::move(fresh);
        engine_request_timeout_ = std::chrono::duration_cast<clock::duration>(eo.request_timeout);
    }
    bundle_ = b.bundle;
    bundle_tags_ = {b.options.include_tags, b.options.exclude_tags};
    bundle_hash_ = b.hash;
    loaded_host_.clear();
    send(proto::ready{b.hash});
}

void node_core::handle(const proto::spawn& s, clock::time_point now) {
    // A test starting while this worker quits would only be stopped again.
    if (!engine_ || !bundle_ || terminating_) return;
    if (s.run_id != run_id_ || s.host_override != loaded_host_) {
        // A new test: (re)compile with its host override while no user is alive.
        if (engine_->alive() == 0) {
            // The master compiled the plan with this override: it compiles here too.
            auto compiled = scenario::compile(
                *bundle_, scenario::compile_options{s.host_override, false, bundle_tags_.first,
                                                    bundle_tags_.second});
            if (compiled.result) {
                if (auto loaded = engine_->load(compiled.result); !loaded) {
                    log_.info("scenario " + bundle_->name +
                              " cannot run here: " + loaded.error().message);
                    send(proto::compile_failed{bundle_hash_, {loaded.error().message}});
                    return;
                }
            }
            loaded_host_ = s.host_override;
        }
        run_id_ = s.run_id;
        sequence_ = 0;
        engine_->reset_iterations();
    }
    std::vector<std::int64_t> targets(engine_->class_count(), 0);
    for (const auto& [name, count] : s.targets) {
        const auto c = engine_->class_index(name);
        if (c < targets.size()) targets[c] = count;
    }
    stopping_ = false;
    held_ = false;
    spawn_rate_ = s.spawn_rate;
    ramp_.retarget(std::move(targets), s.spawn_rate, now);
    ramping_ = true;
    // Open classes: the pools and schedules continue across a rebalance.
    engine_->set_iteration_quota(s.iteration_quota);
    engine_->set_feeder_share(s.run_id, {s.feeder_slot, s.feeder_slots});
    arrivals_ = s.arrivals;
    arrivals_at_ = now;
    engine_->set_arrivals(arrivals_);
    send(proto::spawning{run_id_, users()});
}

void node_core::handle(const proto::stop& s, clock::time_point now) {
    // The master's first stop of a stop already under way (a SIGTERM got here
    // first: kubectl delete, compose down, one Ctrl-C to both processes)
    // joins it; only the master's second stop means "cancel now".
    if (stopping_ && !master_stop_seen_) {
        master_stop_seen_ = true;
        return;
    }
    stop_users(s.timeout_ms, now);
    master_stop_seen_ = true;
}

void node_core::handle(const proto::quit& q, clock::time_point) {
    log_.info("the master said quit (" + q.reason + "); exiting");
    finish(0, "told to quit");
}

void node_core::on_terminate(clock::time_point now, bool again) {
    if (exit_code_) return;
    if (!terminating_) {
        terminating_ = true;
        if (!welcomed_) {
            finish(0, "");  // no master to tell
            return;
        }
        // on_tick says quit once they are gone; a stop the master asked for
        // already runs its course.
        if (!stopping_) stop_users(0, now);
    }
    // A second SIGTERM / SIGINT: cancel everything now, on_stop included.
    if (again && stopping_ && !stop_now_) stop_users(0, now);
}

// Stops every user: gracefully for `timeout_ms`, then in-flight requests are
// cancelled and on_stop runs (see stop_slack); step_stopping sends the last
// delta and `stopped` when they are gone. Asked again while stopping (the
// master's second stop, a second SIGTERM): cancel everything now.
void node_core::stop_users(std::int64_t timeout_ms, clock::time_point now) {
    ramping_ = false;
    held_ = false;
    if (!engine_) {
        send(proto::stopped{run_id_});
        return;
    }
    if (stopping_) {
        if (stop_now_) return;
        log_.info("stopping now: cancelling every request and on_stop");
        engine_->stop_all(user::stop_mode::now);
        stop_escalated_ = stop_now_ = true;
        hard_deadline_ = std::min(hard_deadline_, now + stop_now_bound);
        return;
    }
    const bool graceful = timeout_ms > 0;
    engine_->stop_all(graceful ? user::stop_mode::graceful : user::stop_mode::after_request);
    stopping_ = true;
    stop_escalated_ = false;
    stop_now_ = false;
    master_stop_seen_ = false;
    graceful_deadline_ =
        now + std::max<clock::duration>(std::chrono::milliseconds(timeout_ms), in_flight_grace);
    hard_deadline_ = graceful_deadline_ + user::on_stop_time_limit + stop_slack;
}

void node_core::on_tick(clock::time_point now) {
    if (exit_code_) return;
    if (terminating_ && !stopping_) {
        finish(0, "terminated");
        return;
    }
    note_own_pause(now);
    judge_master(now);
    if (watch_.give_up(now)) {
        // A worker that never reached a master did no job: a CI system or a
        // Kubernetes Job must see it fail.
        if (ever_welcomed_) {
            log_.info("no master for " + format_duration(opts_.watch.give_up_after) +
                      " (--master-timeout); exiting");
        } else {
            log_.error("no master for " + format_duration(opts_.watch.give_up_after) +
                       " (--master-timeout); exiting with status 5: never reached one at " +
                       opts_.master);
        }
        set_ready(false);
        exit_code_ = ever_welcomed_ ? 0 : worker_never_joined;
        return;
    }
    step_join(now);
    if (retired_ && (retired_->alive() == 0 || now >= retired_deadline_)) retired_.reset();
    step_ramp(now);
    step_stopping(now);
    step_report(now);
}

// A tick long after the previous one: this process did not run (SIGSTOP, a
// stalled host). What the master sent meanwhile may not even have reached
// the socket yet, so that time is not its silence. Longer than the master
// waits before it calls a worker missing, and the master has given our users
// to the others: stop them until it sends new targets, or the cluster runs
// too many (it resumes them if no spawn comes: the master did not miss us).
void node_core::note_own_pause(clock::time_point now) {
    const auto gap = now - std::exchange(last_tick_, now);
    if (gap < 1s) return;
    watch_.paused(gap, now);
    if (welcomed_ && gap > opts_.watch.lost_after && !held_ && !stopping_ && engine_ &&
        users() > 0) {
        hold_users("this worker was paused for " +
                   std::to_string(std::chrono::duration_cast<std::chrono::seconds>(gap).count()) +
                   " s, so the master has moved its users to other workers");
        held_for_pause_ = true;
        resume_unless_by_ = now + 2s;
    }
}

// Silent past lost_after: stop the users (no load without a master) and
// keep reporting on the same connection, so a master that was only paused
// gets every request in order. Past rejoin_after too: the master is gone.
void node_core::judge_master(clock::time_point now) {
    if (!welcomed_) return;
    if (held_ && held_for_pause_ && now >= resume_unless_by_)
        resume_users("the master sent no new targets after the pause", now);
    if (watch_.gone(now)) {
        master_lost(now);
        return;
    }
    if (watch_.lost(now) && !(held_ && !held_for_pause_) && engine_) {
        const auto silent =
            std::chrono::duration_cast<std::chrono::seconds>(watch_.silent_for(now)).count();
        hold_users("nothing from the master for " + std::to_string(silent) + " s");
    }
}

void node_core::hold_users(const std::string& why) {
    const auto users = this->users();
    log_.info(why + "; stopped " + std::to_string(users) + " users");
    // Only a test in progress comes back: after a stop the ramp keeps the
    // old targets, and an idle worker must stay idle. Held already (a
    // silence right after a pause of our own): its users are stopped, and
    // whether they come back was decided by the first hold.
    held_test_ =
        (held_ && held_test_) || ramping_ || users > 0 || (engine_ && engine_->pooled() > 0);
    held_ = true;
    held_for_pause_ = false;
    ramping_ = false;
    // The requests in flight complete and are reported: the master may only
    // be paused, and the target answered them. (stop_mode::now would cancel
    // them and turn answered requests into failures.)
    if (engine_) engine_->stop_all(user::stop_mode::after_request);
}

void node_core::resume_users(const std::string& why, clock::time_point now) {
    held_ = false;
    held_for_pause_ = false;
    if (!engine_ || stopping_ || !held_test_ || (ramp_.total_target() == 0 && arrivals_.empty()))
        return;
    log_.info(why + "; restarting " + std::to_string(ramp_.total_target()) + " users" +
              (arrivals_.empty() ? "" : " and the open classes' arrivals"));
    ramp_.retarget(ramp_.targets(), spawn_rate_, now);
    ramping_ = true;
    // The pools come back with the last shares where their ramps are now
    // (not from the ramps' beginning); the master's next spawn brings the
    // stage it is in.
    engine_->set_arrivals(shares_at(arrivals_, now - arrivals_at_));
}

// The master stayed silent past rejoin_after: it died, restarted, or the
// network is gone. What the users did went out in the reports of the silence
// (the last one now, on the same connection); then stop talking and go back
// to hello until a master welcomes this worker.
void node_core::master_lost(clock::time_point now) {
    const auto silent =
        std::chrono::duration_cast<std::chrono::seconds>(watch_.silent_for(now)).count();
    const auto users = this->users();
    log_.info("lost the master (nothing from it for " + std::to_string(silent) + " s); stopped " +
              std::to_string(users) + " users; waiting for a master");
    if (engine_) report();
    held_ = false;
    welcomed_ = false;
    hellos_ = 0;
    set_ready(false);
    if (engine_) {
        engine_->stop_all(user::stop_mode::now);
        retired_.reset();  // an earlier one still running down: wait for it now (bounded)
        retired_ = std::move(engine_);
        retired_deadline_ = now + run_down_time(engine_request_timeout_);
    }
    // A new master numbers its tests, workers and reports afresh.
    bundle_.reset();
    bundle_hash_.clear();
    run_id_ = 0;
    sequence_ = 0;
    ramping_ = false;
    stopping_ = false;
    arrivals_.clear();
    // No fresh socket yet: the last report above and the first hello go out
    // behind the reports of the silence on this one (a fresh socket would
    // drop them unsent); step_join reconnects for every later hello.
    watch_.reset_backoff(now);
}

// Not welcomed: hello now and then (backoff 1, 2, 4, 5, 5... s), each but the
// first on a fresh socket so a master that comes up gets one hello, not a queue.
void node_core::step_join(clock::time_point now) {
    if (welcomed_ || !watch_.hello_due(now)) return;
    if (hellos_ > 0) effects_.emplace_back(reconnect{});
    if (hellos_ == 0) log_.info("saying hello to the master at " + opts_.master);
    ++hellos_;
    send(opts_.hello);
    watch_.hello_sent(now);
}

void node_core::step_ramp(clock::time_point now) {
    if (!ramping_ || !engine_) return;
    for (const auto& a : ramp_.due(now, engine_->running())) {
        if (a.what == ramp::action::kind::start) engine_->start_user(a.user_class);
        else engine_->stop_user(a.user_class, user::stop_mode::graceful);
    }
    if (ramp_.complete(engine_->running())) {
        ramping_ = false;
        send(proto::spawn_complete{run_id_, users()});
        engine_->release_free_memory();
    }
}

void node_core::step_stopping(clock::time_point now) {
    if (!stopping_ || !engine_) return;
    if (!stop_escalated_ && now >= graceful_deadline_) {
        // The stop timeout ran out: cancel what is in flight, then on_stop.
        engine_->stop_all(user::stop_mode::cancel);
        stop_escalated_ = true;
    }
    if (engine_->alive() > 0 && now < hard_deadline_) return;
    stopping_ = false;
    report();  // the final delta: every request that completed is in it
    send(proto::stopped{run_id_});
}

void node_core::step_report(clock::time_point now) {
    if (!welcomed_ || now < next_report_) return;
    next_report_ += opts_.report_interval;
    // Behind by a whole interval (the first report, a stall): restart the grid.
    if (next_report_ <= now) next_report_ = now + opts_.report_interval;
    report();
}

void node_core::report() {
    std::int64_t users = 0;
    double loop_lag_ms = 0;
    if (engine_) {
        proto::stats_report r;
        r.sequence = ++sequence_;
        r.run_id = run_id_;
        r.users = users = this->users();
        r.delta = engine_->collect();
        r.exhausted_data = engine_->take_exhausted_data();
        send(std::move(r));
        loop_lag_ms = engine_->take_loop_lag_ms();
    }
    // Heartbeat even without an engine (a bundle that did not compile), or
    // the master would think this worker missing.
    const auto usage = sample_usage_();
    send(proto::heartbeat{usage.cpu_percent, usage.rss_bytes, users, loop_lag_ms});
}

std::int64_t node_core::users() const {
    return engine_ ? engine_->running_total() + engine_->pooled() : 0;
}

void node_core::set_ready(bool ready) {
    if (ready == ready_) return;
    ready_ = ready;
    effects_.emplace_back(ready_change{ready});
}

// The end: a welcomed worker stops its users, sends what they did and says
// quit (`quit_reason`); one that no master knows just ends.
void node_core::finish(int code, const std::string& quit_reason) {
    if (welcomed_) {
        if (engine_) {
            engine_->stop_all(user::stop_mode::now);
            report();
        }
        send(proto::quit{quit_reason});
    }
    set_ready(false);
    exit_code_ = code;
}

}  // namespace swarm::worker
