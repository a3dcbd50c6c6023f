#include "master/controller.hpp"

#include <malloc.h>

#include <algorithm>

#include "proto/transport.hpp"

namespace swarm::master {
namespace {

using namespace std::chrono_literals;

// A master taking in many workers frees and allocates tens of MB a second
// (messages, decoded rows). glibc's defaults give the top of the heap back
// to the kernel whenever 128 KiB are free there, and the master then faults
// the same pages in again: ~10 % of its CPU at 500 workers (bench/README.md).
// Keep up to 64 MiB of free heap instead, and serve blocks below 1 MiB (every
// message) from the heap. Only for a master serving tcp workers: `swarm run`
// (inproc) keeps glibc's defaults, which its idle-memory figures assume.
void tune_heap_for_fan_in(const std::string& bind) {
    if (!bind.starts_with("tcp://")) return;
    ::mallopt(M_MMAP_THRESHOLD, 1 << 20);
    ::mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

}  // namespace

std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

const char* to_string(run_state s) {
    switch (s) {
        case run_state::ready: return "ready";
        case run_state::spawning: return "spawning";
        case run_state::running: return "running";
        case run_state::stopping: return "stopping";
        case run_state::stopped: return "stopped";
    }
    return "?";
}

controller::controller(zmq::context_t& zmq, scenario::bundle bundle, std::shared_ptr<const scenario::plan> plan,
                       controller_options opts)
    : opts_(std::move(opts)),
      bundle_(std::move(bundle)),
      plan_(std::move(plan)),
      endpoint_(std::make_unique<proto::master_endpoint>(zmq, opts_.bind, opts_.auth)),
      coordinator_(bundle_, plan_, [this](const std::string& w, const proto::message& m) { endpoint_->send(w, m); },
                   control_clock::now(), wall_ms()) {
    tune_heap_for_fan_in(opts_.bind);
    coordinator_.missing_after = opts_.missing_after;
    coordinator_.set_run_options(opts_.run_options);
}

controller::~controller() = default;

std::string controller::bound_endpoint() const { return endpoint_->bound_endpoint(); }

void controller::post(std::function<void()> fn) {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(fn));
}

void controller::event(const std::string& text) {
    if (on_event) on_event(text);
}

void controller::pump(std::chrono::milliseconds slice) {
    const auto until = control_clock::now() + slice;
    do {
        // Drain what is queued before judging health: a master that fell
        // behind must not call a worker missing whose heartbeat is waiting
        // in the queue. Bounded, so commands and ticks still run.
        auto wait = 10ms;
        const auto drain_until = control_clock::now() + 50ms;
        for (int n = 0; n < 4096; ++n) {
            const auto asked = control_clock::now();
            auto in = endpoint_->receive(wait);
            if (!in) {
                // Nothing queued: whatever a worker sent before `asked` has
                // been handled, so its silence up to then is real.
                coordinator_.caught_up(asked);
                break;
            }
            coordinator_.on_message(in->worker, in->body, control_clock::now());
            wait = 0ms;
            if (control_clock::now() >= drain_until) break;
        }
        std::deque<std::function<void()>> posted;
        {
            std::lock_guard lock(posted_mutex_);
            posted.swap(posted_);
        }
        for (auto& fn : posted) fn();
        const auto now = control_clock::now();
        coordinator_.tick(now, wall_ms());
        advance(now);
    } while (control_clock::now() < until);
}

void controller::start(const test_request& request) {
    const auto now = control_clock::now();
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
    coordinator_.start(request.spec, now, wall_ms());
}

void controller::stop() {
    if (state_ != run_state::spawning && state_ != run_state::running) return;
    const auto now = control_clock::now();
    coordinator_.stop(now);
    state_ = run_state::stopping;
    stop_give_up_ = now + std::chrono::milliseconds(test_.spec.stop_timeout_ms) + opts_.request_timeout + 5s;
}

void controller::reset_stats() { coordinator_.reset_stats(control_clock::now()); }

void controller::finish(control_clock::time_point now) {
    if (!coordinator_.all_stopped()) event("some workers did not confirm the stop in time; their last requests are not counted");
    coordinator_.end_stats(now, wall_ms());
    state_ = run_state::stopped;
    event("test stopped");
}

// A worker that runs out of CPU measures its own queueing, not the target:
// say so once per test when it stays ≥ 90 % of its cores for 5 s.
void controller::watch_worker_cpu(control_clock::time_point now) {
    for (const auto& [id, w] : coordinator_.workers()) {
        const double per_core = w.cpu_percent / std::max<std::uint32_t>(1, w.threads);
        if (per_core < 90 || w.state == worker_state::missing) {
            hot_since_.erase(id);
            continue;
        }
        const auto since = hot_since_.try_emplace(id, now).first->second;
        if (now - since >= 5s && hot_warned_.insert(id).second) {
            event("warning: worker " + w.name + " has used " + std::to_string(static_cast<int>(per_core)) +
                  " % of its CPU for 5 s: its response times are suspect (add workers or --threads)");
        }
    }
}

void controller::advance(control_clock::time_point now) {
    if (state_ == run_state::spawning || state_ == run_state::running) watch_worker_cpu(now);
    if (!folding_reported_ && stats().requests().folded_requests() > 0) {
        folding_reported_ = true;
        event("more than " + std::to_string(stats().requests().max_names()) +
              " distinct request names: the rest are counted under \"(other)\" (give templated URLs a `name:`)");
    }
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
                stop();
            }
            break;
        case run_state::stopping:
            if (coordinator_.all_stopped() || now >= stop_give_up_) finish(now);
            break;
        case run_state::ready:
        case run_state::stopped:
            break;
    }
}

}  // namespace swarm::master
