#include "master/controller_core.hpp"

#include <algorithm>

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
    coordinator_.max_workers = opts_.max_workers;
    coordinator_.set_run_options(opts_.run_options);
}

void controller_core::event(const std::string& text) {
    if (on_event) on_event(text);
}

void controller_core::start(const test_request& request, control_clock::time_point now,
                            std::int64_t wall_ms) {
    const bool edit = state_ == run_state::spawning || state_ == run_state::running;
    test_ = request;
    if (!edit) {
        ++tests_started_;
        started_at_ = now;
        folding_reported_ = false;
        hot_since_.clear();
        hot_warned_.clear();
    }
    state_ = run_state::spawning;
    coordinator_.start(request.spec, now, wall_ms);
}

void controller_core::stop(control_clock::time_point now) {
    if (state_ != run_state::spawning && state_ != run_state::running) return;
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
    state_ = run_state::stopped;
    event("test stopped");
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
    coordinator_.tick(now, wall_ms);
    if (state_ == run_state::spawning || state_ == run_state::running) watch_worker_cpu(now);
    report_folding();
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
                stop(now);
            }
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
    meta.spawn_rate = test_.spec.spawn_rate;
    meta.host = test_.spec.host_override;
    meta.workers = coordinator_.participants();
    meta.exit_status = exit_code;
    meta.workers_lost = coordinator_.workers_lost();
    meta.lost_reports = coordinator_.lost_reports();
    return meta;
}

std::optional<std::int64_t> controller_core::planned_users(control_clock::time_point) const {
    return std::nullopt;  // the profile driver (issue 13) fills this in
}

}  // namespace swarm::master
