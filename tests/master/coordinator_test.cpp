// The coordinator on simulated time: workers join, go missing, come back and
// leave, during and after the ramp, and the users always add up to the test's
// figure with fixed_count classes exact; stats reports are merged once each.
#include <gmock/gmock.h>
#include <algorithm>

#include <map>
#include <string>

#include "master/coordinator.hpp"
#include "tests/support/log_capture.hpp"

namespace swarm::master {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* two_classes = R"y(
host: http://127.0.0.1:1
users:
  Browser:
    weight: 3
    tasks:
      index: {get: /}
  Admin:
    fixed_count: 2
    tasks:
      about: {get: /about}
)y";

// A coordinator with every message it sends recorded per worker.
class coordinator_test : public ::testing::Test {
  protected:
    coordinator_test() : bundle_{"two.yaml", two_classes, {}} {
        auto compiled = scenario::compile(bundle_);
        EXPECT_TRUE(compiled.result)
            << (compiled.errors.empty() ? "" : compiled.errors.front().to_string());
        coord_ = std::make_unique<coordinator>(
            bundle_, compiled.result,
            [this](const std::string& w, const proto::message& m) { sent_[w].push_back(m); }, now_,
            0, log_.logger("swarm master"));
    }

    // hello → welcome + bundle; then ready.
    void join(const std::string& id, const std::string& host) {
        coord_->on_message(id, proto::hello{proto::protocol_version, host, id, 1, 1}, now_);
        coord_->on_message(id, proto::ready{bundle_.hash()}, now_);
    }
    // The newest spawn sent to `id`: class name → users.
    std::map<std::string, std::int64_t> targets(const std::string& id) const {
        std::map<std::string, std::int64_t> out;
        for (const auto& [name, n] : latest_spawn(id).targets) out[name] = n;
        return out;
    }
    // Class → users summed over the given workers' newest spawns.
    std::map<std::string, std::int64_t> cluster(const std::vector<std::string>& ids) const {
        std::map<std::string, std::int64_t> sum;
        for (const auto& id : ids) {
            for (const auto& [name, n] : targets(id)) sum[name] += n;
        }
        return sum;
    }
    // Every worker in `talking` says something (a heartbeat) every 500 ms,
    // the master handles it at once and finds its queue empty, then ticks.
    void advance(std::chrono::milliseconds d, const std::vector<std::string>& talking) {
        for (auto t = 0ms; t < d; t += 500ms) {
            now_ += 500ms;
            for (const auto& id : talking) coord_->on_message(id, proto::heartbeat{}, now_);
            coord_->caught_up(now_);
            coord_->tick(now_, 0);
        }
    }
    // Time passes while the master works through a backlog: it ticks, but
    // never finds its queue empty, and the workers' heartbeats wait in it.
    void fall_behind(std::chrono::milliseconds d) {
        for (auto t = 0ms; t < d; t += 500ms) {
            now_ += 500ms;
            coord_->tick(now_, 0);
        }
    }
    const proto::spawn& latest_spawn(const std::string& id) const {
        const auto& list = sent_.at(id);
        const auto m = std::find_if(list.rbegin(), list.rend(), [](const proto::message& x) {
            return std::holds_alternative<proto::spawn>(x);
        });
        if (m != list.rend()) return std::get<proto::spawn>(*m);
        throw std::logic_error("no spawn sent to " + id);
    }
    template <class T>
    int count_sent(const std::string& id) const {
        int n = 0;
        for (const auto& m : sent_.at(id)) n += std::holds_alternative<T>(m) ? 1 : 0;
        return n;
    }

    scenario::bundle bundle_;
    test::log_capture log_;
    control_clock::time_point now_{std::chrono::seconds(1000)};
    std::map<std::string, std::vector<proto::message>> sent_;
    std::unique_ptr<coordinator> coord_;
};

TEST_F(coordinator_test, users_are_split_exactly_with_fixed_count_honoured) {
    join("a", "h1");
    join("b", "h2");
    join("c", "h1");
    coord_->start({11, 6, "", 0}, now_, 0);
    EXPECT_EQ(cluster({"a", "b", "c"}),
              (std::map<std::string, std::int64_t>{{"Admin", 2}, {"Browser", 9}}));
    for (const auto& id : {"a", "b", "c"}) {
        std::int64_t total = 0;
        for (const auto& [name, n] : targets(id)) total += n;
        EXPECT_GE(total, 3);
        EXPECT_LE(total, 4);
    }
    // The cluster's rate is shared out, not given to each.
    double rate = 0;
    for (const auto& id : {"a", "b", "c"}) rate += latest_spawn(id).spawn_rate;
    EXPECT_NEAR(rate, 6.0, 1e-9);
}

