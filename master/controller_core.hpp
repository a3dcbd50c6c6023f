#pragma once
// The master's test lifecycle as a pure state machine over the coordinator:
// one test moves ready → spawning → running → stopping → stopped (then a new
// test may start). It takes a worker's message or a tick at time T, and the
// start / stop / reset commands with T; it answers through the coordinator's
// sender (messages to workers) and on_event (lines for the console and the
// UI). It owns no socket and reads no clock, so every behaviour runs on
// simulated time in tests (tests/master/controller_core_test.cpp).
//
// What it decides: spawning → running once every worker reached its share
// (and resets the stats then when asked), the run-time stop, the stop
// give-up (stop timeout T + 10 s for on_stop + 4 s: workers cancel what is in
// flight at max(T, 0.5 s), bound on_stop by 10 s and stop waiting 12 s after; after a
// second stop, stop_now, 3 s), the hot-CPU warning (a
// worker at ≥ 90 % of its cores for 5 s, once per worker per test) and the
// "(other)" folding notice.
//
// The load profile (master/profile/schedule.hpp): at start and at each
// boundary of the closed stages or of an open class's arrival profile — and
// only then — the coordinator sends every worker new absolute targets and
// arrival shares (a worker joining or leaving mid-stage gets its share from
// the coordinator at once). The test ends at the profile's end, at the run
// time, or when --iterations N task iterations have ended, whichever comes
// first. An edit of a profile test hands the closed users to manual control.
//
// Thresholds (master/gates/): judged once a second from the test's start
// while it spawns or runs (not on every 100 ms tick: each judgement merges
// rows), each not before its delay; a failing abort_on_fail one stops the
// test (stop_reason::threshold_abort). All are judged once more over the
// whole run when it has stopped (final).
//
// A test that has had no ready worker for missing_after (every worker went
// missing, died or left: a missing worker has already been silent that long)
// stops with stop_reason::workers_lost (exit 5): a restarted worker has that
// long to join again, and no test runs on, users-less, until its run time.
//
// Threading: one instance, on the master's control thread (the driver,
// master/controller.hpp, is the only caller).

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/log/log.hpp"
#include "master/coordinator.hpp"
#include "master/exit_code.hpp"
#include "master/gates/judge.hpp"
#include "master/gates/verdict.hpp"
#include "master/profile/schedule.hpp"
#include "master/report/json_result.hpp"
#include "master/stop_reason.hpp"

namespace swarm::master {

enum class run_state { ready, spawning, running, stopping, stopped };
const char* to_string(run_state s);

// A test to start, or the new figures of the running one (edit).
struct test_request {
    test_spec spec;
    std::optional<std::chrono::milliseconds> run_time;  // none: until stopped
    // A closed-model profile (the scenario's `load: stages`, --stages, or
    // the UI's form): the stages set the users and rate over time and
    // spec.users/spawn_rate are ignored; the test ends with the last stage,
    // or at run_time if that comes first. Empty: -u/-r as a one-stage test.
    std::vector<scenario::load_stage> stages{};
    // --iterations: the test ends after exactly this many task iterations
    // cluster-wide (run_time, if given, still bounds it).
    std::optional<std::int64_t> iterations{};
};

// What the lifecycle needs to know; the driver's options add the socket's.
struct core_options {
    // What workers wait for a response (in run_options too). The stop
    // give-up no longer depends on it: in-flight requests are cancelled at
    // the end of the stop timeout.
    std::chrono::milliseconds request_timeout{60'000};
    bool reset_stats_after_spawn = false;  // --reset-stats, as Locust does
    std::chrono::milliseconds missing_after{3000};
    std::size_t max_workers = 1000;  // --max-workers (coordinator::max_workers)
    proto::run_options run_options;  // how workers run users (TLS, request timeout)
    // Every threshold of every test: the scenario's `thresholds:` then the
    // --threshold ones (validated by the cli before the master starts).
    std::vector<scenario::threshold_spec> thresholds{};
    int exit_code_on_error = 1;       // --exit-code-on-error: outcome()'s code for failed requests
    log::logger log{"swarm master"};  // workers joining, leaving, going missing
    // Each test's closed seconds as they close (--csv-full-history's file).
    run_stats::second_listener on_second_closed;
};

// An earlier test's chart history (its points without per-name entries),
// kept so that a page loaded later still shows "Run #1", "Run #2".
struct earlier_run {
    std::uint64_t test = 0;             // its tests_started() number
    std::vector<history_point> points;  // its latest max_earlier_points seconds
};
// Bounds: the last 5 tests, an hour of points each (about 150 bytes a
// point: under 3 MB in all).
inline constexpr std::size_t max_earlier_runs = 5;
inline constexpr std::size_t max_earlier_points = 3600;

class controller_core {
  public:
    controller_core(scenario::bundle bundle, std::shared_ptr<const scenario::plan> plan,
                    coordinator::sender send, core_options opts, control_clock::time_point now,
                    std::int64_t wall_ms);
    controller_core(const controller_core&) = delete;
    controller_core& operator=(const controller_core&) = delete;

