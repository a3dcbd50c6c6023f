#pragma once
// The master's side of the conversation with workers: the worker registry and
// its health, user dispatch, and stats intake. It reacts to messages and to
// time; what to do with a run (headless console, web UI) sits on top of it.
//
// Threading: one instance, on the master's control thread. Time is passed
// in, never read, so health and dispatch logic run on simulated time in tests.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/log/log.hpp"
#include "common/scenario/loader.hpp"
#include "master/dispatch/dispatch.hpp"
#include "master/dispatch/feeder_slots.hpp"
#include "master/profile/schedule.hpp"
#include "master/stats/run_stats.hpp"
#include "master/stats/sequence_tracker.hpp"
#include "proto/messages.hpp"

namespace swarm::master {

using control_clock = std::chrono::steady_clock;

enum class worker_state { joined, ready, spawning, running, stopping, stopped, missing, failed };
const char* to_string(worker_state s);

struct worker_info {
    std::string id;    // routing identity
    std::string name;  // as the worker calls itself
    std::string host;
    std::uint32_t index = 0;
    std::uint32_t threads = 0;
    worker_state state = worker_state::joined;
    std::int64_t users = 0;  // running, as last reported
    // Per class, as last dispatched; what dispatch takes the worker to run
    // now (for rate shares). Cleared when a worker rejoins without users.
    std::vector<std::int64_t> targets;
    double cpu_percent = 0;
    std::uint64_t rss_bytes = 0;
    double loop_lag_ms = 0;
    control_clock::time_point last_heard{};
    std::string error;  // compile errors, reject reason
    // The scenario bundle: wanted since hello, or sent at this time and not
    // yet answered (ready/compile_failed). See coordinator::send_bundles.
    bool bundle_wanted = false;
    std::optional<control_clock::time_point> bundle_sent_at;
    std::string given_name;  // hello's name; `name` is it made unique
};

struct test_spec {
    std::int64_t users = 0;
    double spawn_rate = 1;
    std::string host_override;
    std::int64_t stop_timeout_ms =
        0;  // sent with stop: how long stopping users may finish their task
};

class coordinator {
  public:
    // `send` delivers a message to a worker identity (the transport's send).
    using sender = std::function<void(const std::string& worker, const proto::message& m)>;

    // `log` hears of workers joining, leaving, failing and going missing.
    coordinator(scenario::bundle bundle, std::shared_ptr<const scenario::plan> plan, sender send,
                control_clock::time_point now, std::int64_t wall_ms,
                log::logger log = log::logger("swarm master"));

    // Settings every worker applies to every user (--insecure,
    // --request-timeout, --ca-file's content); they travel with the scenario
    // bundle, so call this before workers join.
    void set_run_options(proto::run_options options) { run_options_ = std::move(options); }

    // Feeds one message from a worker (one handler per message type below).
    void on_message(const std::string& worker, const proto::message& m,
                    control_clock::time_point now);
    // Health and stats clock: call often (≥ 1/s). Marks silent workers missing
    // (their users go to the others) and sends master heartbeats.
    //
    // Silence is counted only up to the latest caught_up() time, not up to
    // `now`: while the master is behind, a live worker's heartbeats wait in
    // its queue, and judging by `now` would call it missing (1000 simulated
    // workers in bench/fanin: 359 false "is missing" lines and rebalances).
    void tick(control_clock::time_point now, std::int64_t wall_ms);
    // The intake queue was found empty at `when`: every message a worker sent
    // before then has been handed to on_message(). Times only move forward.
    void caught_up(control_clock::time_point when) {
        caught_up_at_ = std::max(caught_up_at_, when);
    }

