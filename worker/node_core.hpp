#pragma once
// The worker node's rules as a pure core: a message from the master, a tick
// or SIGTERM at time T goes in; messages for the master, socket and
// readiness changes (effects) and log lines come out. It owns the ramp, the
// report grid, the master-lost judgement (master_watch), the hello backoff,
// the stop deadlines and the exit code, and drives the users through a
// user_engine. It reads no clock and owns no socket: the driver
// (worker/node.cpp) does, and tests (tests/node/node_core_test.cpp) drive it
// on simulated time with a fake engine.
//
// Threading: one control thread (the driver's) calls everything.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "common/log/log.hpp"
#include "proto/messages.hpp"
#include "worker/master_watch.hpp"
#include "worker/process_metrics.hpp"
#include "worker/runtime/engine_options.hpp"
#include "worker/runtime/ramp.hpp"
#include "worker/runtime/user_engine.hpp"

namespace swarm::worker {

// Drop the connection to the master, with everything it still queues, and
// connect afresh: what piled up while the master was away (reports,
// heartbeats, hellos) must not reach a restarted master in a burst.
struct reconnect {};
// The worker became ready (welcomed, bundle compiled) or stopped being ready.
struct ready_change {
    bool ready = false;
};
// What the driver does for the core, in this order.
using node_effect = std::variant<proto::message, reconnect, ready_change>;

// The messages only a worker sends. With a handler for each of the others,
// node_core handles every message type: a new one does not compile until
// the node says what it does with it.
template <class T>
concept worker_to_master = std::is_same_v<T, proto::hello> || std::is_same_v<T, proto::ready> ||
    std::is_same_v<T, proto::compile_failed> || std::is_same_v<T, proto::spawning> ||
    std::is_same_v<T, proto::spawn_complete> || std::is_same_v<T, proto::stats_report> ||
    std::is_same_v<T, proto::stopped>;

struct node_core_options {
    std::string master;     // the master's endpoint, for log lines
    proto::hello hello;     // what every hello says (host, name, threads, pid)
    engine_options engine;  // this worker's own; a bundle's run options are added
    std::chrono::milliseconds report_interval{1000};
    master_watch_options watch;  // master lost, hello backoff, --master-timeout
};

// Makes an engine for a bundle (the engine options have its run options added).
using engine_factory = std::function<std::unique_ptr<user_engine>(const engine_options&)>;
// This process's CPU and memory, for the heartbeat.
using usage_sampler = std::function<process_metrics::usage()>;

// A worker's exit code after --master-timeout when no master ever welcomed
// it: 5, the master's "infrastructure" code (master/exit_code.hpp).
constexpr int worker_never_joined = 5;

class node_core {
  public:
    using clock = std::chrono::steady_clock;

    node_core(node_core_options opts, engine_factory make_engine, usage_sampler sample_usage,
              log::logger log, clock::time_point now);
    ~node_core();
    node_core(const node_core&) = delete;
    node_core& operator=(const node_core&) = delete;

    // A message from the master arrived at `now`.
    void on_message(const proto::message& m, clock::time_point now);
    // Time passed: judges the master, says hello, ramps, ends a stop, reports.
    // The driver hands over every message already received first, so that a
    // silence of its own (SIGSTOP, a long compile) is not taken for the master's.
    void on_tick(clock::time_point now);
    // SIGTERM: stop the users (in-flight requests cancelled, on_stop run),
    // send the last delta and quit (at once when no master welcomed this
    // worker). Called again (every loop while the signal stands) it does
    // nothing more, unless `again` (a second signal): then cancel everything
    // now, on_stop included.
    void on_terminate(clock::time_point now, bool again = false);

    // What to do, in order, since the last call.
    std::vector<node_effect> take_effects();
    // The latest time the driver should tick again.
    clock::time_point wake_by(clock::time_point now) const;
    // The process exit code once the node is done: 0 after quit or SIGTERM;
    // after --master-timeout 0 when a master welcomed this worker at some
    // point (its job is done), 5 when none ever did (never reached one:
    // wrong address, DNS, firewall); 1 after a reject.
    std::optional<int> exit_code() const { return exit_code_; }

  private:
    // Worker → master only: a master never sends these.
    template <worker_to_master T>
    void handle(const T&, clock::time_point) {}
    void handle(const proto::welcome& w, clock::time_point now);
    void handle(const proto::reject& r, clock::time_point now);
    void handle(const proto::scenario_bundle& b, clock::time_point now);
    void handle(const proto::spawn& s, clock::time_point now);
    void handle(const proto::stop& s, clock::time_point now);
    void handle(const proto::heartbeat&, clock::time_point) {}
    void handle(const proto::quit& q, clock::time_point now);

