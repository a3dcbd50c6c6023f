// The controller core on simulated time: no socket, no sleep. The test plays
// the workers (hello, ready, spawning, spawn_complete, heartbeat,
// stats_report, stopped, quit), moves the clock in 500 ms steps, and checks
// the states, the times, the events and what the core sent to each worker.
#include <gmock/gmock.h>
#include <algorithm>

#include <map>
#include <string>
#include <vector>

#include "master/controller_core.hpp"
#include "tests/support/log_capture.hpp"

namespace swarm::master {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* scenario_text = R"y(
host: http://127.0.0.1:1
users:
  Browser:
    tasks:
      index: {get: /}
)y";

constexpr std::int64_t wall_at_start = 1'700'000'000'000;  // unix ms at t0

struct event_at {
    control_clock::duration at;  // since t0
    std::string text;
};

class controller_core_test : public ::testing::Test {
  protected:
    controller_core_test() : bundle_{"one.yaml", scenario_text, {}} {
        auto compiled = scenario::compile(bundle_);
        EXPECT_TRUE(compiled.result)
            << (compiled.errors.empty() ? "" : compiled.errors.front().to_string());
        plan_ = compiled.result;
    }

    void make(core_options opts = {}) {
        opts.log = log_.logger("swarm master");
        core_ = std::make_unique<controller_core>(
            bundle_, plan_,
            [this](const std::string& w, const proto::message& m) { sent_[w].push_back(m); },
            std::move(opts), now_, wall());
        core_->on_event = [this](const std::string& text) {
            events_.push_back({now_ - t0_, text});
        };
    }

    std::int64_t wall() const {
        return wall_at_start +
               std::chrono::duration_cast<std::chrono::milliseconds>(now_ - t0_).count();
    }
    control_clock::duration elapsed() const { return now_ - t0_; }

    // hello → welcome + bundle; then ready (the scenario compiled).
    void join(const std::string& id, std::uint32_t threads = 1) {
        core_->on_message(id, proto::hello{proto::protocol_version, "host-" + id, id, threads, 1},
                          now_);
        core_->on_message(id, proto::ready{bundle_.hash()}, now_);
    }
    // Users the newest spawn sent to `id` asks for.
    std::int64_t spawn_target(const std::string& id) const {
        const auto* s = latest<proto::spawn>(id);
        std::int64_t n = 0;
        if (s != nullptr) {
            for (const auto& [name, users] : s->targets) n += users;
        }
        return n;
    }
    // The worker ramps up: spawning, then spawn_complete at its target.
    void complete_spawn(const std::string& id) {
        users_[id] = spawn_target(id);
        const auto run_id = latest<proto::spawn>(id)->run_id;
        core_->on_message(id, proto::spawning{run_id, users_[id] / 2}, now_);
        core_->on_message(id, proto::spawn_complete{run_id, users_[id]}, now_);
    }
    // One stats report of `requests` requests to GET /, as the worker's next sequence.
    void report(const std::string& id, int requests, const std::string& name = "/") {
        stats::delta d;
        for (int i = 0; i < requests; ++i) d.requests.record("GET", name, 1000, 10, false);
        core_->on_message(
            id,
            proto::stats_report{++sequence_[id], latest<proto::spawn>(id)->run_id, users_[id], d},
            now_);
    }
    void confirm_stop(const std::string& id) {
        users_[id] = 0;
        core_->on_message(id, proto::stopped{latest<proto::spawn>(id)->run_id}, now_);
    }
    // Time passes in 500 ms steps: each worker in `talking` sends a heartbeat
    // (at its CPU figure), the intake is found empty, the core ticks.
    void advance(control_clock::duration d, const std::vector<std::string>& talking) {
        for (control_clock::duration t{}; t < d; t += 500ms) {
            now_ += 500ms;
            for (const auto& id : talking) {
                core_->on_message(id, proto::heartbeat{cpu_[id], 1 << 20, users_[id], 0.1}, now_);
            }
            core_->caught_up(now_);
            core_->tick(now_, wall());
        }
    }
    template <class T>
    const T* latest(const std::string& id) const {
        const auto it = sent_.find(id);
        if (it == sent_.end()) return nullptr;
        const auto& list = it->second;
        const auto m = std::find_if(list.rbegin(), list.rend(), [](const proto::message& x) {
            return std::holds_alternative<T>(x);
        });
        return m == list.rend() ? nullptr : &std::get<T>(*m);
    }
    template <class T>
    int count_sent(const std::string& id) const {
        int n = 0;
        if (const auto it = sent_.find(id); it != sent_.end()) {
            for (const auto& m : it->second) n += std::holds_alternative<T>(m) ? 1 : 0;
        }
        return n;
    }
    std::vector<std::string> event_texts() const {
        std::vector<std::string> out;
        for (const auto& e : events_) out.push_back(e.text);
        return out;
    }
    int events_containing(const std::string& part) const {
        int n = 0;
        for (const auto& e : events_) n += e.text.find(part) != std::string::npos ? 1 : 0;
        return n;
    }
    // Stops the running test; both workers confirm and it ends.
    void stop_test() {
        core_->stop(now_);
        confirm_stop("a");
        confirm_stop("b");
        advance(500ms, {"a", "b"});
        ASSERT_EQ(core_->state(), run_state::stopped);
    }