    // One message from a worker, handled at `now`.
    void on_message(const std::string& worker, const proto::message& m,
                    control_clock::time_point now) {
        coordinator_.on_message(worker, m, now);
    }
    // The intake queue was found empty at `when` (see coordinator::caught_up).
    void caught_up(control_clock::time_point when) { coordinator_.caught_up(when); }
    // Time passes: the coordinator's health and stats clock, then the test's
    // own transitions (spawn done, run time over, stop done or given up).
    void tick(control_clock::time_point now, std::int64_t wall_ms);

    // Starts a new test (ready/stopped), or changes users, rate and host of
    // the running one (the coordinator rebalances at once; the start time stays).
    void start(const test_request& request, control_clock::time_point now, std::int64_t wall_ms);
    // Stops the test: workers stop their users and send their last deltas;
    // state() becomes stopped on the tick that finds them all stopped, or
    // that is past stop_give_up(). `why` is kept as stop_reason() unless the
    // test already stops for another reason (the first cause wins).
    void stop(control_clock::time_point now, master::stop_reason why = stop_reason::stopped);
    // A second stop (a second Ctrl-C): stops the test if it runs, then tells
    // every worker still stopping to cancel everything now (in-flight
    // requests and on_stop), and gives up on them 3 s from `now` at most.
    void stop_now(control_clock::time_point now);
    void reset_stats(control_clock::time_point now) { coordinator_.reset_stats(now); }
    // Tells every worker to quit (end of a headless master's job).
    void quit_workers(const std::string& reason) { coordinator_.quit_workers(reason); }

    run_state state() const { return state_; }
    const test_request& test() const { return test_; }
    const coordinator& workers() const { return coordinator_; }
    const run_stats& stats() const { return coordinator_.stats(); }
    const scenario::bundle& bundle() const { return bundle_; }
    const scenario::plan& plan() const { return *plan_; }
    std::uint64_t tests_started() const { return tests_started_; }
    // The tests before the current one, oldest first (bounded, see earlier_run).
    const std::deque<earlier_run>& earlier_runs() const { return earlier_runs_; }
    // Users the profile plans at `now` (the stages' line the charts draw
    // under the actual users); nullopt without a profile or once manual().
    std::optional<std::int64_t> planned_users(control_clock::time_point now) const;
    // An edit during a profile test switched it to manual control: the
    // stages no longer drive the users (the UI says so).
    bool manual() const { return manual_; }
    // The closed profile's stage announced last (0-based) and how many there
    // are (the progress line's "stage 2 of 3"); nullopt without a profile.
    std::optional<std::size_t> current_stage() const { return announced_stage_; }
    std::size_t stage_count() const { return closed_.size(); }
    // Time the current test started (valid once started; an edit keeps it).
    control_clock::time_point started_at() const { return started_at_; }
    // While stopping: when the test ends without the silent workers.
    control_clock::time_point stop_give_up() const { return stop_give_up_; }
    // Why the current (or last) test stopped; none while it runs.
    master::stop_reason stop_reason() const { return stop_reason_; }
    // The thresholds' current verdicts (final ones once stopped), in the
    // order of core_options::thresholds; empty without thresholds.
    const std::vector<gates::threshold_verdict>& thresholds() const { return verdicts_; }
    // A threshold failed (judged at the end, or one aborted the test).
    bool thresholds_failed() const;
    // The current (or last) test's outcome, as the exit code reads it
    // (exit_code_for): its stop reason, thresholds and failed requests.
    run_outcome outcome() const;
    // The JSON result's metadata for the current (or last) test.
    report::run_metadata run_metadata(int exit_code) const;

