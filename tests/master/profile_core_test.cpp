// The controller core driving the workload model on simulated time: closed
// stages (one spawn per boundary, with the stage's targets and rate), open
// classes' arrival shares (by threads, at a rate change, for a worker
// joining mid-stage), --iterations (exactly N, a lost worker's unfinished
// quota re-split), an edit handing a profile to manual control, and the
// profile's end. The test plays the workers, as controller_core_test does.
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
using ::testing::HasSubstr;

constexpr const char* scenario_text = R"y(
host: http://127.0.0.1:1
users:
  Browser:
    tasks:
      index: {get: /}
  Shop:
    tasks:
      buy: {get: /buy}
)y";

constexpr std::int64_t wall_at_start = 1'700'000'000'000;

class profile_core_test : public ::testing::Test {
  protected:
    profile_core_test() : bundle_{"two.yaml", scenario_text, {}} {}

    // `shop`: Shop becomes an open class with these arrivals (else both are closed).
    void make(const std::optional<scenario::arrival_spec>& shop = {}) {
        auto compiled = scenario::compile(bundle_);
        ASSERT_TRUE(compiled.result)
            << (compiled.errors.empty() ? "" : compiled.errors.front().to_string());
        auto plan = std::make_shared<scenario::plan>(*compiled.result);
        if (shop) plan->users[1].arrival = shop;
        core_options opts;
        opts.log = log_.logger("swarm master");
        core_ = std::make_unique<controller_core>(
            bundle_, plan,
            [this](const std::string& w, const proto::message& m) { sent_[w].push_back(m); },
            std::move(opts), now_, wall());
        core_->on_event = [this](const std::string& text) { events_.push_back(text); };
    }
    static scenario::arrival_spec shop_arrivals(
        double start_rate, const std::vector<std::pair<scenario::duration, double>>& stages,
        std::int64_t max_users, std::int64_t pre_allocate = 0) {
        scenario::arrival_spec a;
        a.start_rate = start_rate;
        for (const auto& [length, rate] : stages) a.stages.push_back({length, rate, {}});
        a.max_users = max_users;
        a.pre_allocate = pre_allocate;
        return a;
    }

    std::int64_t wall() const {
        return wall_at_start +
               std::chrono::duration_cast<std::chrono::milliseconds>(now_ - t0_).count();
    }
    void join(const std::string& id, std::uint32_t threads = 1) {
        core_->on_message(id, proto::hello{proto::protocol_version, "host-" + id, id, threads, 1},
                          now_);
        core_->on_message(id, proto::ready{bundle_.hash()}, now_);
    }
    const proto::spawn& spawn(const std::string& id) const {
        const auto& list = sent_.at(id);
        const auto m = std::find_if(list.rbegin(), list.rend(), [](const proto::message& x) {
            return std::holds_alternative<proto::spawn>(x);
        });
        return std::get<proto::spawn>(*m);
    }
    int spawns(const std::string& id) const {
        int n = 0;
        if (const auto it = sent_.find(id); it != sent_.end()) {
            for (const auto& m : it->second) n += std::holds_alternative<proto::spawn>(m) ? 1 : 0;
        }
        return n;
    }
    std::int64_t target(const std::string& id) const {
        std::int64_t n = 0;
        for (const auto& [name, users] : spawn(id).targets) n += users;
        return n;
    }
    const proto::arrival_share& share(const std::string& id) const {
        return spawn(id).arrivals.at(0);
    }
    // The worker reached its spawn's targets.
    void complete(const std::string& id) {
        users_[id] = target(id);
        core_->on_message(id, proto::spawn_complete{spawn(id).run_id, users_[id]}, now_);
    }
    // A stats report whose class counters say `iterations` ended (and
    // `dropped` Shop arrivals were dropped).
    void report(const std::string& id, std::uint64_t iterations, std::uint64_t dropped = 0) {
        stats::delta d;
        d.classes.at("Browser").iterations = iterations;
        if (dropped > 0) d.classes.at("Shop").dropped_iterations = dropped;
        core_->on_message(id, proto::stats_report{++sequence_[id], spawn(id).run_id, users_[id], d},
                          now_);
    }
    // 500 ms steps: the workers in `talking` heartbeat, the core ticks.
    void advance(control_clock::duration d, const std::vector<std::string>& talking) {
        for (control_clock::duration t{}; t < d; t += 500ms) {
            now_ += 500ms;
            for (const auto& id : talking)
                core_->on_message(id, proto::heartbeat{1, 1 << 20, users_[id], 0.1}, now_);
            core_->caught_up(now_);
            core_->tick(now_, wall());
        }
    }
    int events_containing(const std::string& part) const {
        return static_cast<int>(std::count_if(events_.begin(), events_.end(), [&](const auto& e) {
            return e.find(part) != std::string::npos;
        }));
    }
    test_request request(std::int64_t users, double rate,
                         std::vector<scenario::load_stage> stages = {},
                         std::optional<std::int64_t> iterations = {}) {
        test_request r{{users, rate, "", 0}, {}};
        r.stages = std::move(stages);
        r.iterations = iterations;
        return r;
    }

