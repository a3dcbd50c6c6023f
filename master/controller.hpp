#pragma once
// The master's test lifecycle on top of the coordinator: owns the worker
// endpoint, pumps messages and time into the coordinator, and moves one test
// through ready → spawning → running → stopping → stopped (then a new test
// may start). The headless driver and the web UI both steer a controller;
// neither talks to workers directly.
//
// Threading: everything runs on the control thread that calls pump(), except
// post(), which any thread may call (the web server does) to have a function
// run on the control thread inside the next pump().

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <set>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "master/coordinator.hpp"
#include "proto/auth.hpp"

namespace zmq {
class context_t;
}
namespace swarm::proto {
class master_endpoint;
}

namespace swarm::master {

enum class run_state { ready, spawning, running, stopping, stopped };
const char* to_string(run_state s);

struct controller_options {
    std::string bind;  // "inproc://..." or "tcp://0.0.0.0:5557"
    // How long the last requests may take after the graceful stop timeout;
    // past it the test ends without the silent workers' final deltas.
    std::chrono::milliseconds request_timeout{60'000};
    bool reset_stats_after_spawn = false;  // --reset-stats, as Locust does
    std::chrono::milliseconds missing_after{3000};
    std::optional<proto::auth_keys> auth;  // CURVE on the worker port (tcp only)
    proto::run_options run_options;        // how workers run users (TLS, request timeout)
};

// A test to start, or the new figures of the running one (edit).
struct test_request {
    test_spec spec;
    std::optional<std::chrono::milliseconds> run_time;  // none: until stopped
};

class controller {
public:
    controller(zmq::context_t& zmq, scenario::bundle bundle, std::shared_ptr<const scenario::plan> plan,
               controller_options opts);
    ~controller();
    controller(const controller&) = delete;
    controller& operator=(const controller&) = delete;

    std::string bound_endpoint() const;

    // Receives and handles worker messages for up to `slice`, runs posted
    // functions, and advances the test (spawn done, run time over, stop done).
    void pump(std::chrono::milliseconds slice);

    // Starts a new test (ready/stopped), or changes users, rate and host of
    // the running one (the coordinator rebalances at once).
    void start(const test_request& request);
    // Stops the test: workers stop their users and send their last deltas;
    // state() becomes stopped when all confirmed (or gave up waiting).
    void stop();
    void reset_stats();
    // Tells every worker to quit (end of a headless master's job).
    void quit_workers(const std::string& reason) { coordinator_.quit_workers(reason); }

    // Runs `fn` on the control thread inside the next pump(). Thread-safe.
    void post(std::function<void()> fn);

    run_state state() const { return state_; }
    const test_request& test() const { return test_; }
    const coordinator& workers() const { return coordinator_; }
    const run_stats& stats() const { return coordinator_.stats(); }
    const scenario::bundle& bundle() const { return bundle_; }
    const scenario::plan& plan() const { return *plan_; }
    std::uint64_t tests_started() const { return tests_started_; }
    // Control-clock time the current test started (valid once started).
    control_clock::time_point started_at() const { return started_at_; }

    // Things worth a line on the console or a banner in the UI: "all users
    // spawned", "(other)" folding began, a test ended. Called on the control thread.
    std::function<void(const std::string&)> on_event;

private:
    void advance(control_clock::time_point now);
    void event(const std::string& text);
    void finish(control_clock::time_point now);
    void watch_worker_cpu(control_clock::time_point now);

    controller_options opts_;
    scenario::bundle bundle_;
    std::shared_ptr<const scenario::plan> plan_;
    std::unique_ptr<proto::master_endpoint> endpoint_;
    coordinator coordinator_;
    run_state state_ = run_state::ready;
    test_request test_;
    std::uint64_t tests_started_ = 0;
    control_clock::time_point started_at_{};
    control_clock::time_point stop_give_up_{};
    bool folding_reported_ = false;
    // Workers whose CPU has been ≥ 90 % of their cores since the time given,
    // and those already warned about in this test.
    std::map<std::string, control_clock::time_point> hot_since_;
    std::set<std::string> hot_warned_;

    std::mutex posted_mutex_;
    std::deque<std::function<void()>> posted_;
};

// Unix time in ms (the coordinator and run_stats are told the wall time, never read it).
std::int64_t wall_ms();

}  // namespace swarm::master
