// The user's life and its task loop; steps and requests are in steps.cpp.
#include "worker/user/virtual_user.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>
#include <utility>

#include "worker/user/schedule.hpp"

namespace swarm::worker::user {

namespace asio = boost::asio;
using scenario::duration;

namespace {
constexpr std::chrono::steady_clock::time_point clock_zero{};
constexpr std::uint32_t yield_every_tasks = 64;
}  // namespace

virtual_user::virtual_user(std::shared_ptr<const user_program> program, const user_identity& id,
                           std::unique_ptr<http::session> session, user_sink& sink,
                           const executor_type& ex)
    : program_(std::move(program)),
      session_(std::move(session)),
      sink_(&sink),
      timer_(ex),
      env_(id.user_id, id.worker_id, user_seed(id.run_seed, id.user_id), sink.feeders) {}

asio::awaitable<void> virtual_user::run() {
    try {
        // The whole life in this one frame (no helper coroutine): an idle
        // user holds one coroutine frame less.
        if (!stop_) {  // stopped before it began: nothing started, nothing to undo
            const auto& cls = program_->user_class();
            env_.assign(cls.vars);
            // A record missing from `vars` (the data ran out): end at once.
            flow f =
                env_.take_data_ran_out() ? flow::stop_user : co_await run_steps(cls.root.on_start);
            if (f != flow::stop && f != flow::stop_user && !stop_) {
                f = pooled() ? co_await run_pooled() : co_await run_set(cls.root, false);
            }
            if (stop_ != stop_mode::now) {
                // Bounded: the requests of on_stop get at most the time left
                // (run_request), and its steps end when it is over.
                in_final_on_stop_ = true;
                on_stop_deadline_ = std::chrono::steady_clock::now() + on_stop_time_limit;
                co_await run_steps(cls.root.on_stop);
            }
        }
    } catch (const std::exception& e) {
        record_internal(e.what());
    } catch (...) {
        record_internal("unknown exception");
    }
    // An iteration an exception cut short, or one given but never begun
    // (stopped first), still ends once: the quota claimed it, and the
    // master counts ended iterations.
    if (in_iteration_) count_iteration_end();
    if (pooled() && sink_->pool->take(*this)) count_iteration_end();
    try {
        close_ws();
        session_->close();
    } catch (...) {
        // Closing is best effort; the session is destroyed with the user anyway.
    }
    done_ = true;
}

void virtual_user::request_stop(stop_mode mode) {
    if (stop_ && *stop_ >= mode) return;
    stop_ = mode;
    timer_.cancel();
    // The send in progress ends now with errc::cancelled (recorded once, as
    // "cancelled: test stopped"); the session stays usable for on_stop. A
    // request of the final on_stop is only cancelled by `now`: a cancel
    // arriving then (the stop timeout ran out) leaves it its own bound.
    const bool cancel_send = mode == stop_mode::now || !in_final_on_stop_;
    if (mode >= stop_mode::cancel && in_flight_ && cancel_send) {
        session_->close();
        cancel_ws();
    }
}

bool virtual_user::stop_now() const {
    // The final on_stop ends when its time is up, whoever stopped the user
    // (a ramp-down, a stop_user step or the end of the test).
    if (in_final_on_stop_)
        return stop_ == stop_mode::now || std::chrono::steady_clock::now() >= on_stop_deadline_;
    return stop_ && *stop_ != stop_mode::graceful;
}

const scenario::task& virtual_user::pick(const scenario::task_set& set, std::size_t& position) {
    if (set.sequential) return set.tasks[position++ % set.tasks.size()];
    return set.tasks[pick_weighted(set.cumulative_weights, env_.random()())];
}

asio::awaitable<virtual_user::flow> virtual_user::run_set(const scenario::task_set& set,
                                                          bool nested) {
    flow f = nested ? co_await run_steps(set.on_start) : flow::next;
    if (f == flow::stop || f == flow::stop_user) co_return f;
    std::int64_t completed = 0;
    std::size_t position = 0;  // sequential sets start from their first task on every entry
    const bool timed = wait_uses_task_time(set.wait);  // else no clock reads per task
    std::uint32_t busy_tasks = 0;                      // tasks run with zero wait
    while (f != flow::interrupt && !set.tasks.empty()) {
        if (stop_) co_return flow::stop;
        // A root task is one iteration. None left in the quota: park until
        // the engine wakes us (the master raised the quota: a lost worker's
        // unfinished part) or a stop; still a running user, so the ramp
        // does not start another in its place. One timer wait, no polling.
        if (!nested && sink_->counts && !sink_->counts->claim()) {
            parked_ = true;
            timer_.expires_at(std::chrono::steady_clock::time_point::max());
        } else {
            const auto started = timed ? std::chrono::steady_clock::now() : clock_zero;
            const std::uint16_t sent_before = requests_sent_;
            if (!nested) in_iteration_ = true;  // a nested set runs inside the root's iteration
            f = co_await run_task(pick(set, position));
            if (!nested) count_iteration_end();
            if (f == flow::stop || f == flow::stop_user) co_return f;
            if (f == flow::interrupt && nested) break;
            f = flow::next;  // a root set cannot be interrupted (the loader forbids it)
            if (set.iterations && ++completed >= *set.iterations) break;
            const auto took = timed ? std::chrono::duration_cast<duration>(
                                          std::chrono::steady_clock::now() - started)
                                    : duration{0};
            if (timed && sink_->counts && overran(set.wait, took))
                ++sink_->counts->of(program_->class_index()).pacing_overruns;
            const duration wait = wait_after(set.wait, took, env_.random()());
            if (stop_) continue;
            if (wait <= duration{0}) {
                // Zero think time: still let the other users of this thread
                // (and a stop request) in between tasks. A task that sent a
                // request has normally given way while it waited for the
                // answer (not if its URL was invalid: hence the yield every
                // so many tasks).
                if (requests_sent_ == sent_before || ++busy_tasks % yield_every_tasks == 0)
                    co_await asio::post(timer_.get_executor(), asio::use_awaitable);
                continue;
            }
            close_idle_before(wait);
            timer_.expires_after(wait);
        }
        // The wait (or the parking) is done here rather than through pause()
        // to save a coroutine frame per task (and per idle user, which waits
        // here), and at this one place: each co_await site adds to the frame.
        co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));  // cancelled: go on
        parked_ = false;  // claim again, or see the stop
    }
    if (!nested) co_return flow::next;
    f = co_await run_steps(set.on_stop);
    co_return f == flow::stop || f == flow::stop_user ? f : flow::next;
}

