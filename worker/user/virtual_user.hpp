#pragma once
// A virtual user: one coroutine that runs one user class of the plan the way
// Locust runs a User — evaluate `vars`, run `on_start`, then loop: pick a task
// (by weight, or in order when sequential), run it, wait per the task set's
// wait; finally run `on_stop`. It owns its HTTP session (connections,
// cookies), variables and random generator; it shares the immutable
// user_program with every other user of its class.
//
// Threading: a user lives on one io_context thread. Construct it, run() it,
// request_stop() it and destroy it on that thread only. It must outlive the
// coroutine run() returns (destroy it from run()'s completion handler).
//
// Every request is recorded exactly once into the sink's delta (the
// thread's, which the reporter take()s between intervals; it stays in
// place), every task iteration of the root set claimed from the quota and
// counted into the sink's counters when it ends (exactly once, also when a
// stop or an exception cuts it short). A closed user that finds the quota
// used up parks (see parked()) rather than ending: the master may raise it.
//
// Typical use by the worker runtime:
//     auto u = std::make_unique<virtual_user>(program, id, std::move(session), sink, ex);
//     co_spawn(ex, u->run(), [&, raw = u.get()](std::exception_ptr) { forget(raw); });
//     ...
//     raw->request_stop(stop_mode::graceful);        // ramp-down
//     raw->request_stop(stop_mode::after_request);   // end of a test; then, past
//     raw->request_stop(stop_mode::cancel);          // the stop timeout, cancel

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/stats/delta.hpp"
#include "worker/http/session.hpp"
#include "worker/user/environment.hpp"
#include "worker/user/iteration_counts.hpp"
#include "worker/user/observer.hpp"
#include "worker/user/program.hpp"

namespace swarm::worker::user {

// How a user stops, mildest first: a user asked twice keeps the stronger
// of the two (graceful → after_request → cancel → now), never the milder.
enum class stop_mode : std::uint8_t {
    graceful,       // finish the current task, run the class's on_stop, end (ramp-down)
    after_request,  // end at the next request boundary (the one in flight completes),
                    // then run on_stop (bounded): the end of a test without a stop timeout
    cancel,         // as after_request, but the request in flight is cancelled and recorded
                    // once, as the failure "cancelled: test stopped" (the stop timeout ran out)
    now,            // cancel the request in flight (on_stop's too) and end; on_stop is skipped
};

// How long a user's final on_stop may take (Locust runs on_stop at the end
// of a test too: logout, cleanup). A request still in flight when it runs
// out fails as a timeout; the steps after it are skipped. The worker's and
// the master's stop deadlines allow for it (worker/node_core.hpp).
inline constexpr std::chrono::seconds on_stop_time_limit{10};

// Who a user is. user_id should be unique in the run (it seeds the user's
// random numbers and its first row of next(ds)).
struct user_identity {
    std::int64_t user_id = 0;
    std::int64_t worker_id = 0;
    std::uint64_t run_seed = 0;  // the same seed and user id give the same choices
};

class virtual_user;

// The pool of an open (arrival) class on one io thread, as its users see it
// (the engine implements it). Same thread as the users.
class user_pool {
  public:
    // An iteration the pool gives a user: a task of its class, and when it
    // was scheduled to start (ITER latency counts from then).
    struct job {
        const scenario::task* task = nullptr;
        std::chrono::steady_clock::time_point scheduled{};
    };
    // `u` has run on_start or its last iteration and waits for the next
    // (the pool wake()s it), or for a stop.
    virtual void on_free(virtual_user& u) = 0;
    // The iteration given to `u`, handed over once; none: nullopt.
    virtual std::optional<job> take(virtual_user& u) = 0;

  protected:
    ~user_pool() = default;
};

// Where a user's records go: the thread's delta and class counters; and for
// a user of an open class, its pool. One per io thread for closed users and
// one per pool, outliving their users (a user holds only a pointer: the
// idle user's size is a tracked figure, tests/worker_user/memory_test.cpp).
struct user_sink {
    stats::delta* delta = nullptr;    // the thread's current interval
    thread_counts* counts = nullptr;  // nullptr: iterations neither counted nor bounded
    user_pool* pool = nullptr;        // set: pooled mode (see virtual_user)
    data_feeders* feeders = nullptr;  // the worker's data cursors; null: each user its own
    // Set: told of every exchange (swarm try; observer.hpp). Null in a load test.
    user_observer* observer = nullptr;
};

class virtual_user {
  public:
    using executor_type = boost::asio::io_context::executor_type;
    using timer_type =
        boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                          boost::asio::wait_traits<std::chrono::steady_clock>,
                                          executor_type>;