    // Things worth a line on the console or a banner in the UI: "All users
    // spawned", "(other)" folding began, a hot worker, the test ended.
    std::function<void(const std::string&)> on_event;
    // Called once when a test has stopped (state() just became stopped),
    // before anything can start the next one: the UI mode writes the test's
    // reports here (a start queued behind a stop would otherwise replace
    // the test before a state poll saw it stopped).
    std::function<void()> on_test_end;

  private:
    void event(const std::string& text);
    void finish(control_clock::time_point now, std::int64_t wall_ms);
    void watch_worker_cpu(control_clock::time_point now);
    void report_folding();
    void report_dropped();
    // Applies the profile at t (since start): the closed stage's users and
    // rate (unless manual), arrival shares at t; then finds the next boundary.
    void apply_profile(control_clock::time_point now, std::int64_t wall_ms);
    // A new test starts: the ending one's points join earlier_runs_.
    void keep_earlier_run();
    std::optional<profile::ms> next_boundary(profile::ms t) const;
    // "Stage 2 of 3: 500 users at 50 users/s" on the console and in the UI.
    void announce_stage(const profile::stage_point& p);
    std::optional<profile::ms> profile_end() const;
    // Ends the test at the profile's end or after N iterations.
    void check_ends(control_clock::time_point now);
    // Judges every threshold live (once a second) and aborts on a failing
    // abort_on_fail one; final: the end-of-test judgement (finish()).
    void judge_thresholds(control_clock::time_point now, bool final);
    // Stops the test (workers_lost) when no worker has been ready for missing_after.
    void check_workers_lost(control_clock::time_point now);
    profile::ms since_start(control_clock::time_point now) const {
        return std::chrono::duration_cast<profile::ms>(now - started_at_);
    }

    core_options opts_;
    coordinator::sender send_;  // the coordinator's too: stop_now's second stop
    scenario::bundle bundle_;
    std::shared_ptr<const scenario::plan> plan_;
    coordinator coordinator_;
    run_state state_ = run_state::ready;
    test_request test_;
    std::uint64_t tests_started_ = 0;
    std::deque<earlier_run> earlier_runs_;  // see earlier_runs()
    control_clock::time_point started_at_{};
    control_clock::time_point stop_give_up_{};
    bool stop_now_ = false;  // stop_now() sent its second stop in this stop
    master::stop_reason stop_reason_ = stop_reason::none;  // see stop_reason()
    std::vector<gates::threshold_verdict> verdicts_;       // see thresholds()
    std::vector<gates::threshold> gates_;                  // opts_.thresholds, parsed
    control_clock::time_point next_judgement_{};           // the next live judgement
    bool folding_reported_ = false;
    bool manual_ = false;                         // see manual()
    std::optional<std::size_t> announced_stage_;  // the stage whose line was printed
    profile::closed_schedule closed_;             // the test's stages (empty: -u/-r)
    std::optional<profile::ms> next_boundary_;    // when apply_profile() runs next
    std::set<std::string> drop_warned_;           // open classes warned about dropping
    // Since when the live test has had no ready worker (none: it has one).
    std::optional<control_clock::time_point> no_workers_since_;
    // Workers whose CPU has been ≥ 90 % of their cores since the time given,
    // and those already warned about in this test.
    std::map<std::string, control_clock::time_point> hot_since_;
    std::set<std::string> hot_warned_;
};

}  // namespace swarm::master