    scenario::bundle bundle_;
    const control_clock::time_point t0_{std::chrono::seconds(1000)};
    control_clock::time_point now_ = t0_;
    test::log_capture log_;
    std::map<std::string, std::vector<proto::message>> sent_;
    std::map<std::string, std::int64_t> users_;
    std::map<std::string, std::uint64_t> sequence_;
    std::vector<std::string> events_;
    std::unique_ptr<controller_core> core_;
};

TEST_F(profile_core_test, each_stage_boundary_sends_one_spawn_with_its_targets_and_rate) {
    make();
    join("a");
    join("b");
    // -u/-r are ignored with stages: 10 users at 5/s, then down to 4 at 2/s.
    core_->start(request(999, 999, {{10s, 10, 5, {}}, {10s, 4, 2, {}}}), now_, wall());
    EXPECT_EQ(target("a") + target("b"), 10);
    EXPECT_DOUBLE_EQ(spawn("a").spawn_rate + spawn("b").spawn_rate, 5.0);
    EXPECT_EQ(spawn("a").iteration_quota, -1);
    EXPECT_TRUE(spawn("a").arrivals.empty());
    EXPECT_EQ(core_->planned_users(now_), 0);
    complete("a");
    complete("b");
    advance(1s, {"a", "b"});
    EXPECT_EQ(core_->planned_users(now_), 5);
    advance(8500ms, {"a", "b"});  // 9.5 s: still the first stage
    EXPECT_EQ(spawns("a"), 1);
    EXPECT_EQ(spawns("b"), 1);
    EXPECT_EQ(core_->planned_users(now_), 10);
    // The stats' history carries the line (the UI's chart, the CSV).
    ASSERT_FALSE(core_->stats().history().empty());
    std::uint32_t previous = 0;
    for (const auto& h : core_->stats().history()) {
        ASSERT_TRUE(h.planned_users);
        EXPECT_GE(*h.planned_users, previous);  // the ramp's line, rising
        previous = *h.planned_users;
    }
    EXPECT_GT(core_->stats().history().front().planned_users, 0u);
    EXPECT_EQ(core_->stats().history().back().planned_users, 10u);
    advance(500ms, {"a", "b"});  // 10 s: the second stage
    EXPECT_EQ(spawns("a"), 2);
    EXPECT_EQ(spawns("b"), 2);
    EXPECT_EQ(target("a") + target("b"), 4);
    EXPECT_DOUBLE_EQ(spawn("a").spawn_rate + spawn("b").spawn_rate, 2.0);
    EXPECT_EQ(events_containing("Stage 1 of 2: 10 users at 5 users/s"), 1);
    EXPECT_EQ(events_containing("Stage 2 of 2: 4 users at 2 users/s"), 1);
    complete("a");
    complete("b");
    advance(2s, {"a", "b"});
    EXPECT_EQ(core_->planned_users(now_), 6);  // 10 − 2 s × 2/s
    advance(7500ms, {"a", "b"});               // 19.5 s: no spawn between boundaries
    EXPECT_EQ(spawns("a"), 2);
    EXPECT_EQ(core_->state(), run_state::running);
    advance(500ms, {"a", "b"});  // 20 s: the profile is over
    EXPECT_EQ(events_containing("Load profile finished: stopping"), 1);
    EXPECT_EQ(core_->state(), run_state::stopping);
    EXPECT_EQ(spawns("a"), 2);
    EXPECT_FALSE(core_->planned_users(now_));
}