    virtual_user(std::shared_ptr<const user_program> program, const user_identity& id,
                 std::unique_ptr<http::session> session, user_sink& sink, const executor_type& ex);
    virtual_user(const virtual_user&) = delete;
    virtual_user& operator=(const virtual_user&) = delete;

    // Pooled mode (the sink names a pool: an open class): after vars and
    // on_start the user does not loop over its tasks but waits for the pool
    // to give it an iteration (user_pool::take, after wake()), runs that one
    // task (no wait after it), records an ITER row (method "ITER", the
    // task's name, latency from the SCHEDULED start to the end, never
    // failed) and tells the pool it is free again.
    bool pooled() const { return sink_->pool != nullptr; }
    // The pool has given this user an iteration: stop waiting for one. A
    // parked user: the quota may have grown, claim again.
    void wake() { timer_.cancel(); }
    // A closed user found the iteration quota used up: it waits (parked,
    // still a running user) until wake()d — the engine wakes its thread's
    // parked users when the quota grows — or stopped. On the user's thread.
    bool parked() const { return parked_; }

    // The user's whole life; completes when it has stopped (by request_stop,
    // a stop_user step, or a root task set that ran out of iterations).
    // Never throws: an unexpected exception is recorded as an error
    // "internal: ..." and ends the user. Call once.
    boost::asio::awaitable<void> run();

    // Asks the user to stop (see stop_mode). A wait or sleep in progress ends
    // at once. graceful, after_request: an in-flight request completes and is
    // recorded; cancel and now: it is cancelled on the spot (its socket
    // closed, on this thread) and recorded once as a failure. A second call
    // may make the stop stronger, not milder.
    void request_stop(stop_mode mode);

    // run() has finished.
    bool done() const { return done_; }
    // request_stop() has been called.
    bool stop_requested() const { return stop_.has_value(); }
    std::int64_t user_id() const { return env_.user_id(); }
    // The index of the user's class in the plan.
    std::size_t class_index() const { return program_->class_index(); }
    // The user's variables and built-ins (tests, debugging).
    const user_environment& environment() const { return env_; }

  private:
    // How a step, a task or a task set ended.
    enum class flow : std::uint8_t {
        next,       // go on
        end_task,   // the rest of the current task is skipped (failed extraction)
        interrupt,  // leave the innermost nested task set
        stop_user,  // a stop_user step: the class's on_stop, then end
        stop,       // request_stop(): unwind to run()
    };

