// The user's life and its task loop; steps and requests are in steps.cpp.
#include "worker/user/virtual_user.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>

#include "worker/user/schedule.hpp"

namespace swarm::worker::user {

namespace asio = boost::asio;
using scenario::duration;

virtual_user::virtual_user(std::shared_ptr<const user_program> program, const user_identity& id,
                           std::unique_ptr<http::session> session, stats::delta& stats,
                           executor_type ex)
    : program_(std::move(program)),
      session_(std::move(session)),
      stats_(stats),
      timer_(ex),
      env_(id.user_id, id.worker_id, user_seed(id.run_seed, id.user_id)) {}

asio::awaitable<void> virtual_user::run() {
    try {
        co_await live();
    } catch (const std::exception& e) {
        record_internal(e.what());
    } catch (...) {
        record_internal("unknown exception");
    }
    try {
        session_->close();
    } catch (...) {
        // Closing is best effort; the session is destroyed with the user anyway.
    }
    done_ = true;
}

void virtual_user::request_stop(stop_mode mode) {
    if (stop_ == stop_mode::now) return;
    stop_ = mode;
    timer_.cancel();
}

asio::awaitable<void> virtual_user::live() {
    if (stop_) co_return;  // stopped before it began: nothing started, nothing to undo
    const auto& cls = program_->user_class();
    env_.assign(cls.vars);
    flow f = co_await run_steps(cls.root.on_start);
    if (f != flow::stop && f != flow::stop_user && !stop_) f = co_await run_set(cls.root, false);
    if (stop_now()) co_return;
    co_await run_steps(cls.root.on_stop);
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
    while (f != flow::interrupt && !set.tasks.empty()) {
        if (stop_) co_return flow::stop;
        const auto started = std::chrono::steady_clock::now();
        f = co_await run_task(pick(set, position));
        if (f == flow::stop || f == flow::stop_user) co_return f;
        if (f == flow::interrupt && nested) break;
        f = flow::next;  // a root set cannot be interrupted (the loader forbids it)
        if (set.iterations && ++completed >= *set.iterations) break;
        const auto took =
            std::chrono::duration_cast<duration>(std::chrono::steady_clock::now() - started);
        co_await pause(wait_after(set.wait, took, env_.random()()));
    }
    if (!nested) co_return flow::next;
    f = co_await run_steps(set.on_stop);
    co_return f == flow::stop || f == flow::stop_user ? f : flow::next;
}

asio::awaitable<virtual_user::flow> virtual_user::run_task(const scenario::task& t) {
    env_.assign(t.let);
    if (t.nested) co_return co_await run_set(*t.nested, true);
    const flow f = co_await run_steps(t.steps);
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
    timer_.expires_after(d);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));  // cancelled: just go on
}

void virtual_user::record_internal(std::string_view what) {
    std::string message = "internal: ";
    message += what;
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    stats_.errors.record("", program_->user_class().name, message,
                         std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

}  // namespace swarm::worker::user
