// A virtual user in pooled mode (an open class) with a pool the test plays,
// and the counters every user keeps: iterations ended, the quota claimed per
// iteration (closed users park when it runs out and claim again when woken;
// every claimed iteration ends once, also one an exception cuts short).
#include <gmock/gmock.h>

#include <boost/asio/post.hpp>

#include <optional>
#include <vector>

#include "tests/worker_user/harness.hpp"
#include "worker/user/schedule.hpp"

namespace swarm::worker::user {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;

// Keeps what the user tells it; the test gives iterations.
struct test_pool final : user_pool {
    std::vector<virtual_user*> free;
    std::vector<std::pair<virtual_user*, job>> given;
    int frees = 0;
    bool stop_on_free = false;  // as the engine's pool does when it has shrunk
    void on_free(virtual_user& u) override {
        ++frees;
        if (stop_on_free) {
            u.request_stop(stop_mode::graceful);
            return;
        }
        free.push_back(&u);
    }
    std::optional<job> take(virtual_user& u) override {
        for (auto it = given.begin(); it != given.end(); ++it) {
            if (it->first != &u) continue;
            const job j = it->second;
            given.erase(it);
            return j;
        }
        return std::nullopt;
    }
    void give(virtual_user& u, const scenario::task& t, std::chrono::steady_clock::time_point at) {
        std::erase(free, &u);
        given.emplace_back(&u, job{&t, at});
        u.wake();
    }
};

const char* const open_yaml = R"(host: http://h
users:
  Open:
    wait: {constant: 1h}
    on_start: [{get: /login}]
    on_stop: [{get: /logout}]
    tasks:
      a: {get: /a}
      b: {get: /b}
)";

TEST(pooled_user, runs_each_given_iteration_once_and_records_iter_rows) {
    testing::harness h(open_yaml);
    test_pool pool;
    h.sink.pool = &pool;
    auto& u = h.start();
    EXPECT_TRUE(u.pooled());
    h.io.poll();
    // on_start ran, then the user waits (not looping over its tasks).
    EXPECT_THAT(h.web->lines(), ElementsAre("GET http://h/login"));
    ASSERT_THAT(pool.free, ElementsAre(&u));

    const auto& tasks = h.plan->users[0].root.tasks;
    // Scheduled 50 ms ago: the ITER row counts from then, not from now.
    pool.give(u, tasks[1], std::chrono::steady_clock::now() - 50ms);
    h.io.poll();
    pool.give(u, tasks[0], std::chrono::steady_clock::now());
    h.io.poll();
    EXPECT_THAT(h.web->lines(),
                ElementsAre("GET http://h/login", "GET http://h/b", "GET http://h/a"));
    EXPECT_EQ(pool.frees, 3);  // after on_start and after each iteration, once
    EXPECT_EQ(h.count("ITER", "b"), 1u);
    EXPECT_EQ(h.count("ITER", "a"), 1u);
    EXPECT_EQ(h.failures("ITER", "b"), 0u);
    EXPECT_GE(h.delta.requests.find("ITER", "b")->min_latency_us(), 50'000u);
    EXPECT_EQ(h.counts.of(0).iterations, 2u);

    // A free user stops like any other: on_stop runs.
    u.request_stop(stop_mode::graceful);
    h.run();
    EXPECT_EQ(h.web->lines().back(), "GET http://h/logout");
    EXPECT_EQ(h.finished, 1);
}

TEST(pooled_user, an_iteration_given_but_never_begun_still_ends_once) {
    testing::harness h(open_yaml);
    test_pool pool;
    h.sink.pool = &pool;
    auto& u = h.start();
    // Given before it ran on_start, stopped before it could begin it.
    pool.given.emplace_back(&u, user_pool::job{&h.plan->users[0].root.tasks[0], {}});
    u.request_stop(stop_mode::now);
    h.run();
    EXPECT_EQ(h.counts.of(0).iterations, 1u);
    EXPECT_TRUE(pool.given.empty());
    EXPECT_EQ(h.count("GET", "/a"), 0u);
}

TEST(pooled_user, a_pool_that_stops_it_as_it_frees_ends_it_with_on_stop) {
    testing::harness h(open_yaml);
    test_pool pool;
    pool.stop_on_free = true;
    h.sink.pool = &pool;
    h.start();
    h.io.run_for(2s);  // bounded: a user left waiting would hold the loop forever
    EXPECT_EQ(h.finished, 1);
    EXPECT_THAT(h.web->lines(), ElementsAre("GET http://h/login", "GET http://h/logout"));
}

const char* const closed_yaml = R"(host: http://h
users:
  Closed:
    on_stop: [{get: /bye}]
    tasks:
      t: {get: /t}
)";

