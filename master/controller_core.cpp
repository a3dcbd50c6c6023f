#include "master/controller_core.hpp"

#include <algorithm>
#include <sstream>

#include "common/scenario/stages_text.hpp"

namespace swarm::master {
namespace {

using namespace std::chrono_literals;

// A worker this busy for this long measures its own queueing, not the target.
constexpr double hot_cpu_per_core = 90;
constexpr auto hot_for = 5s;
// The stop give-up: a worker is graceful for the stop timeout T (T = 0: a
// request in flight gets 0.5 s), then cancels what is in flight and runs
// each user's on_stop (at most user::on_stop_time_limit, 10 s), and stops
// waiting for its users at max(T, 0.5 s) + 10 s + 2 s (worker/node_core.hpp).
// Its last delta and `stopped` then need a moment on the wire: the master
// gives up at T + 10 s + 4 s.
constexpr auto on_stop_bound = 10s;  // = worker::user::on_stop_time_limit
constexpr auto stop_slack = 4s;
// After a second stop (stop_now: everything cancelled, on_stop too) workers
// answer within 2 s; the master waits this long for their last deltas.
constexpr auto stop_now_give_up = 3s;

}  // namespace

const char* to_string(run_state s) {
    switch (s) {
        case run_state::ready:
            return "ready";
        case run_state::spawning:
            return "spawning";
        case run_state::running:
            return "running";
        case run_state::stopping:
            return "stopping";
        case run_state::stopped:
            return "stopped";
    }
    return "?";
}

controller_core::controller_core(scenario::bundle bundle,
                                 std::shared_ptr<const scenario::plan> plan,
                                 coordinator::sender send, core_options opts,
                                 control_clock::time_point now, std::int64_t wall_ms)
    : opts_(std::move(opts)),
      send_(send),
      bundle_(std::move(bundle)),
      plan_(std::move(plan)),
      coordinator_(bundle_, plan_, std::move(send), now, wall_ms, opts_.log) {
    coordinator_.missing_after = opts_.missing_after;
    coordinator_.on_second_closed = opts_.on_second_closed;
    coordinator_.max_workers = opts_.max_workers;
    coordinator_.set_run_options(opts_.run_options);
    for (const auto& t : opts_.thresholds) gates_.push_back(gates::prepare(t, *plan_));
}

void controller_core::event(const std::string& text) {
    if (on_event) on_event(text);
}

void controller_core::start(const test_request& request, control_clock::time_point now,
                            std::int64_t wall_ms) {
    const bool edit = state_ == run_state::spawning || state_ == run_state::running;
    if (edit) {
        // An edit sets users and rate by hand: a profile stops driving them.
        // The test keeps its stages (for display), its iteration target and
        // its arrival profiles.
        if (!test_.stages.empty() && !manual_) {
            manual_ = true;
            event("Edit: the profile stopped; users are under manual control");
        }
        auto stages = std::move(test_.stages);
        const auto iterations = test_.iterations;
        test_ = request;
        test_.stages = std::move(stages);
        test_.iterations = iterations;
        state_ = run_state::spawning;
        coordinator_.start(test_.spec, now, wall_ms);
        next_boundary_ = next_boundary(since_start(now));
        return;
    }
    keep_earlier_run();
    test_ = request;
    ++tests_started_;
    started_at_ = now;
    stop_reason_ = stop_reason::none;
    verdicts_.clear();  // pending until judged (master/gates/)
    for (const auto& t : opts_.thresholds) {
        gates::threshold_verdict v;
        v.expression = t.expression;
        v.abort_on_fail = t.abort_on_fail;
        v.delay = std::chrono::duration_cast<std::chrono::milliseconds>(t.delay);
        verdicts_.push_back(std::move(v));
    }
    next_judgement_ = now + 1s;
    folding_reported_ = false;
    hot_since_.clear();
    hot_warned_.clear();
    drop_warned_.clear();
    no_workers_since_.reset();
    manual_ = false;
    announced_stage_.reset();
    closed_ = profile::closed_schedule(test_.stages);
    if (!closed_.empty()) {
        const auto first = closed_.at(profile::ms{0});
        test_.spec.users = first.users;
        test_.spec.spawn_rate = first.rate;
        announce_stage(first);
    }
    coordinator_.set_iteration_target(test_.iterations);
    state_ = run_state::spawning;
    coordinator_.start(test_.spec, now, wall_ms);
    next_boundary_ = next_boundary(profile::ms{0});
    for (auto& n : coordinator_.take_notices()) event(n);
}

void controller_core::keep_earlier_run() {
    const auto& history = stats().history();
    if (tests_started_ == 0 || history.empty()) return;
    earlier_run run{tests_started_, {}};
    const std::size_t skip =
        history.size() > max_earlier_points ? history.size() - max_earlier_points : 0;
    run.points.reserve(history.size() - skip);
    for (std::size_t i = skip; i < history.size(); ++i) {
        history_point p = history[i];
        p.entries = {};  // the charts draw the totals only
        run.points.push_back(std::move(p));
    }
    earlier_runs_.push_back(std::move(run));
    while (earlier_runs_.size() > max_earlier_runs) earlier_runs_.pop_front();
}

void controller_core::apply_profile(control_clock::time_point now, std::int64_t wall_ms) {
    const auto t = since_start(now);
    if (const auto end = profile_end(); end && t >= *end) {
        next_boundary_.reset();  // the test ends on this tick: no last spawn
        return;
    }
    if (!closed_.empty() && !manual_) {
        const auto p = closed_.at(t);
        test_.spec.users = p.users;
        test_.spec.spawn_rate = p.rate;
        if (p.index < closed_.size()) announce_stage(p);
    }
    coordinator_.start(test_.spec, now, wall_ms);  // running: a new spawn to every worker
    next_boundary_ = next_boundary(t);
}

void controller_core::announce_stage(const profile::stage_point& p) {
    // An open class's boundary also applies the profile: same stage, no new line.
    if (announced_stage_ == p.index) return;
    announced_stage_ = p.index;
    std::ostringstream rate;
    rate << p.rate;
    event("Stage " + std::to_string(p.index + 1) + " of " + std::to_string(closed_.size()) + ": " +
          std::to_string(p.users) + " users at " + rate.str() + " users/s");
}

std::optional<profile::ms> controller_core::next_boundary(profile::ms t) const {
    std::optional<profile::ms> next;
    const auto earliest = [&](std::optional<profile::ms> b) {
        if (b && (!next || *b < *next)) next = b;
    };
    if (!manual_) earliest(closed_.at(t).next);
    for (const auto& c : coordinator_.open_classes()) earliest(c.schedule.next(t));
    return next;
}

std::optional<profile::ms> controller_core::profile_end() const {
    // Once manual, the user decides when the test ends (or -t, or a stop).
    if (manual_) return std::nullopt;
    std::vector<profile::arrival_schedule> arrivals;
    for (const auto& c : coordinator_.open_classes()) arrivals.push_back(c.schedule);
    return profile::profile_end(closed_, arrivals);
}

void controller_core::check_ends(control_clock::time_point now) {
    if (state_ != run_state::spawning && state_ != run_state::running) return;
    if (test_.iterations && coordinator_.iterations_done() >= *test_.iterations) {
        event("All " + std::to_string(*test_.iterations) + " iterations done: stopping");
        stop(now, stop_reason::iterations);
    } else if (const auto end = profile_end(); end && since_start(now) >= *end) {
        event("Load profile finished: stopping");
        stop(now, stop_reason::profile_end);
    } else if (const auto data = coordinator_.data_used_up()) {
        event("Data set '" + *data + "' used up (on_end: stop_test): stopping");
        stop(now, stop_reason::data_exhausted);
    }
}

void controller_core::judge_thresholds(control_clock::time_point now, bool final) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - started_at_);
    for (std::size_t i = 0; i < gates_.size() && i < verdicts_.size(); ++i) {
        auto v = gates::judge(gates_[i], stats(), elapsed, final);
        const bool live = state_ == run_state::spawning || state_ == run_state::running;
        if (!final && live && v.abort_on_fail && v.status == gates::verdict_status::failing) {
            event("Threshold failed, aborting: " + v.expression + " (" +
                  (v.value_text.empty() ? v.detail : v.value_text) + ")");
            v.aborted = true;
            stop(now, stop_reason::threshold_abort);
        }
        if (verdicts_[i].aborted) {
            // It stopped the test: it stays failed, whatever the rest of the run did.
            v.aborted = true;
            v.status = gates::verdict_status::failing;
            if (v.detail.empty()) v.detail = "aborted the test";
        }
        verdicts_[i] = std::move(v);
    }
}

