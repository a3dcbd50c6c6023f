#pragma once
// The master's driver: owns the worker endpoint and the real clock, and pumps
// worker messages, posted functions and time into the controller core
// (master/controller_core.hpp), which decides everything about the test.
// The headless driver and the web UI both steer a controller; neither talks
// to workers directly.
//
// Threading: everything runs on the control thread that calls pump(), except
// post(), which any thread may call (the web server does) to have a function
// run on the control thread inside the next pump().

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "master/controller_core.hpp"
#include "proto/auth.hpp"

namespace zmq {
class context_t;
}
namespace swarm::proto {
class master_endpoint;
}

namespace swarm::master {

struct controller_options : core_options {
    std::string bind;                      // "inproc://..." or "tcp://0.0.0.0:5557"
    std::optional<proto::auth_keys> auth;  // CURVE on the worker port (tcp only)
};

class controller {
  public:
    controller(zmq::context_t& zmq, scenario::bundle bundle,
               std::shared_ptr<const scenario::plan> plan, controller_options opts);
    ~controller();
    controller(const controller&) = delete;
    controller& operator=(const controller&) = delete;

    std::string bound_endpoint() const;

    // Receives and handles worker messages for up to `slice`, runs posted
    // functions, and ticks the core (spawn done, run time over, stop done).
    void pump(std::chrono::milliseconds slice);

    // The core's commands at the real clock's time (see controller_core).
    void start(const test_request& request);
    void stop(stop_reason why = stop_reason::stopped);
    void stop_now();
    void reset_stats();
    void quit_workers(const std::string& reason) { core_.quit_workers(reason); }

    // Runs `fn` on the control thread inside the next pump(). Thread-safe.
    void post(std::function<void()> fn);
    // Drops what was posted and not yet run: the web front that posted it
    // is gone (its closures would reach a destroyed object).
    void discard_posted();
    // The master is shutting down: no new test may start (a start queued
    // behind a stop is refused). Control thread.
    void close() { closing_ = true; }
    bool closing() const { return closing_; }

    const controller_core& core() const { return core_; }
    run_state state() const { return core_.state(); }
    const test_request& test() const { return core_.test(); }
    const coordinator& workers() const { return core_.workers(); }
    const run_stats& stats() const { return core_.stats(); }
    const scenario::bundle& bundle() const { return core_.bundle(); }
    const scenario::plan& plan() const { return core_.plan(); }
    std::uint64_t tests_started() const { return core_.tests_started(); }
    control_clock::time_point started_at() const { return core_.started_at(); }
    report::run_metadata run_metadata(int exit_code) const { return core_.run_metadata(exit_code); }

    // The core's events ("All users spawned", ...). Called on the control thread.
    std::function<void(const std::string&)> on_event;
    // controller_core::on_test_end. Called on the control thread.
    std::function<void()> on_test_end;

  private:
    void note_awake();

    bool closing_ = false;  // see close()
    // pump() was not running for a while (the process was stopped or starved):
    // until a longer wait comes back empty, ZeroMQ's I/O thread may still be
    // handing over what workers sent meanwhile (see pump()).
    bool recovering_ = false;
    control_clock::time_point last_awake_ = control_clock::now();
    std::unique_ptr<proto::master_endpoint> endpoint_;
    controller_core core_;

    std::mutex posted_mutex_;
    std::deque<std::function<void()>> posted_;
};

// Unix time in ms (the core, the coordinator and run_stats are told the wall time, never read it).
std::int64_t wall_ms();

}  // namespace swarm::master