    // Starts a test, or changes users/rate of the running one (rebalance:
    // a new spawn to every active worker, with the open classes' arrival
    // shares at `now`). A new test's time 0 for the arrival profiles is `now`.
    void start(const test_spec& spec, control_clock::time_point now, std::int64_t wall_ms);
    // --iterations for the next test (call before start() of a new test):
    // the quota split over workers by threads, absolute; none: no bound.
    void set_iteration_target(std::optional<std::int64_t> n) { iteration_target_ = n; }
    // Task iterations that ended in this test, all workers (also those lost).
    std::int64_t iterations_done() const;
    // An `on_end: stop_test` data set that every worker holding a share
    // (and running users) reported used up in this test: its name.
    std::optional<std::string> data_used_up() const;
    // The planned-users line for the stats' next closed second (none: no profile).
    void set_planned_users(std::optional<std::int64_t> users);
    // The open (arrival) classes, in scenario order: their schedules (time
    // since the test started) and cluster-wide pool bounds.
    struct open_class {
        std::string name;
        profile::arrival_schedule schedule;
        std::int64_t max_users = 0;
        std::int64_t pre_allocate = 0;
    };
    const std::vector<open_class>& open_classes() const { return open_; }
    // True when the scenario has at least one closed (users/weight) class.
    bool has_closed_classes() const { return !classes_.empty(); }
    // When the current test started (its arrival profiles' time 0).
    control_clock::time_point test_started_at() const { return test_started_at_; }
    // Warnings for the console/UI gathered since the last call (a pool
    // smaller than the worker count), each once per test.
    std::vector<std::string> take_notices() { return std::exchange(notices_, {}); }
    // Tells every worker to stop; stopped() turns true when all have answered.
    void stop(control_clock::time_point now);
    // Tells every worker to quit (end of `swarm run`, or master shutdown).
    void quit_workers(const std::string& reason);
    void reset_stats(control_clock::time_point now) { stats_.reset(now); }
    void end_stats(control_clock::time_point now, std::int64_t wall_ms) {
        stats_.stop(now, wall_ms);
    }