// An open class's boundary re-applies the profile mid-stage (a new spawn
// with its shares); the stage it is in was already announced.
TEST_F(profile_core_test, an_open_class_boundary_mid_stage_does_not_announce_the_stage_again) {
    make(shop_arrivals(10, {{3s, 10}, {3s, 40}, {0s, 40}}, 100));
    join("a");
    core_->start(request(0, 1, {{10s, 4, 4, {}}, {10s, 2, 2, {}}}), now_, wall());
    complete("a");
    advance(12s, {"a"});  // Shop's boundaries at 3 s and 6 s, the stage's at 10 s
    EXPECT_GE(spawns("a"), 4);
    EXPECT_EQ(events_containing("Stage 1 of 2"), 1);
    EXPECT_EQ(events_containing("Stage 2 of 2"), 1);
}

TEST_F(profile_core_test, run_time_ends_a_profile_that_would_last_longer) {
    make();
    join("a");
    auto r = request(0, 1, {{20s, 4, 4, {}}});
    r.run_time = 5s;
    core_->start(r, now_, wall());
    complete("a");
    advance(5s, {"a"});
    EXPECT_EQ(core_->state(), run_state::stopping);
    EXPECT_EQ(events_containing("Run time limit reached"), 1);
    EXPECT_EQ(events_containing("Load profile finished"), 0);
}

TEST_F(profile_core_test, a_worker_joining_or_leaving_mid_stage_changes_the_split_at_once) {
    make();
    join("a");
    join("b");
    core_->start(request(0, 1, {{20s, 10, 100, {}}}), now_, wall());
    complete("a");
    complete("b");
    advance(5s, {"a", "b"});
    join("c");
    EXPECT_EQ(spawns("a"), 2);
    EXPECT_EQ(spawns("c"), 1);
    EXPECT_EQ(target("a") + target("b") + target("c"), 10);  // the stage's users, not more
    complete("a");
    complete("b");
    complete("c");
    advance(1s, {"a", "b", "c"});
    core_->on_message("c", proto::quit{"bye"}, now_);
    EXPECT_EQ(spawns("a"), 3);
    EXPECT_EQ(target("a") + target("b"), 10);
}