void controller_core::check_workers_lost(control_clock::time_point now) {
    if (state_ != run_state::spawning && state_ != run_state::running) return;
    if (coordinator_.ready_workers() > 0) {
        no_workers_since_.reset();
        return;
    }
    if (!no_workers_since_) no_workers_since_ = now;
    if (now - *no_workers_since_ >= opts_.missing_after) {
        event("All workers lost: stopping");
        stop(now, stop_reason::workers_lost);
    }
}

// An open class that drops arrivals measures less load than it was asked
// for: say so once per class per test, with the pool's size.
void controller_core::report_dropped() {
    for (const auto& c : coordinator_.open_classes()) {
        const auto* counts = stats().classes().find(c.name);
        if (counts == nullptr || counts->dropped_iterations == 0 ||
            !drop_warned_.insert(c.name).second)
            continue;
        event("warning: " + c.name + ": " + std::to_string(counts->dropped_iterations) +
              " arrivals dropped \u2014 all " + std::to_string(c.max_users) +
              " users of its pool were busy; raise max_users");
    }
}

void controller_core::stop(control_clock::time_point now, master::stop_reason why) {
    if (state_ != run_state::spawning && state_ != run_state::running) return;
    stop_reason_ = why;
    coordinator_.stop(now);
    state_ = run_state::stopping;
    stop_now_ = false;
    stop_give_up_ =
        now + std::chrono::milliseconds(test_.spec.stop_timeout_ms) + on_stop_bound + stop_slack;
}