    boost::asio::awaitable<flow> run_set(const scenario::task_set& set, bool nested);
    // Pooled mode's loop: wait for an iteration, run it, repeat.
    boost::asio::awaitable<flow> run_pooled();
    // An iteration of the class ended (also one cut by a stop).
    void count_iteration_end();
    boost::asio::awaitable<flow> run_task(const scenario::task& t);
    boost::asio::awaitable<flow> run_steps(const scenario::step_list& steps);
    boost::asio::awaitable<flow> run_repeat(const scenario::repeat_step& r);
    boost::asio::awaitable<flow> run_while(const scenario::while_step& w);
    scenario::duration sleep_time(const scenario::sleep_step& s);
    // A `group:` step: its steps, then a GROUP row (groups.cpp).
    boost::asio::awaitable<flow> run_group(const scenario::group_step& g);
    boost::asio::awaitable<flow> run_request(const scenario::request_step& r);
    // A `parallel:` block: its requests sent at once, judged in list order (parallel.cpp).
    boost::asio::awaitable<flow> run_parallel(const scenario::parallel_step& p);
    // What a request step sends: the prepared request when static, else one
    // built into `built` (capped to the final on_stop's time left). Null:
    // building found a data set exhausted (nothing is sent, the user ends).
    const http::request* request_for(const scenario::request_step& r, const prepared_step& prep,
                                     http::request& built);
    // One send's outcome: checks, then extractions into the variables, the
    // observer, the stats, last.status and last.body. end_task when an
    // extraction is missing (the steps after it would lack its variable).
    flow judge(const scenario::request_step& r, const prepared_step& prep, const http::request& req,
               http::send_result& sent);
    // A response's (or a WebSocket message's) checks, when `verdict` still
    // passes, then its extractions into the variables while it does; the
    // verdict becomes the first that failed. True when the rest of the task
    // must be skipped: a failed step with extractions (the steps after it
    // would lack their variables).
    bool check_and_extract(const scenario::checks& c, std::span<const boost::json::value> expected,
                           const std::vector<scenario::extraction>& extract,
                           const response_facts& facts, swarm::result<void>& verdict);
    // WebSocket steps (ws_steps.cpp): rows of type WS.
    boost::asio::awaitable<flow> run_ws_step(const scenario::step& s);
    boost::asio::awaitable<flow> run_ws_connect(const scenario::ws_connect_step& s);
    boost::asio::awaitable<flow> run_ws_send(const scenario::ws_send_step& s);
    boost::asio::awaitable<flow> run_ws_receive(const scenario::ws_receive_step& s);
    boost::asio::awaitable<flow> run_ws_close(const scenario::ws_close_step& s);
    void record_ws(std::string_view name, std::chrono::microseconds latency, std::uint64_t bytes,
                   const swarm::result<void>& verdict);
    // The user's WebSocket can take a send, receive or close; else why not
    // (the failure those steps record).
    bool ws_open() const;
    swarm::result<void> not_open() const;
    // The WebSocket's pending operation ends now (request_stop); none: nothing.
    void cancel_ws();
    // Drops the WebSocket (the end of the user).
    void close_ws();
    // Waits `d` (at once when stopping); yields to the io_context when d <= 0.
    boost::asio::awaitable<void> pause(scenario::duration d);
    // Before a wait: the class's `close_idle_after:` closes idle connections
    // when the wait is at least that long.
    void close_idle_before(scenario::duration wait);

    const scenario::task& pick(const scenario::task_set& set, std::size_t& position);
    // One request into the stats: passed, or failed with the verdict's message.
    void record(const prepared_step& prep, const scenario::request_step& r,
                std::chrono::microseconds latency, std::uint64_t wire_bytes,
                const swarm::result<void>& verdict);
    void record_internal(std::string_view what);
    // A failure of the user's own steps (a while's bound, a sleep that is not
    // a duration): a row of the errors table under the class's name.
    void record_user_error(std::string_view message);
    // Unwind at the next step or request: stopped now, stopped at a request
    // boundary outside the final on_stop, or the final on_stop ran out of time.
    bool stop_now() const;

    std::shared_ptr<const user_program> program_;
    std::unique_ptr<http::session> session_;
    // The user's WebSocket and its bookkeeping: made by the first `ws:` step
    // (users without WebSocket steps pay one pointer; ws_steps.cpp).
    struct ws_state;
    struct ws_state_deleter {
        void operator()(ws_state* s) const;  // ws_steps.cpp, where ws_state is complete
    };
    std::unique_ptr<ws_state, ws_state_deleter> ws_;
    user_sink* sink_;   // outlives the user
    timer_type timer_;  // waits and sleeps; request_stop() cancels it
    user_environment env_;
    // While the final on_stop runs: when it must be over (on_stop_time_limit).
    std::chrono::steady_clock::time_point on_stop_deadline_{};
    // Tells run_set whether a task gave way to other users (only compared
    // for equality: 16 bits wrap harmlessly, and keep the user small — with
    // the 16 below, stop_ and the flags they share one 8-byte word).
    std::uint16_t requests_sent_ = 0;
    // Requests recorded as failed: a group compares it before and after (wraps
    // harmlessly: a group with exactly 65 536 failures would pass).
    std::uint16_t requests_failed_ = 0;
    std::optional<stop_mode> stop_;
    bool in_final_on_stop_ : 1 = false;
    bool in_flight_ : 1 = false;  // a send is pending: request_stop(cancel/now) closes the session
    bool done_ : 1 = false;
    bool parked_ : 1 = false;
    // An iteration was claimed (or given) and has not been counted as ended
    // yet: run() ends it when an exception cut it short.
    bool in_iteration_ : 1 = false;
};

}  // namespace swarm::worker::user