TEST_F(profile_core_test, arrival_shares_follow_threads_the_rate_and_joining_workers) {
    // Shop: 0 → 100/s over 10 s, then holds; a pool of 10, 4 made at once.
    make(shop_arrivals(0, {{10s, 100}, {0s, 100}}, 10, 4));
    join("a", 1);
    join("b", 3);
    core_->start(request(0, 1), now_, wall());
    // Browser is the only closed class: Shop has no target, only arrivals.
    ASSERT_EQ(spawn("a").targets.size(), 1u);
    EXPECT_EQ(spawn("a").targets[0].first, "Browser");
    EXPECT_EQ(share("a").user_class, "Shop");
    EXPECT_DOUBLE_EQ(share("a").rate, 0);
    EXPECT_DOUBLE_EQ(share("a").rate_end, 25);
    EXPECT_EQ(share("a").ramp_ms, 10000);
    EXPECT_DOUBLE_EQ(share("b").rate_end, 75);
    EXPECT_EQ(share("a").max_users, 3);  // 2.5 / 7.5: the tie to the first
    EXPECT_EQ(share("b").max_users, 7);
    EXPECT_EQ(share("a").pre_allocate, 1);
    // Staggered so that the two workers' arrivals interleave evenly.
    EXPECT_DOUBLE_EQ(share("a").phase, 0.5);
    EXPECT_DOUBLE_EQ(share("b").phase, 1.0);
    EXPECT_EQ(share("b").pre_allocate, 3);
    complete("a");
    complete("b");
    advance(5s, {"a", "b"});
    EXPECT_EQ(spawns("a"), 1);  // no chatter while the rate ramps
    join("c", 4);               // at 50/s: shares 1/8, 3/8, 4/8 at once
    EXPECT_EQ(spawns("a"), 2);
    EXPECT_DOUBLE_EQ(share("a").rate, 6.25);
    EXPECT_DOUBLE_EQ(share("a").rate_end, 12.5);
    EXPECT_EQ(share("a").ramp_ms, 5000);
    EXPECT_DOUBLE_EQ(share("c").rate, 25);
    EXPECT_DOUBLE_EQ(share("a").rate + share("b").rate + share("c").rate, 50);
    EXPECT_EQ(share("a").max_users + share("b").max_users + share("c").max_users, 10);
    complete("a");
    complete("b");
    complete("c");
    advance(5s, {"a", "b", "c"});  // 10 s: the rate change
    EXPECT_EQ(spawns("a"), 3);
    EXPECT_DOUBLE_EQ(share("a").rate, 12.5);
    EXPECT_DOUBLE_EQ(share("a").rate_end, 12.5);
    EXPECT_EQ(share("a").ramp_ms, 0);
    EXPECT_DOUBLE_EQ(share("c").rate, 50);
    complete("a");
    complete("b");
    complete("c");
    advance(20s, {"a", "b", "c"});  // an unbounded rate: no end, no more spawns
    EXPECT_EQ(spawns("a"), 3);
    EXPECT_EQ(core_->state(), run_state::running);
}

TEST_F(profile_core_test, a_bounded_arrival_profile_ends_the_test_and_says_if_the_pool_is_small) {
    make(shop_arrivals(20, {{4s, 20}}, 1));
    join("a");
    join("b");
    core_->start(request(0, 1), now_, wall());
    EXPECT_EQ(share("a").max_users + share("b").max_users, 1);
    EXPECT_EQ(events_containing("max_users 1 is less than the 2 workers"), 1);
    complete("a");
    complete("b");
    advance(3500ms, {"a", "b"});
    EXPECT_EQ(core_->state(), run_state::running);
    advance(500ms, {"a", "b"});
    EXPECT_EQ(core_->state(), run_state::stopping);
    EXPECT_EQ(events_containing("Load profile finished"), 1);
    EXPECT_EQ(events_containing("max_users 1 is less"), 1);  // once
}

TEST_F(profile_core_test, dropped_arrivals_are_reported_once_per_class) {
    make(shop_arrivals(50, {{0s, 50}}, 2000));
    join("a");
    core_->start(request(0, 1), now_, wall());
    complete("a");
    advance(1s, {"a"});
    report("a", 5, 12);
    advance(1s, {"a"});
    report("a", 5, 3);
    advance(1s, {"a"});
    EXPECT_EQ(events_containing(
                  "Shop: 12 arrivals dropped \u2014 all 2000 users of its pool were busy; raise "
                  "max_users"),
              1);
    EXPECT_EQ(events_containing("arrivals dropped"), 1);
}