TEST_F(coordinator_test, a_missing_worker_s_users_go_to_the_others_and_come_back) {
    join("a", "h1");
    join("b", "h2");
    join("c", "h3");
    coord_->start({12, 100, "", 0}, now_, 0);
    advance(2s, {"a", "b", "c"});
    advance(4s, {"a", "b"});  // c silent > 3 s
    EXPECT_EQ(coord_->workers().at("c").state, worker_state::missing);
    EXPECT_EQ(cluster({"a", "b"}),
              (std::map<std::string, std::int64_t>{{"Admin", 2}, {"Browser", 10}}));
    EXPECT_THAT(coord_->workers_lost(), ElementsAre("c"));

    // c talks again: it takes its share back, and the total stays 12.
    coord_->on_message("c", proto::heartbeat{}, now_);
    EXPECT_NE(coord_->workers().at("c").state, worker_state::missing);
    const auto all = cluster({"a", "b", "c"});
    EXPECT_EQ(all.at("Admin") + all.at("Browser"), 12);
    EXPECT_EQ(all.at("Admin"), 2);
    EXPECT_GE(targets("c").at("Browser") + targets("c").at("Admin"), 4);
    EXPECT_THAT(log_.lines(), ElementsAre("swarm master: worker c is missing (silent for 3 s)",
                                          "swarm master: worker c is back"));
}

// Issue 12: a worker back from missing ramps at the rate its real users
// need. For each worker of the latest spawns: seconds to reach its targets
// from `running` (users now) at its spawn rate; and the cluster's start rate
// never above its stop rate (no overshoot while one fills and others shed).
struct recovery {
    double slowest_s = 0;
    double start_rate = 0;  // users/s, summed over workers below their target
    double stop_rate = 0;   // users/s, summed over workers above it
};

class coordinator_return_test : public coordinator_test {
  protected:
    // 60 users at 10/s on a, b, c; c goes silent 4 s and a, b take its 20.
    void run_until_c_is_missing() {
        join("a", "h1");
        join("b", "h2");
        join("c", "h3");
        coord_->start({60, 10, "", 0}, now_, 0);
        advance(2s, {"a", "b", "c"});
        advance(4s, {"a", "b"});
        ASSERT_EQ(coord_->workers().at("c").state, worker_state::missing);
        ASSERT_EQ(latest_spawn("a").targets.at(0).second + latest_spawn("a").targets.at(1).second,
                  30);
    }
    recovery measure(const std::map<std::string, std::int64_t>& running) const {
        recovery r;
        for (const auto& [id, now] : running) {
            const auto& s = latest_spawn(id);
            std::int64_t target = 0;
            for (const auto& [name, n] : s.targets) target += n;
            const auto todo = std::llabs(target - now);
            if (todo == 0) continue;
            r.slowest_s = std::max(r.slowest_s, static_cast<double>(todo) / s.spawn_rate);
            (target > now ? r.start_rate : r.stop_rate) += s.spawn_rate;
        }
        return r;
    }
};

TEST_F(coordinator_return_test, a_worker_that_lost_its_users_and_says_hello_again_gets_its_rate) {
    run_until_c_is_missing();
    // c lost the master meanwhile (its users stopped) and joins again.
    join("c", "h3");
    const auto r = measure({{"a", 30}, {"b", 30}, {"c", 0}});
    EXPECT_LE(r.slowest_s, 60.0 / 10 + 2) << "users/rate + 2 s";
    EXPECT_LE(r.start_rate, r.stop_rate + 1e-9) << "c fills no faster than a and b shed";
    EXPECT_THAT(coord_->workers_lost(), ElementsAre("c")) << "named once";
}

TEST_F(coordinator_return_test, a_worker_back_from_missing_with_no_users_gets_its_rate) {
    run_until_c_is_missing();
    // c was paused past the bound: it stopped the users the others took over.
    coord_->on_message("c", proto::heartbeat{0, 0, 0, 0}, now_);
    const auto r = measure({{"a", 30}, {"b", 30}, {"c", 0}});
    EXPECT_LE(r.slowest_s, 60.0 / 10 + 2);
    EXPECT_LE(r.start_rate, r.stop_rate + 1e-9);
}