    std::size_t ready_workers() const;
    bool spawning_complete() const;  // every active worker reached its targets
    bool all_stopped() const;
    std::int64_t users() const;  // running, summed over workers
    std::int64_t target_users() const { return spec_.users; }
    bool running() const { return running_; }
    const run_stats& stats() const { return stats_; }
    const std::map<std::string, worker_info>& workers() const { return workers_; }
    std::uint64_t lost_reports() const { return sequences_.lost(); }
    // Names of workers that went missing or left during the current test
    // (their last unreported second may be missing from the stats).
    const std::vector<std::string>& workers_lost() const { return workers_lost_; }
    // Names of the workers given users in the current test, in join order.
    const std::vector<std::string>& participants() const { return participants_; }
    std::chrono::milliseconds missing_after{3000};
    // Given to each test's run_stats (run_stats::set_second_listener).
    run_stats::second_listener on_second_closed;
    // Registry bounds (--max-workers): a hello from a new worker when this
    // many are known takes the place of the longest missing one, or gets a
    // reject. A worker missing this long is forgotten (and may join again).
    std::size_t max_workers = 1000;
    std::chrono::milliseconds forget_missing_after{60'000};
    // A bundle sent and not answered within this is sent again only on a
    // new hello; at most bundles_in_flight() unanswered ones at a time.
    std::chrono::milliseconds bundle_resend_after{5000};
    std::size_t max_bundle_bytes_in_flight = 256u << 20;
    std::size_t bundles_in_flight() const;  // the bound, from the bundle's size
    // Behind its queue this long, the master says so (once, until it catches up).
    std::chrono::milliseconds behind_warning_after{10'000};

  private:
    // Per message type: hello introduces a worker (w is null) and quit
    // removes it; every other message comes from the known worker `w`, whose
    // silence it ends, and goes to its handle() overload.
    void receive(const std::string& id, worker_info* w, const proto::hello& m,
                 control_clock::time_point now);
    void receive(const std::string& id, worker_info* w, const proto::quit& m,
                 control_clock::time_point now);
    template <class Message>
    void receive(const std::string& id, worker_info* w, const Message& m,
                 control_clock::time_point now);
    // The worker `id`, or null after logging (once) that a stranger spoke.
    worker_info* known(const std::string& id, const proto::message& m);
    void handle(worker_info& w, const proto::ready& m, control_clock::time_point now);
    void handle(worker_info& w, const proto::compile_failed& m, control_clock::time_point now);
    void handle(worker_info& w, const proto::spawning& m, control_clock::time_point now);
    void handle(worker_info& w, const proto::spawn_complete& m, control_clock::time_point now);
    void handle(worker_info& w, const proto::stats_report& m, control_clock::time_point now);
    void handle(worker_info& w, const proto::heartbeat& m, control_clock::time_point now);
    void handle(worker_info& w, const proto::stopped& m, control_clock::time_point now);
    // The master's own messages: a worker does not send them; one that
    // arrives counts as hearing from the worker and changes nothing else.
    void handle(worker_info&, const proto::welcome&, control_clock::time_point) {}
    void handle(worker_info&, const proto::reject&, control_clock::time_point) {}
    void handle(worker_info&, const proto::scenario_bundle&, control_clock::time_point) {}
    void handle(worker_info&, const proto::spawn&, control_clock::time_point) {}
    void handle(worker_info&, const proto::stop&, control_clock::time_point) {}

    // Hello's parts: room in the registry (false: rejected), a unique name,
    // and the bundles owed to workers that said hello.
    bool admit(const std::string& id, const proto::hello& h);
    // A hello from a new peer named `given` while a worker of that name is
    // missing: the missing entry goes, so the newcomer gets its name.
    void replace_missing_namesake(const std::string& id, const std::string& given);
    std::string unique_name(const std::string& id, const std::string& given) const;
    void send_bundles(control_clock::time_point now);
    void forget_long_missing(control_clock::time_point horizon);
    // Logs a reject reason the first time it comes up (a hello flood must
    // not flood the log); sends it always.
    void reject(const std::string& id, const std::string& name, const std::string& reason);
    // Logs `text` (an error, or info) the first time its `kind` (default:
    // the text) comes up; at most 64 kinds are remembered.
    void log_once(const std::string& text, const std::string& kind = {}, bool error = true);

    void redispatch(control_clock::time_point now);
    // Sends each assignment its spawn; `slot_threads` are the same
    // workers' threads (the arrival and quota splits' proportions).
    void send_spawns(const std::vector<worker_assignment>& plan_out,
                     const std::vector<std::uint32_t>& slot_threads, control_clock::time_point now);
    // Quotas of workers no longer active go back (their unfinished part)
    // and what is unassigned is split over `ids` by `threads`.
    void rebalance_quotas(const std::vector<std::string>& ids,
                          const std::vector<std::uint32_t>& threads);
    // A worker whose process is new (ready after hello): what it had done
    // is kept, what it had left goes back to be split again.
    void retire_quota(const std::string& id);
    bool active(const worker_info& w) const;
    void warn_if_behind(control_clock::time_point now);
    // Adds `name` to workers_lost_ once per test.
    void note_lost(const std::string& name);

    scenario::bundle bundle_;
    std::string hash_;
    proto::run_options run_options_;
    std::shared_ptr<const scenario::plan> plan_;
    sender send_;
    log::logger log_;
    std::vector<user_class_weight> classes_;  // the closed classes only
    std::vector<open_class> open_;
    std::map<std::string, worker_info> workers_;
    std::vector<std::string> workers_lost_;
    std::vector<std::string> participants_;
    std::set<std::string> unknown_senders_;  // logged once each (at most 1024 kept)
    std::set<std::string> logged_once_;      // see log_once()
    std::size_t bundle_bytes_ = 0;           // the bundle's size (source + files)
    sequence_tracker sequences_;
    run_stats stats_;
    test_spec spec_;
    std::uint64_t run_id_ = 0;
    bool running_ = false;
    std::uint32_t next_index_ = 0;
    control_clock::time_point last_heartbeat_{};
    control_clock::time_point caught_up_at_{};  // latest time the intake was known empty
    bool behind_warned_ = false;                // the "behind" warning of this episode was given
    control_clock::time_point test_started_at_{};
    // --iterations: the target, each worker's absolute quota and the
    // iterations it reported (by id), those of workers whose process was
    // replaced, and quota not on any worker yet.
    std::optional<std::int64_t> iteration_target_;
    std::map<std::string, std::int64_t> quota_;
    std::map<std::string, std::int64_t> done_;
    std::int64_t retired_done_ = 0;
    std::int64_t unassigned_ = 0;
    std::set<std::string> pool_warned_;  // open classes warned about in this test
    feeder_slots feeders_;               // each worker's share of the data sets
    bool new_test_ = false;              // the next redispatch starts a test's feeder slots
    std::vector<std::string> notices_;   // see take_notices()
};

}  // namespace swarm::master
