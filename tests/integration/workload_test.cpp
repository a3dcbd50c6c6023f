// The workload model end to end (issue 13): `swarm run --headless` (and a
// master with two workers) against a real `swarm target`, each behaviour held
// against the target's own counters — its per-second arrivals, its request
// totals per path. Traffic goes to 127.0.0.1 only; each case is bounded by its
// -t / profile (a few seconds) and run_swarm's timeout.
#include <gmock/gmock.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "tests/integration/cluster_support.hpp"
#include "tests/integration/run_support.hpp"
#include "tests/integration/workload_support.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {
namespace {

using ::testing::HasSubstr;

std::int64_t as_int(const std::string& cell) {
    return cell.empty() ? -1 : std::stoll(cell);
}

// (a) A closed profile: users at each stage's end are the stage's, and the
// profile's end ends the test (no -t).
TEST(workload_integration_test, stages_reach_each_stages_users_and_end_with_the_profile) {
    auto target = start_target();
    const auto path = write_scenario("stages.yaml", R"y(
load:
  stages:
    - {duration: 3s, users: 4, rate: 100}
    - {duration: 3s, users: 8, rate: 100}
users:
  Browser:
    wait: {constant: 100ms}
    tasks:
      index: {get: /}
)y");
    const auto prefix = ::testing::TempDir() + "/stages_run";
    const auto run = run_swarm(path, {"-H", target.url, "--csv", prefix}, 30);
    ASSERT_EQ(run.exit_code, 0) << run.output;
    ASSERT_TRUE(run.result.is_object()) << run.output;
    const double duration_s = run.result.at("run").at("duration_s").to_number<double>();
    EXPECT_GE(duration_s, 5.5) << run.output;
    EXPECT_LE(duration_s, 8.0) << run.output;
    EXPECT_EQ(total_requests(run.result), read_target_stats(target.url).total);

    // A history row's users are sampled when its second closes (up to about a
    // second late), so rows are read in order rather than by time: the users
    // go 4 (stage 1) then 8 (stage 2) — nothing else while the test runs, the
    // ramps at 100 users/s being shorter than a row — and the planned line says
    // the same. Rows after the end show 0.
    const auto rows = read_csv(prefix + "_stats_history.csv");
    std::vector<std::int64_t> users;
    for (const auto& row : rows) {
        const std::int64_t n = as_int(row.at("User Count"));
        if (n == 0 && !users.empty()) break;  // the test ended
        if (n == 0) continue;
        users.push_back(n);
        EXPECT_EQ(as_int(row.at("Planned Users")), n) << "at " << row.at("Timestamp");
    }
    ASSERT_FALSE(users.empty());
    const auto first_8 = std::find(users.begin(), users.end(), 8);
    const auto fours = std::count(users.begin(), first_8, 4);
    EXPECT_EQ(fours, first_8 - users.begin()) << "stage 1 rows are all 4";
    EXPECT_EQ(std::count(first_8, users.end(), 8), users.end() - first_8)
        << "stage 2 rows are all 8";
    EXPECT_GE(fours, 1);
    EXPECT_LE(fours, 4);
    EXPECT_GE(users.end() - first_8, 2);
    EXPECT_LE(users.end() - first_8, 4);
    EXPECT_EQ(users.back(), 8);  // the users at the profile's end
}

// (b) An open class at 200/s for 4 s: the target sees 200 ±2 % in each full
// second and 800 ±2 % in all, and swarm's request count equals the target's
// (ITER rows are not requests).
TEST(workload_integration_test, arrivals_at_the_target_follow_the_rate) {
    auto target = start_target();
    const auto path = write_scenario("arrival.yaml", R"y(
users:
  Open:
    arrival: {rate: 200/s, max_users: 200, pre_allocate: 20}
    tasks:
      index: {get: /}
)y");
    const auto run = run_swarm(path, {"-H", target.url, "-t", "4s"}, 30);
    ASSERT_EQ(run.exit_code, 0) << run.output;
    ASSERT_TRUE(run.result.is_object()) << run.output;
    const auto arrivals = read_target_arrivals(target.url);
    // Loose bounds on purpose: a test must not fail on a busy machine's
    // timing (a 20 ms pause moves 4 arrivals across a second). They catch a
    // wrong rate or bursts; bench/arrivals measures the ±1 % accuracy.
    EXPECT_NEAR(static_cast<double>(arrivals.total), 800.0, 40.0);
    const auto full = full_second_counts(arrivals);
    EXPECT_GE(full.size(), 2u);
    for (const std::int64_t count : full) EXPECT_NEAR(static_cast<double>(count), 200.0, 20.0);
    EXPECT_EQ(total_requests(run.result), read_target_stats(target.url).total);
    EXPECT_EQ(total_requests(run.result), arrivals.total);
    EXPECT_EQ(class_counts(run.result, "Open").dropped_iterations, 0);
    EXPECT_NE(first_entry_with_method(run.result, "ITER"), nullptr) << "no ITER row";
}

// (c) A pool of 2 users on a 500 ms endpoint at 50/s serves ~4/s: the rest
// are dropped, counted, and nothing is lost between the two.
TEST(workload_integration_test, a_pool_too_small_drops_iterations_and_counts_them) {
    auto target = start_target();
    const auto path = write_scenario("dropping.yaml", R"y(
users:
  Slow:
    arrival: {rate: 50/s, max_users: 2, pre_allocate: 2}
    tasks:
      slow: {get: "/slow?ms=500", name: /slow}
)y");
    const auto run = run_swarm(path, {"-H", target.url, "-t", "3s"}, 30);
    ASSERT_TRUE(run.result.is_object()) << run.output;
    const auto counts = class_counts(run.result, "Slow");
    EXPECT_GT(counts.dropped_iterations, 100) << run.output;
    // 3 s at 50/s = 150 arrivals: each one started a request or was dropped
    // (a request in flight at the stop is still reported, as cancelled).
    const std::int64_t requests = total_requests(run.result);
    EXPECT_GT(requests, 0);
    EXPECT_NEAR(static_cast<double>(requests + counts.dropped_iterations), 150.0, 15.0)
        << run.output;
    EXPECT_LE(read_target_stats(target.url).total, requests);
}

// (d) --iterations N ends the test after exactly N task iterations.
TEST(workload_integration_test, iterations_give_exactly_n_task_executions) {
    auto target = start_target();
    const auto path = write_scenario("iterations.yaml", R"y(
users:
  Worker:
    tasks:
      index: {get: /}
)y");
    const auto run = run_swarm(
        path, {"-H", target.url, "-u", "5", "-r", "100", "--iterations", "137", "-t", "20s"}, 40);
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(read_target_stats(target.url).total, 137);
    EXPECT_EQ(total_requests(run.result), 137);
    EXPECT_EQ(class_counts(run.result, "Worker").iterations, 137);
    // It ended on the count, long before -t.
    EXPECT_LT(run.result.at("run").at("duration_s").to_number<double>(), 15.0);
}

// (e) Coordinated omission, proven. The target stalls every answer for the
// first 1 s of each 5 s period. An open class at 200/s keeps arriving through
// the stall: 20 % of arrivals land in a stall window, at a uniform point of it,
// and wait until it ends — uniformly 0..1 s. So, with service time ~0,
//   P(L > x) = 0.2 · (1 − x / 1 s)   for 0 ≤ x ≤ 1 s,
// and the p90 solves 0.2 · (1 − x) = 0.1 → x = 500 ms. Over 10 s (two whole
// periods) the share in a window stays near 20 % whatever the phase; we ask
// for ≥ 400 ms, allowing for the histogram, the run's edges and timing.
// A closed class on the same endpoint only sends its next request after the
// last answer: each of its 10 users waits out a stall ONCE per window and then
// sends hundreds of fast requests, so its request p90 stays near the service
// time (< 50 ms) — the stall is hidden, which is what the ITER row corrects.
// It runs 6 s, so that it surely spans a whole stall window (period 5 s + 1 s),
// and its slowest request shows it did wait one out.
TEST(workload_integration_test, iter_latency_shows_a_stall_that_closed_requests_hide) {
    auto target = start_target();
    const auto open = write_scenario("co_open.yaml", R"y(
users:
  Open:
    arrival: {rate: 200/s, max_users: 500, pre_allocate: 50}
    tasks:
      stalled: {get: "/stall?every_ms=5000&for_ms=1000", name: /stall}
)y");
    const auto open_run = run_swarm(open, {"-H", target.url, "-t", "10s"}, 40);
    ASSERT_TRUE(open_run.result.is_object()) << open_run.output;
    EXPECT_EQ(class_counts(open_run.result, "Open").dropped_iterations, 0) << open_run.output;
    const std::int64_t iter_p90 = entry_percentile_us(open_run.result, "ITER", "stalled", "90");
    EXPECT_GE(iter_p90, 400'000) << open_run.output;
    EXPECT_LE(iter_p90, 700'000) << open_run.output;

    const auto closed = write_scenario("co_closed.yaml", R"y(
users:
  Closed:
    tasks:
      stalled: {get: "/stall?every_ms=5000&for_ms=1000", name: /stall}
)y");
    const auto closed_run =
        run_swarm(closed, {"-H", target.url, "-u", "10", "-r", "100", "-t", "6s"}, 30);
    ASSERT_TRUE(closed_run.result.is_object()) << closed_run.output;
    const std::int64_t request_p90 = entry_percentile_us(closed_run.result, "GET", "/stall", "90");
    EXPECT_GE(request_p90, 0) << closed_run.output;
    EXPECT_LT(request_p90, 50'000) << closed_run.output;
    EXPECT_GE(entry_percentile_us(closed_run.result, "GET", "/stall", "100"), 500'000)
        << "the closed run met no stall: " << closed_run.output;
    EXPECT_EQ(first_entry_with_method(closed_run.result, "ITER"), nullptr);
}

// (f) Master + 2 workers: the cluster-wide rate is split, not repeated.
TEST(workload_integration_test, a_cluster_splits_the_arrival_rate) {
    auto target = start_target();
    const auto path = write_scenario("cluster_arrival.yaml", R"y(
users:
  Open:
    arrival: {rate: 200/s, max_users: 200}
    tasks:
      index: {get: /}
)y");
    auto master =
        start_master(path, "127.0.0.1:0", {"-H", target.url, "-t", "4s", "--expect-workers", "2"});
    auto workers = start_workers(master.address, "aw", 2);
    const auto end = wait_for_end(master);
    ASSERT_EQ(end.code, std::optional<int>(0)) << end.output;
    const auto arrivals = read_target_arrivals(target.url);
    // Loose on purpose, as above: the split is what is checked, not timing.
    EXPECT_NEAR(static_cast<double>(arrivals.total), 800.0, 40.0) << end.output;
    for (const std::int64_t count : full_second_counts(arrivals)) {
        EXPECT_NEAR(static_cast<double>(count), 200.0, 20.0);
    }
    ASSERT_TRUE(end.result.is_object()) << end.output;
    EXPECT_EQ(total_requests(end.result), read_target_stats(target.url).total);
}

// (g) --tags runs only the tagged tasks; --exclude-tags the others.
TEST(workload_integration_test, tags_select_the_tasks_that_run) {
    const auto path = write_scenario("tagged.yaml", R"y(
users:
  Shopper:
    wait: {constant: 50ms}
    tasks:
      browse: {get: /about}
      pay: {get: "/search?search=ab", name: /search, tags: [checkout]}
      basket: {get: /api/items/7, name: /api/items, tags: [checkout, slow]}
)y");
    {
        auto target = start_target();
        const auto run = run_swarm(
            path, {"-H", target.url, "-u", "3", "-r", "100", "-t", "2s", "--tags", "checkout"});
        ASSERT_EQ(run.exit_code, 0) << run.output;
        auto seen = read_target_stats(target.url);
        EXPECT_GT(seen.requests["GET /search"], 0);
        EXPECT_GT(seen.requests["GET /api/items/7"], 0);
        EXPECT_EQ(seen.requests.count("GET /about"), 0u);
        EXPECT_EQ(total_requests(run.result), seen.total);
    }
    {
        auto target = start_target();
        const auto run = run_swarm(
            path, {"-H", target.url, "-u", "3", "-r", "100", "-t", "2s", "--exclude-tags", "slow"});
        ASSERT_EQ(run.exit_code, 0) << run.output;
        auto seen = read_target_stats(target.url);
        EXPECT_GT(seen.requests["GET /about"], 0);
        EXPECT_GT(seen.requests["GET /search"], 0);
        EXPECT_EQ(seen.requests.count("GET /api/items/7"), 0u);
    }
}

// --- scenarios/: each workload example runs briefly, and the target agrees ---

std::string example(const char* name) {
    return std::string(SWARM_SOURCE_DIR) + "/scenarios/" + name;
}

void run_example_briefly(const char* name, const std::vector<std::string>& extra = {"-t", "2s"}) {
    SCOPED_TRACE(name);
    auto target = start_target();
    std::vector<std::string> args{"-H", target.url};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto run = run_swarm(example(name), args, 30);
    EXPECT_EQ(run.exit_code, 0) << run.output;
    ASSERT_TRUE(run.result.is_object()) << run.output;
    EXPECT_GT(total_requests(run.result), 0) << run.output;
    EXPECT_EQ(total_requests(run.result), read_target_stats(target.url).total) << run.output;
}

TEST(workload_integration_test, example_profiles_run) {
    run_example_briefly("profile_step.yaml");
    run_example_briefly("profile_spike.yaml");
}

TEST(workload_integration_test, example_arrival_rates_run) {
    run_example_briefly("arrival_constant.yaml");
    run_example_briefly("arrival_ramping.yaml");
    run_example_briefly("mixed_open_closed.yaml");
}

TEST(workload_integration_test, example_shared_iterations_end_after_exactly_200) {
    auto target = start_target();
    const auto run =
        run_swarm(example("iterations_shared.yaml"), {"-H", target.url, "-t", "20s"}, 40);
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(read_target_stats(target.url).total, 200) << run.output;
}

TEST(workload_integration_test, example_tags_run_only_the_tagged_tasks) {
    auto target = start_target();
    const auto run =
        run_swarm(example("tags.yaml"), {"-H", target.url, "-t", "2s", "--tags", "checkout"}, 30);
    EXPECT_EQ(run.exit_code, 0) << run.output;
    auto seen = read_target_stats(target.url);
    EXPECT_GT(seen.total, 0);
    EXPECT_EQ(seen.requests.count("GET /"), 0u);
    EXPECT_EQ(seen.requests.count("GET /about"), 0u);  // weight 0: never
    EXPECT_EQ(seen.requests.count("GET /search"), 0u);
}

}  // namespace
}  // namespace swarm::test
