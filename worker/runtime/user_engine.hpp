#pragma once
// What the worker node's core (worker/node_core.hpp) needs of a load engine:
// load a plan, start and stop users per class, and hand over the interval's
// stats. Implemented by the real `engine` (worker/runtime/engine.hpp) and by
// a fake engine in tests/node, so the node's rules run on simulated time
// without threads or sockets.
//
// Threading: every member is called from the node's control thread only.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/scenario/plan.hpp"
#include "common/stats/delta.hpp"
#include "proto/messages.hpp"
#include "worker/user/virtual_user.hpp"

namespace swarm::worker {

class user_engine {
  public:
    virtual ~user_engine() = default;

    // Sets the plan users are made from. Only while no user is alive.
    // Fails when the plan cannot run here (a CA that OpenSSL refuses), with
    // a message for the master.
    virtual result<void> load(std::shared_ptr<const scenario::plan> plan) = 0;
    virtual std::size_t class_count() const = 0;
    // The index of the class called `name`; class_count() when unknown.
    virtual std::size_t class_index(const std::string& name) const = 0;

    // Starts one user of the class.
    virtual void start_user(std::size_t class_index) = 0;
    // Asks the newest running user of the class to stop.
    virtual void stop_user(std::size_t class_index, user::stop_mode mode) = 0;
    // Asks every running user to stop; with cancel or now also the users
    // already stopping. Does not wait: alive() tells when they are gone.
    virtual void stop_all(user::stop_mode mode) = 0;

    // Open (arrival) classes: this worker's share of each, from now on (a
    // rebalance keeps the pools and continues their schedules). A class
    // absent gets no arrivals; its pool keeps its users.
    virtual void set_arrivals(const std::vector<proto::arrival_share>& shares) = 0;
    // The task iterations (all classes) this worker may start in this run
    // in all, those already started included; -1: no bound.
    virtual void set_iteration_quota(std::int64_t quota) = 0;
    // This worker's share of the data sets in run `run_id` (the spawn's
    // feeder slot): a new run or share restarts the cursors.
    virtual void set_feeder_share(std::uint64_t /*run_id*/, scenario::feeder_share /*share*/) {}
    // Names of `on_end: stop_test` data sets whose share ran out since the
    // last call (each once per run), for the next stats_report.
    virtual std::vector<std::string> take_exhausted_data() { return {}; }
    // A new run: no iteration started yet.
    virtual void reset_iterations() = 0;
    // Pool users of open classes not asked to stop (not in running()).
    virtual std::int64_t pooled() const = 0;

    // Users started and not asked to stop, per class (what the ramp steers).
    virtual const std::vector<std::int64_t>& running() const = 0;
    virtual std::int64_t running_total() const = 0;
    // Users that have not finished yet (stopping ones included).
    virtual std::int64_t alive() const = 0;

    // The stats of the interval just ended (the engine starts a new one).
    virtual stats::delta collect() = 0;
    // Worst scheduling delay of the engine's threads since the last call, in ms.
    virtual double take_loop_lag_ms() = 0;
    // A ramp completed: give the memory its burst freed back to the system.
    virtual void release_free_memory() = 0;
};

}  // namespace swarm::worker