    // Two workers, a test of `users` started and fully spawned.
    void running_test(std::int64_t users, std::optional<std::chrono::milliseconds> run_time = {},
                      std::int64_t stop_timeout_ms = 0) {
        join("a");
        join("b");
        core_->start({{users, 100, "", stop_timeout_ms}, run_time}, now_, wall());
        complete_spawn("a");
        complete_spawn("b");
        advance(500ms, {"a", "b"});
        ASSERT_EQ(core_->state(), run_state::running);
    }

    scenario::bundle bundle_;
    std::shared_ptr<const scenario::plan> plan_;
    const control_clock::time_point t0_{std::chrono::seconds(1000)};
    control_clock::time_point now_ = t0_;
    test::log_capture log_;
    std::map<std::string, std::vector<proto::message>> sent_;
    std::map<std::string, std::int64_t> users_;
    std::map<std::string, double> cpu_;
    std::map<std::string, std::uint64_t> sequence_;
    std::vector<event_at> events_;
    std::unique_ptr<controller_core> core_;
};

TEST_F(controller_core_test, starts_ready_and_a_joining_worker_gets_welcome_and_the_bundle) {
    make();
    EXPECT_EQ(core_->state(), run_state::ready);
    EXPECT_EQ(core_->tests_started(), 0u);
    join("a");
    ASSERT_EQ(sent_["a"].size(), 2u);
    EXPECT_TRUE(std::holds_alternative<proto::welcome>(sent_["a"][0]));
    EXPECT_EQ(std::get<proto::scenario_bundle>(sent_["a"][1]).hash, bundle_.hash());
    EXPECT_EQ(core_->workers().ready_workers(), 1u);
    advance(2s, {"a"});
    EXPECT_EQ(core_->state(), run_state::ready);      // nothing starts by itself
    EXPECT_EQ(count_sent<proto::heartbeat>("a"), 2);  // the master's, once a second
}

TEST_F(controller_core_test, goes_running_once_every_worker_reached_its_share) {
    make();
    join("a");
    join("b");
    core_->start({{10, 5, "", 0}, {}}, now_, wall());
    EXPECT_EQ(core_->state(), run_state::spawning);
    EXPECT_EQ(core_->tests_started(), 1u);
    EXPECT_EQ(spawn_target("a") + spawn_target("b"), 10);
    EXPECT_DOUBLE_EQ(latest<proto::spawn>("a")->spawn_rate + latest<proto::spawn>("b")->spawn_rate,
                     5.0);

    complete_spawn("a");
    advance(500ms, {"a", "b"});
    EXPECT_EQ(core_->state(), run_state::spawning);  // b is still ramping
    complete_spawn("b");
    EXPECT_EQ(core_->state(), run_state::spawning);  // decided on the tick
    advance(500ms, {"a", "b"});
    EXPECT_EQ(core_->state(), run_state::running);
    ASSERT_THAT(event_texts(), ElementsAre("All users spawned: 10 users"));
    EXPECT_EQ(events_[0].at, 1s);
}

