// Issue 16's templates end to end: `swarm run --headless` against a real
// `swarm target`, each behaviour held against the target's own counters —
// a templated name's rows, templated check values that pass and fail, a
// `while` that polls until a condition (and one that reaches its bound), and
// env() read at load. Traffic goes to 127.0.0.1 only; every run is bounded by
// --iterations and -t.
#include <gmock/gmock.h>

#include <boost/json.hpp>

#include <cstdlib>
#include <string>

#include "tests/integration/run_support.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {
namespace {

using ::testing::HasSubstr;

std::int64_t count_of(const std::map<std::string, std::int64_t>& counts, const std::string& key) {
    const auto it = counts.find(key);
    return it == counts.end() ? 0 : it->second;
}

// scenarios/templates.yaml: each item's row counts what the target saw on
// that item's path; the signed echo, the cookie and the polls all pass.
TEST(templates_run_test, example_rows_and_polls_equal_the_targets_counts) {
    auto target = start_target();
    const auto run =
        run_swarm(std::string(SWARM_SOURCE_DIR) + "/scenarios/templates.yaml",
                  {"-H", target.url, "-u", "2", "-r", "100", "--iterations", "6", "-t", "30s"}, 60);
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_THAT(run.output, HasSubstr("a templated name makes a stats row per distinct value"));
    const auto rows = requests_by_entry(run.result);
    const auto seen = read_target_stats(target.url);
    std::int64_t items = 0;
    for (int id = 1; id <= 3; ++id) {
        const auto row = count_of(rows, "GET item " + std::to_string(id));
        EXPECT_EQ(row, count_of(seen.requests, "GET /api/items/" + std::to_string(id))) << id;
        items += row;
    }
    EXPECT_EQ(items, 6);
    // The while polled 101, 102, 103 in each of the 6 iterations, and stopped.
    EXPECT_EQ(count_of(rows, "GET /api/items/[poll]"), 18);
    for (int id = 101; id <= 103; ++id) {
        EXPECT_EQ(count_of(seen.requests, "GET /api/items/" + std::to_string(id)), 6) << id;
    }
    EXPECT_EQ(count_of(seen.requests, "GET /api/items/104"), 0);
    EXPECT_EQ(count_of(rows, "POST /echo signed"), 6);
    EXPECT_EQ(count_of(seen.requests, "POST /echo"), 6);
    EXPECT_EQ(total_failures(run.result), 0) << run.output;
    EXPECT_EQ(total_requests(run.result), seen.total);
}

// A templated check value that cannot hold fails each request, with the
// rendered value in the message; a `while` still true after `max` rounds
// ran exactly `max` rounds and is one counted error per run of it.
TEST(templates_run_test, failing_template_checks_and_a_reached_bound_are_counted) {
    auto target = start_target();
    const auto path = write_scenario("bounded.yaml", R"y(
users:
  Bounded:
    vars: {tag: "x"}
    tasks:
      t:
        steps:
          - get: /about
            check: {body_contains: "{{ upper('nowhere-') + tag }}"}
          - get: /echo
            check: {json: {"$.method": "{{ upper('get') }}"}}
          - while: "{{ true }}"
            max: 3
            steps: [{get: "/search?search=ab", name: spin}]
)y");
    const auto run = run_swarm(
        path, {"-H", target.url, "-u", "2", "-r", "100", "--iterations", "4", "-t", "30s"}, 60);
    EXPECT_EQ(run.exit_code, 1) << run.output;  // the /about checks failed
    const auto seen = read_target_stats(target.url);
    EXPECT_EQ(count_of(seen.requests, "GET /about"), 4);
    EXPECT_EQ(count_of(seen.requests, "GET /echo"), 4);
    EXPECT_EQ(count_of(seen.requests, "GET /search"), 12);
    EXPECT_EQ(total_failures(run.result), 4) << run.output;
    const auto errors = error_messages(run.result);
    EXPECT_EQ(count_of(errors, "body does not contain 'NOWHERE-x'"), 4) << run.output;
    EXPECT_EQ(count_of(errors, "while at line 12: still true after 3 rounds (max)"), 4)
        << run.output;
    EXPECT_EQ(total_requests(run.result), seen.total);
}

// env() is read where the scenario compiles: set, the host comes from it;
// unset without a default, the run refuses to start, naming file:line:col.
TEST(templates_run_test, env_is_read_at_load_and_an_unset_one_stops_the_run) {
    auto target = start_target();
    const auto path =
        write_scenario("env_host.yaml", R"y(host: "{{ env('SWARM_TEMPLATES_IT_HOST') }}"
users:
  A:
    tasks: {t: {get: "/about?from={{ env('SWARM_TEMPLATES_IT_FROM', 'default') }}"}}
)y");
    ::unsetenv("SWARM_TEMPLATES_IT_HOST");
    const auto refused = run_swarm(path, {"-u", "1", "--iterations", "1", "-t", "10s"}, 30);
    EXPECT_EQ(refused.exit_code, 2) << refused.output;
    EXPECT_THAT(refused.output, HasSubstr("env_host.yaml:1:11: host: environment variable "
                                          "'SWARM_TEMPLATES_IT_HOST' is not set"));
    ::setenv("SWARM_TEMPLATES_IT_HOST", target.url.c_str(), 1);
    const auto run = run_swarm(path, {"-u", "1", "-r", "10", "--iterations", "3", "-t", "20s"}, 30);
    ::unsetenv("SWARM_TEMPLATES_IT_HOST");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(count_of(read_target_stats(target.url).requests, "GET /about"), 3);
    EXPECT_EQ(count_of(requests_by_entry(run.result), "GET /about?from=default"), 3);
}

}  // namespace
}  // namespace swarm::test