TEST_F(coordinator_return_test, a_worker_back_from_missing_with_its_users_lets_the_others_shed) {
    run_until_c_is_missing();
    coord_->on_message("c", proto::heartbeat{0, 0, 20, 0}, now_);
    const auto r = measure({{"a", 30}, {"b", 30}, {"c", 20}});
    EXPECT_LE(r.slowest_s, 60.0 / 10 + 2);
    EXPECT_EQ(r.start_rate, 0);
    EXPECT_NEAR(r.stop_rate, 10, 1e-9);
}

// Missing across the end of a test, it never got the stop: told now, or it
// would restart the users it held on hearing from the master again.
TEST_F(coordinator_return_test, a_worker_back_after_the_test_stopped_is_told_to_stop) {
    run_until_c_is_missing();
    coord_->stop(now_);
    EXPECT_EQ(count_sent<proto::stop>("c"), 0) << "a missing worker is not sent the stop";
    coord_->on_message("c", proto::heartbeat{0, 0, 0, 0}, now_);
    EXPECT_EQ(count_sent<proto::stop>("c"), 1);
    EXPECT_EQ(count_sent<proto::stop>("a"), 1) << "the others got the test's stop only";
}

TEST_F(coordinator_test, a_master_that_falls_behind_does_not_call_live_workers_missing) {
    join("a", "h1");
    join("b", "h2");
    coord_->start({10, 100, "", 0}, now_, 0);
    advance(2s, {"a", "b"});
    const auto spawns_before = count_sent<proto::spawn>("a");

    // 6 s behind (twice missing_after): both workers sent heartbeats all
    // along, but they are still queued.
    fall_behind(6s);
    EXPECT_EQ(coord_->workers().at("a").state, worker_state::spawning);
    EXPECT_EQ(coord_->workers().at("b").state, worker_state::spawning);
    EXPECT_TRUE(coord_->workers_lost().empty());
    EXPECT_EQ(count_sent<proto::spawn>("a"), spawns_before);  // no rebalance

    // It catches up: the queued heartbeats are handled, then the queue is empty.
    coord_->on_message("a", proto::heartbeat{}, now_);
    coord_->on_message("b", proto::heartbeat{}, now_);
    coord_->caught_up(now_);
    coord_->tick(now_, 0);
    EXPECT_TRUE(coord_->workers_lost().empty());

    // A worker that really is silent is still found once the master keeps up.
    advance(4s, {"a"});
    EXPECT_EQ(coord_->workers().at("b").state, worker_state::missing);
    EXPECT_THAT(coord_->workers_lost(), ElementsAre("b"));
}

TEST_F(coordinator_test, a_master_behind_for_long_says_so_once_per_episode) {
    join("a", "h1");
    coord_->start({1, 1, "", 0}, now_, 0);
    advance(12s, {"a"});  // keeps up
    EXPECT_THAT(log_.text(), Not(HasSubstr("behind")));

    fall_behind(9500ms);
    EXPECT_THAT(log_.text(), Not(HasSubstr("behind")));
    fall_behind(10s);
    EXPECT_THAT(
        log_.lines(),
        ElementsAre(
            "swarm master: behind the workers' messages for 10 s: until it catches up, stats lag "
            "and "
            "no worker can be found missing (too many workers for one master? each report costs it "
            "about 0.35 ms)"));

    // Caught up, then behind again: a new episode, a new warning.
    log_.clear();
    advance(2s, {"a"});
    fall_behind(11s);
    EXPECT_THAT(log_.lines(), ElementsAre(HasSubstr("behind the workers' messages for 10 s")));
}

TEST_F(coordinator_test, silence_counts_only_up_to_the_last_time_the_queue_was_empty) {
    join("a", "h1");
    coord_->start({1, 1, "", 0}, now_, 0);
    const auto heard = now_;
    coord_->caught_up(heard);
    // The master last found its queue empty 2 s after a's last message, and
    // has been busy since: 2 s of known silence, not 10.
    coord_->caught_up(heard + 2s);
    now_ = heard + 10s;
    coord_->tick(now_, 0);
    EXPECT_NE(coord_->workers().at("a").state, worker_state::missing);
    // caught_up() never moves back.
    coord_->caught_up(heard);
    coord_->caught_up(heard + 3500ms);
    coord_->tick(now_, 0);
    EXPECT_EQ(coord_->workers().at("a").state, worker_state::missing);
}