TEST_F(controller_core_test, stops_when_run_time_is_over) {
    make();
    running_test(4, 10s, 2500);
    advance(9s, {"a", "b"});  // t0 + 9.5 s
    EXPECT_EQ(core_->state(), run_state::running);
    EXPECT_EQ(count_sent<proto::stop>("a"), 0);
    advance(500ms, {"a", "b"});  // t0 + 10 s
    EXPECT_EQ(core_->state(), run_state::stopping);
    EXPECT_EQ(events_.back().text, "Run time limit reached: stopping");
    EXPECT_EQ(events_.back().at, 10s);
    for (const auto& id : {"a", "b"}) {
        ASSERT_EQ(count_sent<proto::stop>(id), 1) << id;
        EXPECT_EQ(latest<proto::stop>(id)->timeout_ms, 2500)
            << id;  // the stop carries the stop timeout
    }

    // Both confirm (after their last report): the test ends on the next tick.
    report("a", 3);
    confirm_stop("a");
    advance(500ms, {"a", "b"});
    EXPECT_EQ(core_->state(), run_state::stopping);
    report("b", 2);
    confirm_stop("b");
    advance(500ms, {"a", "b"});
    EXPECT_EQ(core_->state(), run_state::stopped);
    EXPECT_EQ(events_.back().text, "test stopped");
    EXPECT_EQ(events_.back().at, 11s);
    EXPECT_EQ(events_containing("did not confirm"), 0);
    EXPECT_EQ(core_->stats().total().requests(), 5u);
    EXPECT_EQ(core_->stats().end_wall_ms(), wall_at_start + 11'000);
}

TEST_F(controller_core_test,
       gives_up_waiting_for_silent_workers_after_stop_timeout_plus_on_stop_bound) {
    core_options opts;
    opts.request_timeout = 60s;  // no longer in the bound: workers cancel what is in flight
    make(opts);
    running_test(4, {}, 2000);
    const auto stopped_at = elapsed();
    core_->stop(now_);
    EXPECT_EQ(core_->state(), run_state::stopping);
    // stop timeout + on_stop's 10 s + 4 s (a worker gives up at + 12 s)
    EXPECT_EQ(core_->stop_give_up(), now_ + 2s + 10s + 4s);
    confirm_stop("a");
    // b stays alive (heartbeats) but never confirms: its users are stuck.
    advance(15500ms, {"a", "b"});
    EXPECT_EQ(core_->state(), run_state::stopping);
    advance(500ms, {"a", "b"});
    EXPECT_EQ(core_->state(), run_state::stopped);
    EXPECT_EQ(elapsed() - stopped_at, 16s);
    ASSERT_GE(events_.size(), 2u);
    EXPECT_EQ(events_[events_.size() - 2].text,
              "some workers did not confirm the stop in time; their last requests are not counted");
    EXPECT_EQ(events_.back().text, "test stopped");
    EXPECT_EQ(core_->stats().end_wall_ms(), wall());
}

TEST_F(controller_core_test, stop_now_tells_stopping_workers_to_cancel_and_gives_up_within_3s) {
    make();
    running_test(4, {}, 10'000);
    core_->stop(now_);
    confirm_stop("a");
    now_ += 1s;
    core_->stop_now(now_);  // a second Ctrl-C
    EXPECT_EQ(count_sent<proto::stop>("a"), 1) << "a stopped already: nothing to cancel";
    ASSERT_EQ(count_sent<proto::stop>("b"), 2);
    EXPECT_EQ(latest<proto::stop>("b")->timeout_ms, 0);  // the second stop: cancel now
    EXPECT_EQ(core_->stop_give_up(), now_ + 3s);
    core_->stop_now(now_);  // a third signal sends nothing more
    EXPECT_EQ(count_sent<proto::stop>("b"), 2);
    advance(2500ms, {"a", "b"});
    EXPECT_EQ(core_->state(), run_state::stopping);
    advance(500ms, {"a", "b"});
    EXPECT_EQ(core_->state(), run_state::stopped);
}

TEST_F(controller_core_test, stop_now_on_a_running_test_stops_it_and_cancels_at_once) {
    make();
    running_test(4, {}, 10'000);
    core_->stop_now(now_);
    EXPECT_EQ(core_->state(), run_state::stopping);
    for (const auto* id : {"a", "b"}) {
        ASSERT_EQ(count_sent<proto::stop>(id), 2) << id;
        EXPECT_EQ(latest<proto::stop>(id)->timeout_ms, 0) << id;
    }
    EXPECT_EQ(core_->stop_give_up(), now_ + 3s);
    confirm_stop("a");
    confirm_stop("b");
    advance(100ms, {"a", "b"});
    EXPECT_EQ(core_->state(), run_state::stopped);
}

TEST_F(controller_core_test, a_worker_lost_while_stopping_does_not_hold_the_stop) {
    make();
    running_test(4);
    core_->stop(now_);
    confirm_stop("a");
    advance(3s, {"a"});  // b silent for 3 s: not missing yet
    EXPECT_EQ(core_->state(), run_state::stopping);
    advance(500ms, {"a"});  // 3.5 s: missing, so nothing is left to wait for
    EXPECT_EQ(core_->workers().workers().at("b").state, worker_state::missing);
    EXPECT_EQ(core_->state(), run_state::stopped);
    EXPECT_THAT(log_.text(), HasSubstr("swarm master: worker b is missing (silent for 3 s)"));
}

TEST_F(controller_core_test,
       stop_outside_a_test_does_nothing_and_a_second_stop_keeps_the_give_up_time) {
    make();
    join("a");
    core_->stop(now_);
    EXPECT_EQ(core_->state(), run_state::ready);
    EXPECT_EQ(count_sent<proto::stop>("a"), 0);

    core_->start({{1, 1, "", 0}, {}}, now_, wall());
    core_->stop(now_);
    const auto give_up = core_->stop_give_up();
    now_ += 2s;
    core_->stop(now_);
    EXPECT_EQ(core_->stop_give_up(), give_up);
    EXPECT_EQ(count_sent<proto::stop>("a"), 1);
}

TEST_F(controller_core_test, warns_once_per_test_when_a_worker_stays_hot_for_5s) {
    make();
    join("a", 2);
    join("b", 2);
    core_->start({{4, 100, "", 0}, {}}, now_, wall());
    complete_spawn("a");
    complete_spawn("b");
    cpu_["a"] = 190;             // 95 % of each of its 2 cores
    cpu_["b"] = 170;             // 85 %: busy, not hot
    advance(500ms, {"a", "b"});  // a hot since t0 + 0.5 s
    const auto hot_since = elapsed();
    advance(4500ms, {"a", "b"});
    EXPECT_EQ(events_containing("warning: worker"), 0);
    advance(500ms, {"a", "b"});
    ASSERT_EQ(events_containing("warning: worker"), 1);
    EXPECT_EQ(events_.back().text,
              "warning: worker a has used 95 % of its CPU for 5 s: its response times are suspect "
              "(add workers or "
              "--threads)");
    EXPECT_EQ(events_.back().at - hot_since, 5s);

    // Still hot: no second warning in this test, not even after an edit.
    advance(20s, {"a", "b"});
    core_->start({{6, 100, "", 0}, {}}, now_, wall());
    advance(10s, {"a", "b"});
    EXPECT_EQ(events_containing("warning: worker"), 1);

    // A new test warns again.
    stop_test();
    core_->start({{4, 100, "", 0}, {}}, now_, wall());
    advance(5500ms, {"a", "b"});
    EXPECT_EQ(events_containing("warning: worker a has used"), 2);
    EXPECT_EQ(events_containing("warning: worker b"), 0);
}

TEST_F(controller_core_test, a_worker_that_cools_down_starts_its_5s_again) {
    make();
    running_test(2);
    cpu_["a"] = 100;
    advance(4s, {"a", "b"});
    cpu_["a"] = 50;
    advance(500ms, {"a", "b"});
    cpu_["a"] = 100;
    advance(5s, {"a", "b"});  // hot again since t0 + 5.5 s: 4.5 s by t0 + 10 s
    EXPECT_EQ(events_containing("warning: worker"), 0);
    advance(500ms, {"a", "b"});
    EXPECT_EQ(events_containing("warning: worker a"), 1);
    EXPECT_EQ(events_.back().at, 10500ms);
}

TEST_F(controller_core_test, does_not_warn_for_a_missing_worker) {
    make();
    running_test(2);
    cpu_["a"] = 100;
    advance(1s, {"a", "b"});
    // a goes silent: its last figure says hot, but once it is missing that figure is stale.
    advance(20s, {"b"});
    EXPECT_EQ(core_->workers().workers().at("a").state, worker_state::missing);
    EXPECT_EQ(events_containing("warning: worker"), 0);
}

TEST_F(controller_core_test, does_not_warn_outside_a_running_test) {
    make();
    join("a");
    cpu_["a"] = 100;
    advance(10s, {"a"});
    EXPECT_EQ(events_containing("warning: worker"), 0);
}

TEST_F(controller_core_test, resets_stats_after_spawn_when_asked) {
    core_options opts;
    opts.reset_stats_after_spawn = true;
    make(opts);
    join("a");
    core_->start({{2, 1, "", 0}, {}}, now_, wall());
    report("a", 7);  // during the ramp
    advance(500ms, {"a"});
    EXPECT_EQ(core_->stats().total().requests(), 7u);
    complete_spawn("a");
    advance(500ms, {"a"});
    ASSERT_EQ(core_->state(), run_state::running);
    EXPECT_EQ(core_->stats().total().requests(), 0u);
    report("a", 3);
    EXPECT_EQ(core_->stats().total().requests(), 3u);
}

TEST_F(controller_core_test, keeps_the_ramp_up_stats_when_not_asked_to_reset) {
    make();
    join("a");
    core_->start({{2, 1, "", 0}, {}}, now_, wall());
    report("a", 7);
    complete_spawn("a");
    advance(500ms, {"a"});
    ASSERT_EQ(core_->state(), run_state::running);
    EXPECT_EQ(core_->stats().total().requests(), 7u);
}

TEST_F(controller_core_test, edit_while_running_keeps_the_start_time) {
    make();
    running_test(4, 10s);
    advance(5500ms, {"a", "b"});  // t0 + 6 s
    const auto run_id = latest<proto::spawn>("a")->run_id;
    core_->start({{8, 100, "http://other:1", 0}, 10s}, now_, wall());
    EXPECT_EQ(core_->state(), run_state::spawning);
    EXPECT_EQ(core_->tests_started(), 1u);
    EXPECT_EQ(core_->started_at(), t0_);
    EXPECT_EQ(latest<proto::spawn>("a")->run_id, run_id);  // the same test, rebalanced
    EXPECT_EQ(spawn_target("a") + spawn_target("b"), 8);
    EXPECT_EQ(latest<proto::spawn>("b")->host_override, "http://other:1");
    complete_spawn("a");
    complete_spawn("b");
    advance(3500ms, {"a", "b"});  // t0 + 9.5 s
    EXPECT_EQ(core_->state(), run_state::running);
    advance(500ms, {"a", "b"});  // t0 + 10 s: the run time counts from the first start
    EXPECT_EQ(core_->state(), run_state::stopping);
}

TEST_F(controller_core_test, a_new_test_after_stop_starts_afresh) {
    make();
    running_test(2);
    report("a", 4);
    const auto first_run = latest<proto::spawn>("a")->run_id;
    stop_test();
    EXPECT_EQ(core_->stats().total().requests(), 4u);

    advance(2s, {"a", "b"});
    core_->start({{3, 100, "", 0}, 5s}, now_, wall());
    EXPECT_EQ(core_->state(), run_state::spawning);
    EXPECT_EQ(core_->tests_started(), 2u);
    EXPECT_EQ(core_->started_at(), now_);
    EXPECT_GT(latest<proto::spawn>("a")->run_id, first_run);
    EXPECT_EQ(core_->stats().total().requests(), 0u);
    EXPECT_EQ(core_->stats().start_wall_ms(), wall());
}

// The charts' earlier runs (Run #1, ...) survive a page reload: the core
// keeps each ended test's points, without per-name entries, for the last
// max_earlier_runs tests.
TEST_F(controller_core_test, keeps_the_last_tests_chart_points_bounded) {
    make();
    running_test(2);  // test 1
    EXPECT_TRUE(core_->earlier_runs().empty());
    for (std::uint64_t test = 1; test <= max_earlier_runs + 2; ++test) {
        report("a", 3);
        advance(2s, {"a", "b"});
        stop_test();
        const auto kept_seconds = core_->stats().history().size();
        ASSERT_GE(kept_seconds, 1u);
        EXPECT_FALSE(core_->stats().history().front().entries.empty());
        core_->start({{2, 100, "", 0}, std::nullopt}, now_, wall());  // test + 1
        const auto& runs = core_->earlier_runs();
        ASSERT_EQ(runs.size(), std::min<std::size_t>(test, max_earlier_runs));
        EXPECT_EQ(runs.back().test, test);
        EXPECT_EQ(runs.back().points.size(), kept_seconds);
        for (const auto& p : runs.back().points) EXPECT_TRUE(p.entries.empty());
        complete_spawn("a");
        complete_spawn("b");
        advance(500ms, {"a", "b"});
    }
    EXPECT_EQ(core_->earlier_runs().front().test, 3u);  // the oldest two went
}

TEST_F(controller_core_test, says_once_per_test_when_names_fold_into_other) {
    make();
    running_test(2);
    stats::delta d;
    for (std::size_t i = 0; i <= stats::table::default_max_names; ++i) {
        d.requests.record("GET", "/item/" + std::to_string(i), 1000, 10, false);
    }
    core_->on_message("a", proto::stats_report{1, latest<proto::spawn>("a")->run_id, 1, d}, now_);
    advance(500ms, {"a", "b"});
    EXPECT_EQ(events_containing("distinct request names"), 1);
    EXPECT_EQ(events_.back().text,
              "more than 1000 distinct request names: the rest are counted under \"(other)\" (give "
              "templated URLs a "
              "`name:`)");
    advance(5s, {"a", "b"});
    EXPECT_EQ(events_containing("distinct request names"), 1);

    // The next test folds again and is told again.
    stop_test();
    core_->start({{2, 100, "", 0}, {}}, now_, wall());
    complete_spawn("a");
    complete_spawn("b");
    advance(500ms, {"a", "b"});
    EXPECT_EQ(events_containing("distinct request names"), 1)
        << "a new test starts with no folding";
    core_->on_message("a", proto::stats_report{1, latest<proto::spawn>("a")->run_id, 1, d}, now_);
    advance(500ms, {"a", "b"});
    EXPECT_EQ(events_containing("distinct request names"), 2);
}

TEST_F(controller_core_test, run_metadata_names_the_test_its_workers_and_the_lost_ones) {
    make();
    join("a");
    join("b");
    core_->start({{4, 2, "http://h:1", 0}, {}}, now_, wall());
    complete_spawn("a");
    complete_spawn("b");
    advance(500ms, {"a", "b"});
    core_->on_message("b", proto::quit{"terminated"}, now_);
    const auto meta = core_->run_metadata(3);
    EXPECT_EQ(meta.scenario_name, "one.yaml");
    EXPECT_EQ(meta.scenario_hash, bundle_.hash());
    EXPECT_EQ(meta.users, 4);
    EXPECT_DOUBLE_EQ(meta.spawn_rate, 2);
    EXPECT_EQ(meta.host, "http://h:1");
    EXPECT_THAT(meta.workers, ElementsAre("a", "b"));
    EXPECT_THAT(meta.workers_lost, ElementsAre("b"));
    EXPECT_EQ(meta.exit_status, 3);
    EXPECT_EQ(spawn_target("a"), 4);  // b's users went to a
    EXPECT_THAT(log_.text(), HasSubstr("swarm master: worker b left (terminated)"));
}

TEST_F(controller_core_test, run_metadata_says_why_it_stopped_and_what_was_planned) {
    make();
    join("a");
    test_request r{{4, 2, "", 0}, 90s};
    r.stages = {{30s, 4, 2, {}}, {60s, 0, 4, {}}};
    r.iterations = 250;
    core_->start(r, now_, wall());
    EXPECT_EQ(core_->run_metadata(0).stop_reason, "none");
    core_->stop(now_, stop_reason::interrupted);
    const auto meta = core_->run_metadata(4);
    EXPECT_EQ(meta.stop_reason, "interrupted");
    EXPECT_EQ(meta.planned_run_time_ms, 90'000);
    EXPECT_EQ(meta.profile, "30s:4@2,1m:0@4");
    EXPECT_EQ(meta.iterations, 250);

    // Unbounded, no profile, no iterations: none of them.
    core_->stop_now(now_);
    advance(3s, {"a"});
    ASSERT_EQ(core_->state(), run_state::stopped);
    core_->start({{1, 1, "", 0}, {}}, now_, wall());
    const auto open = core_->run_metadata(0);
    EXPECT_FALSE(open.planned_run_time_ms);
    EXPECT_EQ(open.profile, "");
    EXPECT_FALSE(open.iterations);
}

TEST_F(controller_core_test, the_first_stop_reason_wins) {
    make();
    running_test(4, 10s);
    core_->stop(now_, stop_reason::interrupted);
    core_->stop(now_);  // the UI's stop of a stopping test
    core_->stop_now(now_);
    advance(10s, {"a", "b"});  // past the run time too
    EXPECT_EQ(core_->state(), run_state::stopped);
    EXPECT_EQ(core_->stop_reason(), stop_reason::interrupted);
    // A new test starts with none; the UI's stop (the default) says stopped.
    core_->start({{4, 100, "", 0}, {}}, now_, wall());
    EXPECT_EQ(core_->stop_reason(), stop_reason::none);
    core_->stop(now_);
    EXPECT_EQ(core_->stop_reason(), stop_reason::stopped);
}

TEST_F(controller_core_test, stops_with_workers_lost_once_no_worker_was_there_for_missing_after) {
    make();
    running_test(4, 60s);  // t0 + 0.5 s
    advance(3s, {});       // 3.5 s: silent 3 s, both still counted
    EXPECT_EQ(core_->workers().ready_workers(), 2u);
    advance(500ms, {});  // 4 s: both missing
    EXPECT_EQ(core_->workers().ready_workers(), 0u);
    EXPECT_EQ(core_->state(), run_state::running) << "a worker may come back for 3 s";
    advance(2500ms, {});  // 6.5 s
    EXPECT_EQ(core_->state(), run_state::running);
    advance(500ms, {});  // 7 s: stop, and nothing is left to wait for
    EXPECT_EQ(core_->stop_reason(), stop_reason::workers_lost);
    EXPECT_EQ(events_containing("All workers lost: stopping"), 1);
    const auto lost = std::find_if(events_.begin(), events_.end(), [](const event_at& e) {
        return e.text == "All workers lost: stopping";
    });
    ASSERT_NE(lost, events_.end());
    EXPECT_EQ(lost->at, 7s);
    advance(500ms, {});
    EXPECT_EQ(core_->state(), run_state::stopped);
    EXPECT_EQ(core_->run_metadata(5).stop_reason, "workers_lost");
}

TEST_F(controller_core_test, one_worker_left_or_one_back_in_time_keeps_the_test_running) {
    make();
    running_test(4);
    advance(10s, {"a"});  // b missing; a carries the test
    EXPECT_EQ(core_->workers().ready_workers(), 1u);
    EXPECT_EQ(core_->state(), run_state::running);

    core_->on_message("a", proto::quit{"terminated"}, now_);  // a leaves: no worker now
    advance(2500ms, {});
    join("c");  // a new one within 3 s
    advance(5s, {"c"});
    EXPECT_EQ(core_->state(), run_state::running);
    EXPECT_EQ(core_->stop_reason(), stop_reason::none);
    EXPECT_EQ(events_containing("All workers lost"), 0);
}

TEST_F(controller_core_test, quit_workers_tells_every_worker) {
    make();
    join("a");
    join("b");
    core_->quit_workers("test over");
    EXPECT_EQ(latest<proto::quit>("a")->reason, "test over");
    EXPECT_EQ(latest<proto::quit>("b")->reason, "test over");
    EXPECT_THAT(events_, IsEmpty());
}

}  // namespace
}  // namespace swarm::master

namespace swarm::master {
namespace {

// Data feeders (issue 16): slots by join order, and a stop_test data set
// used up on every worker stops the test (data_exhausted).
TEST_F(controller_core_test, feeder_slots_go_by_join_order_and_used_up_data_stops_the_test) {
    bundle_ = {"feed.yaml",
               "host: http://127.0.0.1:1\ndata:\n  accounts: {items: [a, b, c], on_end: "
               "stop_test}\nusers:\n  Browser:\n    tasks:\n      index: {get: "
               "\"/{{ next(accounts) }}\"}\n",
               {}};
    auto compiled = scenario::compile(bundle_);
    ASSERT_TRUE(compiled.result);
    plan_ = compiled.result;
    make();
    join("c");  // joins first: slot 0, though its id sorts last
    join("a");
    join("b");
    core_->start({{3, 100, "", 0}, {}}, now_, wall());
    for (const auto* id : {"a", "b", "c"}) complete_spawn(id);
    advance(500ms, {"a", "b", "c"});
    ASSERT_EQ(core_->state(), run_state::running);
    const auto slot = [&](const std::string& id) {
        const auto* s = latest<proto::spawn>(id);
        return std::pair<std::uint32_t, std::uint32_t>{s->feeder_slot, s->feeder_slots};
    };
    EXPECT_EQ(slot("c"), (std::pair<std::uint32_t, std::uint32_t>{0, 3}));
    EXPECT_EQ(slot("a"), (std::pair<std::uint32_t, std::uint32_t>{1, 3}));
    EXPECT_EQ(slot("b"), (std::pair<std::uint32_t, std::uint32_t>{2, 3}));

    const auto used_up = [&](const std::string& id, std::vector<std::string> names) {
        proto::stats_report r;
        r.sequence = ++sequence_[id];
        r.run_id = latest<proto::spawn>(id)->run_id;
        r.users = users_[id];
        r.exhausted_data = std::move(names);
        core_->on_message(id, r, now_);
    };
    used_up("a", {"accounts"});
    used_up("b", {"no such data set"});  // ignored: not the scenario's
    advance(1s, {"a", "b", "c"});
    EXPECT_EQ(core_->state(), run_state::running);
    used_up("b", {"accounts"});
    used_up("c", {"accounts"});
    advance(500ms, {"a", "b", "c"});
    EXPECT_EQ(core_->state(), run_state::stopping);
    EXPECT_EQ(core_->stop_reason(), stop_reason::data_exhausted);
    EXPECT_EQ(events_containing("Data set 'accounts' used up (on_end: stop_test): stopping"), 1);
}

}  // namespace
}  // namespace swarm::master
