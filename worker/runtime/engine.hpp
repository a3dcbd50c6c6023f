#pragma once
// The worker's load engine: N threads, each with its own io_context, its own
// users and its own stats delta. Nothing on the hot path is shared between
// threads; the control thread (the one that owns the engine) talks to the
// io threads only by posting work to them.
//
// Threading: every public member is called from the control thread only.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/scenario/plan.hpp"
#include "common/stats/delta.hpp"
#include "worker/runtime/engine_options.hpp"
#include "worker/runtime/tls_profiles.hpp"
#include "worker/runtime/user_engine.hpp"
#include "worker/user/virtual_user.hpp"

namespace swarm::worker::http {
struct client_options;
}

namespace swarm::worker {

// The engine's parts on each io thread (worker/runtime/io_thread.hpp).
struct open_pool;
struct io_thread;

class engine final : public user_engine {
  public:
    explicit engine(engine_options opts);
    ~engine() override;  // NOLINT(bugprone-exception-escape): see engine.cpp
    // (stops every user at once and joins the threads)
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    // Sets the plan users are made from (compiled with the test's host
    // override already). Only while no user is alive. Fails when a class's
    // TLS settings cannot be used (a CA that OpenSSL refuses), naming the
    // class and the file; the engine keeps its previous plan then.
    result<void> load(std::shared_ptr<const scenario::plan> plan) override;
    bool loaded() const { return !programs_.empty(); }
    std::size_t class_count() const override { return programs_.size(); }
    std::size_t class_index(const std::string& name) const override;  // class_count() when unknown

    // Starts one user of the class on the least busy thread.
    void start_user(std::size_t class_index) override;
    // Asks the newest running user of the class to stop.
    void stop_user(std::size_t class_index, user::stop_mode mode) override;
    // Asks every running user to stop with `mode`; with cancel or now, the
    // users already stopping too (a graceful stop escalated; `now` also ends
    // their on_stop). cancel and now cancel in-flight requests on each
    // user's own io thread (the user closes its session there).
    // Returns at once: alive() counts the users that have not finished yet.
    void stop_all(user::stop_mode mode) override;
    // Splits each open class's share over the io threads (the pool by
    // largest remainder, the rate in proportion to it); each thread keeps
    // its own pool and timer (open_pools.cpp).
    void set_arrivals(const std::vector<proto::arrival_share>& shares) override;
    void set_iteration_quota(std::int64_t quota) override;
    void set_feeder_share(std::uint64_t run_id, scenario::feeder_share share) override;
    std::vector<std::string> take_exhausted_data() override;
    void reset_iterations() override;
    std::int64_t pooled() const override { return pooled_.load(); }

    // Users started and not asked to stop, per class (what the ramp steers).
    const std::vector<std::int64_t>& running() const override { return running_; }
    std::int64_t running_total() const override;
    // Users whose coroutine has not finished yet (stopping ones included).
    std::int64_t alive() const override { return alive_.load(); }

    // Takes every thread's delta for the interval just ended and merges them.
    // Waits for each thread to hand it over (they do it between requests).
    stats::delta collect() override;

    // Gives the heap a spawn burst has freed back to the system (malloc_trim),
    // on each io thread once the work queued there has run, and a few more
    // times over the next 30 s. Call it when a ramp completes: thousands of
    // users starting at once leave their requests' buffers and frames
    // behind as free but resident memory.
    void release_free_memory() override;

    // Worst time a posted task waited to run on an io thread since the last
    // call, in ms: a loaded thread means latencies are suspect.
    double take_loop_lag_ms() override;

  private:
    // One thread's part of an open class's share.
    struct thread_share {
        std::size_t class_index = 0;
        double rate = 0, rate_end = 0;
        std::chrono::steady_clock::duration ramp{};
        std::int64_t max_users = 0, pre_allocate = 0;
        bool keep_pool = false;  // the class was absent: no arrivals, the pool stays
    };

    // On io thread `t`: makes a user of class `c` and runs it. A pooled user
    // joins `pool`, and when `job` is set runs it right after on_start.
    void make_user(io_thread* t, std::size_t c, std::int64_t user_id, open_pool* pool,
                   const scenario::task* job, std::chrono::steady_clock::time_point scheduled);
    // On io thread `t` (open_pools.cpp).
    void apply_share(io_thread* t, const thread_share& s,
                     std::chrono::steady_clock::time_point now);
    void arm(io_thread* t, open_pool& p);
    void fire(io_thread* t, open_pool& p);
    void arrive(io_thread* t, open_pool& p, std::chrono::steady_clock::time_point scheduled);
    void stop_pools(io_thread* t, user::stop_mode mode);
    // Posts to every io thread: its parked closed users claim again (the
    // quota grew or the count restarted; see user::virtual_user::parked()).
    void wake_parked();
    struct user_handle {
        std::size_t thread;
        std::int64_t user_id;
    };

    std::shared_ptr<const http::client_options> make_client_options(io_thread* t,
                                                                    std::size_t profile) const;
    static void trim_heap(io_thread* t, int round);

    engine_options opts_;
    std::vector<std::unique_ptr<io_thread>> threads_;
    std::vector<std::shared_ptr<const user::user_program>> programs_;
    std::shared_ptr<const tls_profiles> tls_;         // per class, for the loaded plan
    std::vector<std::vector<user_handle>> by_class_;  // running users per class, oldest first
    std::vector<std::int64_t> running_;
    std::atomic<std::int64_t> alive_{0};
    std::atomic<std::int64_t> pooled_{0};     // open classes' pool members, all threads
    std::atomic<std::int64_t> next_user_{0};  // pool users are made on the io threads
    user::iteration_budget budget_;
    std::shared_ptr<const scenario::plan> plan_;
    std::shared_ptr<user::data_feeders> feeders_;  // the plan's data cursors (set by load)
};

}  // namespace swarm::worker
