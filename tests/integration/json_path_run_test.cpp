// JSONPath (RFC 9535) queries in a real run against `swarm target`: the
// shipped example passes every check, and a check whose filter selects
// nothing fails each of its requests, with the query in the message.
#include <gtest/gtest.h>

#include "tests/integration/run_support.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {
namespace {

TEST(json_path_run_test, example_scenario_passes_its_filter_checks) {
    auto target = start_target();
    const auto run = run_swarm(std::string(SWARM_SOURCE_DIR) + "/scenarios/jsonpath.yaml",
                               {"-H", target.url, "-u", "4", "-r", "20", "-t", "2s"});
    EXPECT_EQ(run.exit_code, 0) << run.output;
    ASSERT_TRUE(run.result.is_object()) << run.output;
    const auto seen = read_target_stats(target.url);
    EXPECT_GT(total_requests(run.result), 0) << run.output;
    EXPECT_EQ(total_requests(run.result), seen.total) << run.output;
    EXPECT_EQ(total_failures(run.result), 0) << run.output;
    const auto entries = requests_by_entry(run.result);
    EXPECT_GT(entries.count("GET /search?search=[prefix]")
                  ? entries.at("GET /search?search=[prefix]")
                  : 0,
              0)
        << run.output;
    EXPECT_GT(entries.count("GET /api/items/[id]") ? entries.at("GET /api/items/[id]") : 0, 0)
        << run.output;
}

TEST(json_path_run_test, a_filter_selecting_nothing_fails_every_request) {
    auto target = start_target();
    const auto path = write_scenario("json_path_failing.yaml", R"y(
users:
  U:
    wait: {constant: 50ms}
    tasks:
      search:
        get: /search?search=b
        check: {json: {"$[?match(@, 'z.*')]": {exists: true}, "$[*]": {exists: true}}}
)y");
    const auto run = run_swarm(path, {"-H", target.url, "-u", "2", "-r", "10", "-t", "2s"});
    EXPECT_EQ(run.exit_code, 1) << run.output;
    ASSERT_TRUE(run.result.is_object()) << run.output;
    EXPECT_EQ(total_requests(run.result), read_target_stats(target.url).total) << run.output;
    EXPECT_GT(total_failures(run.result), 0) << run.output;
    EXPECT_EQ(total_failures(run.result), total_requests(run.result)) << run.output;
    const auto errors = error_messages(run.result);
    EXPECT_TRUE(errors.count("json $[?match(@, 'z.*')]: missing")) << run.output;
}

}  // namespace
}  // namespace swarm::test
