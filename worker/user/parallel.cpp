// `parallel:` blocks: one user's requests in flight at once (a page's
// assets), each send in a coroutine of its own on the user's thread.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <optional>
#include <vector>

#include "worker/user/virtual_user.hpp"

namespace swarm::worker::user {

namespace asio = boost::asio;

namespace {

using join_timer = virtual_user::timer_type;

// One request of a block: what it sends and how its send ended.
struct parallel_send {
    const scenario::request_step* step = nullptr;
    const prepared_step* prep = nullptr;
    http::request built;                 // when the step's request is not static
    const http::request* req = nullptr;  // &built, or the prepared request
    std::optional<http::send_result> sent;
    std::exception_ptr thrown;  // send() threw (a broken session): rethrown after the block
};

// Sends one request; the last to end wakes the block.
asio::awaitable<void> send_one(http::session& session, parallel_send& s, std::size_t& left,
                               join_timer& joined) {
    try {
        s.sent = co_await session.send(*s.req);
    } catch (...) {
        s.thrown = std::current_exception();
    }
    if (--left == 0) joined.cancel();
}

}  // namespace

// Every request is built first, in list order (templates, next()), then all
// are sent; the block ends when the last send has ended. Each send has its
// own deadline and latency (a request that waits for one of the origin's
// connections counts that wait, as a browser's does). The outcomes are
// judged in list order once all have ended: each request's checks, then its
// extractions, so a later request's value of a variable wins, and
// last.status / last.body are the last request's.
asio::awaitable<virtual_user::flow> virtual_user::run_parallel(const scenario::parallel_step& p) {
    if (stop_now()) co_return flow::stop;
    const auto started = std::chrono::steady_clock::now();
    std::vector<parallel_send> sends(p.requests.size());  // never resized: `req` may point in
    for (std::size_t i = 0; i < sends.size(); ++i) {
        parallel_send& s = sends[i];
        s.step = &std::get<scenario::request_step>(p.requests[i].action);
        s.prep = &program_->prepared(*s.step);
        s.req = request_for(*s.step, *s.prep, s.built);
        // A data set ran out: none of the block is sent (each record once).
        if (!s.req) co_return flow::stop_user;
    }
    std::size_t left = sends.size();
    join_timer joined(timer_.get_executor(), std::chrono::steady_clock::time_point::max());
    requests_sent_ += static_cast<std::uint32_t>(sends.size());
    in_flight_ = true;  // a stop that cancels closes the session: every send ends, counted once
    std::exception_ptr thrown;
    std::size_t spawned = 0;
    try {
        for (; spawned < sends.size(); ++spawned) {
            asio::co_spawn(timer_.get_executor(), send_one(*session_, sends[spawned], left, joined),
                           asio::detached);
        }
    } catch (...) {
        // No memory for a coroutine: the ones started use this frame, so
        // end them and wait for them before throwing.
        thrown = std::current_exception();
        left -= sends.size() - spawned;
        session_->close();
    }
    // The sends' coroutines count `left` down while this one waits.
    for (;;) {
        if (left == 0) break;
        co_await joined.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    in_flight_ = false;
    if (sink_->observer) {
        sink_->observer->on_parallel(sends.size(),
                                     std::chrono::duration_cast<std::chrono::microseconds>(
                                         std::chrono::steady_clock::now() - started));
    }
    flow out = flow::next;
    for (auto& s : sends) {
        if (s.thrown) {
            if (!thrown) thrown = s.thrown;
            continue;
        }
        if (!s.sent) continue;  // never started (see above)
        if (judge(*s.step, *s.prep, *s.req, *s.sent) == flow::end_task) out = flow::end_task;
    }
    if (thrown) std::rethrow_exception(thrown);  // the others are recorded; run() records this
    co_return out;
}

}  // namespace swarm::worker::user
