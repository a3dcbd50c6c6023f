#pragma once
// The engine's private parts shared by its source files (engine.cpp, the
// users and TLS; open_pools.cpp, the open classes): one io thread with its
// io_context, users, delta and counters, and an open class's pool on it.
//
// Threading: members other than `ctx`, `started` and `lag_us_max` are
// touched only on the thread itself (through posted work).

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/stats/delta.hpp"
#include "worker/runtime/arrival_schedule.hpp"
#include "worker/runtime/tls_profiles.hpp"
#include "worker/user/iteration_counts.hpp"
#include "worker/user/virtual_user.hpp"

namespace swarm::worker::http {
struct client_options;
class handshake_gate;
}  // namespace swarm::worker::http

namespace swarm::worker {

// One open class on one io thread: its arrival schedule and timer, and its
// users (free ones listed; busy ones run an iteration). Arrivals with no
// free user and the pool at its bound are dropped, never queued.
struct open_pool final : user::user_pool {
    open_pool(boost::asio::io_context& ctx, std::size_t class_index,
              std::shared_ptr<const user::user_program> program, arrival_schedule schedule,
              std::uint64_t seed, std::atomic<std::int64_t>& pooled, const user::user_sink& thread)
        : sink{thread.delta, thread.counts, this, thread.feeders},
          class_index(class_index),
          program(std::move(program)),
          schedule(schedule),
          timer(ctx),
          rng(seed),
          pooled(&pooled) {}

    // A user is free again: listed, or stopped when the pool has shrunk below its members.
    void on_free(user::virtual_user& u) override;
    std::optional<job> take(user::virtual_user& u) override;
    // Gives `u` (free, or not yet running) the iteration `j` and wakes it.
    void give(user::virtual_user& u, const job& j);
    // Asks a member to stop and stops counting it.
    void retire(user::virtual_user& u, user::stop_mode mode);

    user::user_sink sink;  // the thread's delta and counters, and this pool
    std::size_t class_index;
    std::shared_ptr<const user::user_program> program;
    arrival_schedule schedule;
    boost::asio::steady_timer timer;
    std::vector<user::virtual_user*> free;
    // Iterations given and not yet taken (a user takes its own at its next
    // turn of the loop: a handful at most).
    std::vector<std::pair<user::virtual_user*, job>> given;
    std::int64_t members = 0;    // pool users made and not asked to stop (busy, free, starting)
    std::int64_t max_users = 0;  // this thread's share of the pool's bound
    bool active = false;         // false after a stop until the next set_arrivals
    std::size_t position = 0;    // sequential task sets: the next task
    std::mt19937_64 rng;         // weighted task sets: the pick
    std::atomic<std::int64_t>* pooled;  // the engine's count of members, all threads
};

// One of the engine's io threads (threading: see the top of this file).
struct io_thread {
    boost::asio::io_context ctx{1};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{
        ctx.get_executor()};
    std::thread thread;
    stats::delta delta;
    user::thread_counts counts;             // per class; added into `delta` at collect
    user::user_sink sink{&delta, &counts};  // closed users'; pools have their own
    std::vector<std::string> class_names;   // of the loaded plan, for that
    std::vector<std::shared_ptr<const user::user_program>> programs;  // the loaded plan's, by class
    std::unordered_map<std::int64_t, std::unique_ptr<user::virtual_user>> users;
    // By class; null: closed, or no share yet. Shared only with timer handlers, weakly.
    std::vector<std::shared_ptr<open_pool>> pools;
    std::vector<std::shared_ptr<boost::asio::ssl::context>>
        tls;  // by TLS profile, made on first https request
    // By TLS profile, made at the first user: every client of the thread
    // shares it rather than holding a copy of its own.
    std::vector<std::shared_ptr<const http::client_options>> client_options;
    // TLS handshakes in progress on this thread, shared by those options (client.hpp).
    std::shared_ptr<http::handshake_gate> handshakes;
    std::shared_ptr<const tls_profiles> profiles;  // the loaded plan's, for making those
    tls_settings settings;
    boost::asio::steady_timer trim_timer{ctx};  // release_free_memory()'s later trims
    std::size_t index = 0;                      // in engine::threads_
    std::int64_t started = 0;  // control-thread view: users placed here minus finished (approx.)
    std::atomic<std::int64_t> lag_us_max{0};

    io_thread() {
        thread = std::thread([this] { ctx.run(); });
    }
};

}  // namespace swarm::worker
