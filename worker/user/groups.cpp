// `group:` steps: the group's steps, then one GROUP row with its duration.
#include <algorithm>
#include <chrono>

#include "common/stats/table.hpp"
#include "worker/user/virtual_user.hpp"

namespace swarm::worker::user {

namespace asio = boost::asio;

asio::awaitable<virtual_user::flow> virtual_user::run_group(const scenario::group_step& g) {
    const auto started = std::chrono::steady_clock::now();
    const auto failed_before = requests_failed_;
    const flow f = co_await run_steps(g.steps);
    // Cut short by the test's stop: not an execution worth timing. Left
    // early otherwise (interrupt, a failed extraction, stop_user): timed
    // until it left, as Gatling and k6 do.
    if (f == flow::stop) co_return f;
    const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    const auto took_us = static_cast<std::uint64_t>(std::max<std::int64_t>(took.count(), 0));
    // Failed when a request inside failed; its error is on the request's
    // row already, so none is added for the group.
    sink_->delta->requests.record(stats::table::group_method, g.name, took_us, 0,
                                  requests_failed_ != failed_before);
    co_return f;
}

}  // namespace swarm::worker::user