// Wakes the parked users as the engine does when the quota grows.
void wake_parked(testing::harness& h) {
    for (auto& u : h.users) {
        if (u->parked()) u->wake();
    }
}

TEST(iteration_quota, closed_users_park_when_it_runs_out_and_a_larger_one_wakes_them) {
    testing::harness h(closed_yaml);
    iteration_budget budget;
    budget.quota = 7;
    h.counts.budget = &budget;
    h.start(1);
    h.start(2);
    h.start(3);
    h.io.run_for(200ms);  // bounded: parked users wait for good
    EXPECT_EQ(h.finished, 0);
    for (auto& u : h.users) EXPECT_TRUE(u->parked());
    EXPECT_EQ(h.count("GET", "/t"), 7u);
    EXPECT_EQ(h.counts.of(0).iterations, 7u);
    EXPECT_EQ(budget.started.load(), 7);
    EXPECT_TRUE(budget.used_up());
    // A larger quota: they claim again, run 3 more and park again.
    budget.quota = 10;
    wake_parked(h);
    h.io.restart();
    h.io.run_for(200ms);
    EXPECT_EQ(h.finished, 0);
    EXPECT_EQ(h.count("GET", "/t"), 10u);
    EXPECT_EQ(h.counts.of(0).iterations, 10u);
    // A stop ends them as usual: on_stop runs.
    for (auto& u : h.users) u->request_stop(stop_mode::graceful);
    h.io.restart();
    h.run();
    EXPECT_EQ(h.finished, 3);
    EXPECT_EQ(h.count("GET", "/bye"), 3u);
    for (auto& u : h.users) EXPECT_FALSE(u->parked());
}

// Every iteration claimed ends exactly once, also one an exception cuts
// short (the user records "internal: ..." and ends).
TEST(iteration_quota, an_iteration_cut_by_an_exception_still_ends_once) {
    testing::harness h(closed_yaml);
    iteration_budget budget;
    budget.quota = 5;
    h.counts.budget = &budget;
    h.web->routes["GET http://h/t"].throws = true;
    h.start(1);
    h.io.run_for(200ms);
    EXPECT_EQ(h.finished, 1);
    EXPECT_EQ(budget.started.load(), 1);
    EXPECT_EQ(h.counts.of(0).iterations, 1u);
    EXPECT_EQ(h.errors("", "Closed", "internal: boom"), 1u);

    // Thrown inside a nested set: the root's iteration ends once too.
    testing::harness n(R"(host: http://h
users:
  Nested:
    tasks:
      outer:
        tasks:
          inner: {get: /t}
)");
    n.counts.budget = &budget;
    budget.started = 0;
    n.web->routes["GET http://h/t"].throws = true;
    n.start(1);
    n.io.run_for(200ms);
    EXPECT_EQ(n.finished, 1);
    EXPECT_EQ(n.counts.of(0).iterations, 1u);

    // An open class's user too.
    testing::harness p(open_yaml);
    test_pool pool;
    p.sink.pool = &pool;
    p.web->routes["GET http://h/a"].throws = true;
    auto& u = p.start();
    p.io.poll();
    pool.give(u, p.plan->users[0].root.tasks[0], std::chrono::steady_clock::now());
    p.io.run_for(200ms);
    EXPECT_EQ(p.finished, 1);
    EXPECT_EQ(p.counts.of(0).iterations, 1u);
}

TEST(iteration_quota, a_claim_past_the_quota_is_undone) {
    iteration_budget b;
    b.quota = 2;
    EXPECT_TRUE(b.claim());
    EXPECT_TRUE(b.claim());
    EXPECT_FALSE(b.claim());
    EXPECT_FALSE(b.claim());
    EXPECT_EQ(b.started.load(), 2);
    b.quota = 3;  // a larger quota lets one more go
    EXPECT_FALSE(b.used_up());
    EXPECT_TRUE(b.claim());
    EXPECT_FALSE(b.claim());
    b.quota = -1;
    EXPECT_TRUE(b.claim());
}

TEST(pacing, overran_is_true_only_for_a_paced_task_longer_than_its_interval) {
    scenario::wait_spec pacing{scenario::wait_spec::kind::pacing, 100ms, 100ms, 0};
    EXPECT_TRUE(overran(pacing, 101ms));
    EXPECT_FALSE(overran(pacing, 100ms));
    scenario::wait_spec throughput{scenario::wait_spec::kind::throughput, {}, {}, 4};  // 250 ms
    EXPECT_TRUE(overran(throughput, 300ms));
    EXPECT_FALSE(overran(throughput, 200ms));
    scenario::wait_spec constant{scenario::wait_spec::kind::constant, 10ms, 10ms, 0};
    EXPECT_FALSE(overran(constant, 1s));
}

}  // namespace
}  // namespace swarm::worker::user