void virtual_user::count_iteration_end() {
    in_iteration_ = false;
    if (sink_->counts) ++sink_->counts->of(program_->class_index()).iterations;
}

asio::awaitable<virtual_user::flow> virtual_user::run_pooled() {
    user_pool& pool = *sink_->pool;
    bool listed = false;  // on the pool's free list since the last iteration
    for (;;) {
        if (stop_) co_return flow::stop;  // an iteration given meanwhile: run() ends it
        const auto job = pool.take(*this);
        if (!job) {
            if (!listed) {
                // The pool may stop this user right here (it shrank): look again.
                pool.on_free(*this);
                listed = true;
                continue;
            }
            // Idle like a closed user in its wait: one timer, no extra frame.
            timer_.expires_at(std::chrono::steady_clock::time_point::max());
            co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        listed = false;
        in_iteration_ = true;
        const flow f = co_await run_task(*job->task);
        const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now() - job->scheduled);
        // Not a request: the master keeps ITER rows out of the totals.
        sink_->delta->requests.record(
            "ITER", job->task->name,
            static_cast<std::uint64_t>(std::max<std::int64_t>(took.count(), 0)), 0, false);
        count_iteration_end();
        if (f == flow::stop || f == flow::stop_user) co_return f;
    }
}

asio::awaitable<virtual_user::flow> virtual_user::run_task(const scenario::task& t) {
    env_.assign(t.let);
    if (env_.take_data_ran_out()) co_return flow::stop_user;  // `let` found the data exhausted
    if (t.nested) co_return co_await run_set(*t.nested, true);
    // A task of one request (the usual kind) skips run_steps' frame;
    // run_request makes the same stop check run_steps would.
    const auto* only =
        t.steps.size() == 1 ? std::get_if<scenario::request_step>(&t.steps[0].action) : nullptr;
    const flow f = only ? co_await run_request(*only) : co_await run_steps(t.steps);
    if (f != flow::stop) env_.count_iteration();
    co_return f == flow::end_task ? flow::next : f;
}

asio::awaitable<void> virtual_user::pause(duration d) {
    if (stop_) co_return;
    if (d <= duration{0}) {
        // Zero think time: still let the other users of this thread (and a
        // stop request) in between two tasks.
        co_await asio::post(timer_.get_executor(), asio::use_awaitable);
        co_return;
    }
    close_idle_before(d);
    timer_.expires_after(d);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));  // cancelled: just go on
}

void virtual_user::close_idle_before(duration wait) {
    const auto& after = program_->user_class().close_idle_after;
    if (after && wait >= *after) session_->close_idle();
}

void virtual_user::record_internal(std::string_view what) {
    std::string message = "internal: ";
    message += what;
    record_user_error(message);
}

void virtual_user::record_user_error(std::string_view message) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    sink_->delta->errors.record("", program_->user_class().name, message,
                                std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

}  // namespace swarm::worker::user