TEST_F(profile_core_test, iterations_count_to_exactly_n_then_stop) {
    make();
    join("a");
    join("b");
    core_->start(request(2, 2, {}, 10), now_, wall());
    EXPECT_EQ(spawn("a").iteration_quota, 5);
    EXPECT_EQ(spawn("b").iteration_quota, 5);
    complete("a");
    complete("b");
    report("a", 3);
    report("b", 5);
    advance(1s, {"a", "b"});
    EXPECT_EQ(core_->workers().iterations_done(), 8);
    EXPECT_EQ(core_->state(), run_state::running);
    report("a", 1);
    advance(500ms, {"a", "b"});
    EXPECT_EQ(core_->state(), run_state::running);  // 9 of 10
    report("a", 1);
    advance(500ms, {"a", "b"});
    EXPECT_EQ(core_->state(), run_state::stopping);
    EXPECT_EQ(events_containing("All 10 iterations done: stopping"), 1);
}

TEST_F(profile_core_test, a_lost_worker_s_unfinished_quota_goes_to_the_others) {
    make();
    join("a");
    join("b");
    join("c");
    core_->start(request(3, 3, {}, 12), now_, wall());
    EXPECT_EQ(spawn("a").iteration_quota, 4);
    complete("a");
    complete("b");
    complete("c");
    report("a", 1);
    advance(4s, {"b", "c"});  // a falls silent: missing after 3 s
    // a's 3 unfinished iterations: 1.5 each, the tie to the first.
    EXPECT_EQ(spawn("b").iteration_quota, 6);
    EXPECT_EQ(spawn("c").iteration_quota, 5);
    report("b", 6);
    report("c", 4);
    advance(500ms, {"b", "c"});
    EXPECT_EQ(core_->state(), run_state::running);  // 11 of 12
    report("c", 1);
    advance(500ms, {"b", "c"});
    EXPECT_EQ(core_->state(), run_state::stopping);
    EXPECT_EQ(core_->workers().iterations_done(), 12);
}

TEST_F(profile_core_test, a_worker_that_leaves_or_restarts_hands_back_its_unfinished_quota) {
    make();
    join("a");
    join("b");
    core_->start(request(2, 2, {}, 10), now_, wall());
    complete("a");
    complete("b");
    report("a", 2);
    report("b", 1);
    advance(500ms, {"a", "b"});
    // b's process restarts (hello, ready): its 1 stays counted, its 4 left
    // are split again, and its new process counts from 0.
    join("b");
    EXPECT_EQ(spawn("a").iteration_quota, 7);  // 5 + 2
    EXPECT_EQ(spawn("b").iteration_quota, 2);
    complete("a");
    complete("b");
    report("b", 2);
    advance(500ms, {"a", "b"});
    // a leaves having done 2 of its 7: b takes the 5 on top of its 2.
    core_->on_message("a", proto::quit{"bye"}, now_);
    EXPECT_EQ(spawn("b").iteration_quota, 7);
    EXPECT_EQ(core_->workers().iterations_done(), 5);
    report("b", 5);
    advance(500ms, {"b"});
    EXPECT_EQ(core_->workers().iterations_done(), 10);
    EXPECT_EQ(core_->state(), run_state::stopping);
}

TEST_F(profile_core_test, an_edit_of_a_profile_test_switches_to_manual) {
    make();
    join("a");
    core_->start(request(0, 1, {{10s, 10, 5, {}}, {10s, 20, 5, {}}}), now_, wall());
    complete("a");
    advance(3s, {"a"});
    EXPECT_FALSE(core_->manual());
    EXPECT_TRUE(core_->planned_users(now_));
    core_->start(request(3, 1), now_, wall());
    EXPECT_TRUE(core_->manual());
    EXPECT_FALSE(core_->planned_users(now_));
    EXPECT_EQ(events_containing("Edit: the profile stopped; users are under manual control"), 1);
    EXPECT_EQ(target("a"), 3);
    EXPECT_EQ(spawns("a"), 2);
    complete("a");
    advance(20s, {"a"});  // past both boundaries and the profile's end
    EXPECT_EQ(spawns("a"), 2);
    EXPECT_EQ(target("a"), 3);
    EXPECT_EQ(core_->state(), run_state::running);
}

}  // namespace
}  // namespace swarm::master