TEST_F(coordinator_test, a_late_joiner_gets_its_share_and_a_leaver_s_users_are_redistributed) {
    join("a", "h1");
    coord_->start({9, 10, "", 0}, now_, 0);
    EXPECT_EQ(cluster({"a"}), (std::map<std::string, std::int64_t>{{"Admin", 2}, {"Browser", 7}}));
    join("b", "h2");  // mid-ramp
    auto both = cluster({"a", "b"});
    EXPECT_EQ(both.at("Admin") + both.at("Browser"), 9);
    EXPECT_EQ(both.at("Admin"), 2);
    coord_->on_message("a", proto::quit{"terminated"}, now_);
    EXPECT_EQ(cluster({"b"}), (std::map<std::string, std::int64_t>{{"Admin", 2}, {"Browser", 7}}));
    EXPECT_EQ(coord_->participants(), (std::vector<std::string>{"a", "b"}));
}

TEST_F(coordinator_test, reports_count_once_and_gaps_are_counted) {
    join("a", "h1");
    coord_->start({1, 1, "", 0}, now_, 0);
    const auto run_id = latest_spawn("a").run_id;
    stats::delta d;
    d.requests.record("GET", "/", 1000, 10, false);
    auto report = [&](std::uint64_t seq) {
        coord_->on_message("a", proto::stats_report{seq, run_id, 1, d}, now_);
    };
    report(1);
    report(1);  // duplicate: dropped
    report(2);
    report(5);  // 3 and 4 lost
    EXPECT_EQ(coord_->stats().total().requests(), 3u);
    EXPECT_EQ(coord_->lost_reports(), 2u);
    // A report of an older test is not counted.
    coord_->on_message("a", proto::stats_report{6, run_id + 7, 1, d}, now_);
    EXPECT_EQ(coord_->stats().total().requests(), 3u);
}

TEST_F(coordinator_test, strangers_are_ignored_and_old_protocols_rejected) {
    coord_->on_message("ghost", proto::heartbeat{}, now_);
    coord_->on_message("ghost", proto::quit{"bye"}, now_);
    EXPECT_EQ(sent_.count("ghost"),
              0u);  // no reject: it would make a worker of a previous master exit
    EXPECT_TRUE(coord_->workers().empty());
    EXPECT_THAT(
        log_.lines(),
        ElementsAre("swarm master: ignoring heartbeat from a worker that has not said hello "
                    "(it will, once it notices this master)"));  // once per stranger

    coord_->on_message("old", proto::hello{proto::protocol_version + 1, "h", "old", 1, 1}, now_);
    ASSERT_EQ(sent_["old"].size(), 1u);
    const auto reason = "protocol version " + std::to_string(proto::protocol_version + 1) +
                        " is not supported (master speaks " +
                        std::to_string(proto::protocol_version) + ")";
    EXPECT_EQ(std::get<proto::reject>(sent_["old"].front()).reason, reason);
    EXPECT_TRUE(coord_->workers().empty());
    EXPECT_THAT(log_.text(), HasSubstr("swarm master: rejected worker old: " + reason));
}

TEST_F(coordinator_test, stop_waits_for_every_worker_then_a_new_test_starts_fresh) {
    join("a", "h1");
    join("b", "h2");
    coord_->start({4, 4, "", 0}, now_, 0);
    coord_->stop(now_);
    EXPECT_FALSE(coord_->all_stopped());
    coord_->on_message("a", proto::stopped{}, now_);
    EXPECT_FALSE(coord_->all_stopped());
    coord_->on_message("b", proto::stopped{}, now_);
    EXPECT_TRUE(coord_->all_stopped());
    EXPECT_EQ(count_sent<proto::stop>("a"), 1);

    const auto first_run = latest_spawn("a").run_id;
    coord_->start({2, 4, "", 0}, now_, 0);
    EXPECT_GT(latest_spawn("a").run_id, first_run);
    EXPECT_EQ(coord_->stats().total().requests(), 0u);
}

}  // namespace
}  // namespace swarm::master