void controller_core::stop_now(control_clock::time_point now) {
    stop(now);
    if (state_ != run_state::stopping || stop_now_) return;
    stop_now_ = true;
    // A second stop to a stopping worker means "cancel everything now"
    // (proto/PROTOCOL.md); one that already stopped has nothing to cancel.
    for (const auto& [id, w] : coordinator_.workers()) {
        if (w.state == worker_state::stopping) send_(id, proto::stop{0});
    }
    stop_give_up_ = std::min(stop_give_up_, now + stop_now_give_up);
}

void controller_core::finish(control_clock::time_point now, std::int64_t wall_ms) {
    if (!coordinator_.all_stopped())
        event("some workers did not confirm the stop in time; their last requests are not counted");
    coordinator_.end_stats(now, wall_ms);
    judge_thresholds(now, true);
    state_ = run_state::stopped;
    event("test stopped");
    if (on_test_end) on_test_end();
}

// A worker that runs out of CPU measures its own queueing, not the target:
// say so once per test when it stays ≥ 90 % of its cores for 5 s.
void controller_core::watch_worker_cpu(control_clock::time_point now) {
    for (const auto& [id, w] : coordinator_.workers()) {
        const double per_core = w.cpu_percent / std::max<std::uint32_t>(1, w.threads);
        if (per_core < hot_cpu_per_core || w.state == worker_state::missing) {
            hot_since_.erase(id);
            continue;
        }
        const auto since = hot_since_.try_emplace(id, now).first->second;
        if (now - since >= hot_for && hot_warned_.insert(id).second) {
            event(
                "warning: worker " + w.name + " has used " +
                std::to_string(static_cast<int>(per_core)) +
                " % of its CPU for 5 s: its response times are suspect (add workers or --threads)");
        }
    }
}