    void send(proto::message m) { effects_.emplace_back(std::move(m)); }
    void set_ready(bool ready);
    void load_bundle(const proto::scenario_bundle& b);
    // A new engine (make_engine_) with `plan` loaded; what the factory throws becomes the error.
    result<std::unique_ptr<user_engine>> make_loaded_engine(
        const engine_options& eo, std::shared_ptr<const scenario::plan> plan);
    void stop_users(std::int64_t timeout_ms, clock::time_point now);
    void master_lost(clock::time_point now);
    // Master silence and the worker's own pauses (see on_tick).
    void judge_master(clock::time_point now);
    void note_own_pause(clock::time_point now);
    // Stops the users for a reason of the worker's own (`why`), keeping
    // their targets; resume_users() ramps back to them.
    void hold_users(const std::string& why);
    void resume_users(const std::string& why, clock::time_point now);
    void step_join(clock::time_point now);
    void step_ramp(clock::time_point now);
    void step_stopping(clock::time_point now);
    void step_report(clock::time_point now);
    void report();
    // The users this worker reports: closed ones running, open classes' pool members.
    std::int64_t users() const;
    void finish(int code, const std::string& quit_reason);

    node_core_options opts_;
    engine_factory make_engine_;
    usage_sampler sample_usage_;
    log::logger log_;
    master_watch watch_;
    std::vector<node_effect> effects_;

    std::unique_ptr<user_engine> engine_;
    clock::duration engine_request_timeout_{};  // what engine_'s users wait for a response
    // The engine whose users were stopped when the master was lost: it runs
    // down on its own threads while a new master's bundle gets a fresh engine.
    std::unique_ptr<user_engine> retired_;
    clock::time_point retired_deadline_{};
    ramp ramp_;

    bool welcomed_ = false;
    bool ever_welcomed_ = false;  // by any master, since the start: see exit_code()
    bool ready_ = false;
    bool terminating_ = false;
    std::optional<int> exit_code_;
    int hellos_ = 0;  // since the last welcome or loss; the first one is logged
    std::uint32_t index_ = 0;
    std::optional<scenario::bundle> bundle_;
    // The bundle's --tags/--exclude-tags: every compile of it filters the same.
    std::pair<std::vector<std::string>, std::vector<std::string>> bundle_tags_{};
    std::string bundle_hash_;
    std::string loaded_host_;
    std::uint64_t run_id_ = 0;
    std::uint64_t sequence_ = 0;
    bool ramping_ = false;
    double spawn_rate_ = 1;  // of the latest spawn, users/s: resume_users() ramps at it
    // The latest spawn's open-class shares and when they came: resume_users()
    // restarts the pools with them, advanced to where their ramps are then.
    std::vector<proto::arrival_share> arrivals_;
    clock::time_point arrivals_at_{};
    // Users held (stopped with their targets kept): the master went silent,
    // or this worker was paused so long that the master gave its users to
    // others. Not a stop: no `stopped`, reports go on.
    bool held_ = false;
    bool held_for_pause_ = false;  // held after a pause of our own, not the master's silence
    bool held_test_ = false;       // users were running or ramping when held: resume them
    clock::time_point resume_unless_by_{};  // held for a pause: resume then unless a spawn came
    clock::time_point last_tick_{};         // a gap between ticks is a pause of our own
    bool stopping_ = false;
    bool master_stop_seen_ = false;  // this stop has had the master's stop (a second one escalates)
    bool stop_escalated_ = false;    // stop_all(cancel) has been asked
    bool stop_now_ = false;          // stop_all(now): a second stop while stopping
    // A stop with timeout T at time S: graceful until S + T (T = 0: users
    // end at their next request boundary, the one in flight gets 0.5 s),
    // then in-flight requests are cancelled and on_stop runs
    // (user::on_stop_time_limit, 10 s); past S + max(T, 0.5 s) + 10 s + 2 s
    // the node stops waiting for its users and sends its last delta and
    // `stopped`. A second stop: within 2 s.
    clock::time_point graceful_deadline_{}, hard_deadline_{};
    // Reports run at a fixed rate (next += interval), not "interval after the
    // last one": the loop wakes a little late each time, and a period of
    // 1.01 s would drift across the master's second grid and leave it a
    // second without this worker's report every hundred or so.
    clock::time_point next_report_{};
};

}  // namespace swarm::worker