void controller_core::report_folding() {
    if (folding_reported_ || stats().requests().folded_requests() == 0) return;
    folding_reported_ = true;
    event("more than " + std::to_string(stats().requests().max_names()) +
          " distinct request names: the rest are counted under \"(other)\" (give templated URLs a "
          "`name:`)");
}

void controller_core::tick(control_clock::time_point now, std::int64_t wall_ms) {
    const bool live = state_ == run_state::spawning || state_ == run_state::running;
    if (live && next_boundary_ && since_start(now) >= *next_boundary_) apply_profile(now, wall_ms);
    coordinator_.set_planned_users(planned_users(now));
    coordinator_.tick(now, wall_ms);
    if (live) watch_worker_cpu(now);
    for (auto& n : coordinator_.take_notices()) event(n);
    report_folding();
    report_dropped();
    switch (state_) {
        case run_state::spawning:
            if (coordinator_.spawning_complete() && coordinator_.users() >= test_.spec.users) {
                state_ = run_state::running;
                event("All users spawned: " + std::to_string(coordinator_.users()) + " users");
                if (opts_.reset_stats_after_spawn) coordinator_.reset_stats(now);
            }
            [[fallthrough]];
        case run_state::running:
            if (test_.run_time && now - started_at_ >= *test_.run_time) {
                event("Run time limit reached: stopping");
                stop(now, stop_reason::run_time);
            }
            check_ends(now);
            if ((state_ == run_state::spawning || state_ == run_state::running) &&
                now >= next_judgement_) {
                judge_thresholds(now, false);
                // On the start's second grid, whatever the ticks' jitter.
                while (next_judgement_ <= now) next_judgement_ += 1s;
            }
            check_workers_lost(now);
            break;
        case run_state::stopping:
            if (coordinator_.all_stopped() || now >= stop_give_up_) finish(now, wall_ms);
            break;
        case run_state::ready:
        case run_state::stopped:
            break;
    }
}

report::run_metadata controller_core::run_metadata(int exit_code) const {
    report::run_metadata meta;
    meta.scenario_name = bundle_.name;
    meta.scenario_hash = bundle_.hash();
    meta.users = test_.spec.users;
    // A profile test: its peak (the last stage often goes down to 0).
    for (const auto& st : test_.stages) meta.users = std::max(meta.users, st.users);
    meta.spawn_rate = test_.spec.spawn_rate;
    meta.host = test_.spec.host_override;
    meta.workers = coordinator_.participants();
    meta.exit_status = exit_code;
    meta.workers_lost = coordinator_.workers_lost();
    meta.lost_reports = coordinator_.lost_reports();
    meta.thresholds = verdicts_;
    meta.stop_reason = to_string(stop_reason_);
    if (test_.run_time) meta.planned_run_time_ms = test_.run_time->count();
    if (!test_.stages.empty()) meta.profile = scenario::format_stages(test_.stages);
    meta.iterations = test_.iterations;
    return meta;
}

run_outcome controller_core::outcome() const {
    run_outcome o;
    o.reason = stop_reason_;
    o.has_thresholds = !verdicts_.empty();
    o.thresholds_failed = thresholds_failed();
    o.requests_failed = stats().total().failures() > 0;
    o.exit_code_on_error = opts_.exit_code_on_error;
    return o;
}

bool controller_core::thresholds_failed() const {
    return std::any_of(verdicts_.begin(), verdicts_.end(), [](const gates::threshold_verdict& v) {
        return v.aborted || (v.final && v.status == gates::verdict_status::failing);
    });
}

std::optional<std::int64_t> controller_core::planned_users(control_clock::time_point now) const {
    if (closed_.empty() || manual_ ||
        (state_ != run_state::spawning && state_ != run_state::running))
        return std::nullopt;
    return closed_.at(since_start(now)).planned;
}

}  // namespace swarm::master
