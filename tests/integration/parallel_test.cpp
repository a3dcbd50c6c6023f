// `parallel:` blocks in real runs against `swarm target`, whose own counters
// the test compares with swarm's rows: every request of a block counted
// once, on its own row; a block lasting about its slowest request; the
// example scenario; and `swarm try` showing a block.
#include <gmock/gmock.h>

#include "tests/integration/run_support.hpp"
#include "tests/support/swarm_command.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {
namespace {

using ::testing::HasSubstr;

const char* const page = R"y(load: {iterations: 30}
users:
  U:
    tasks:
      page:
        steps:
          - get: /
          - parallel:
              - get: /about
              - {get: /gzip, name: style}
              - get: /api/items/7
                extract: {item: {json: $.name}}
              - get: /bytes/2048
              - get: /status/404
              - {get: "/slow?ms=30", name: slow}
          - get: "/search?q={{ item }}"
            name: search
)y";

TEST(parallel_integration_test, every_request_of_a_block_is_counted_once_on_its_own_row) {
    const auto scenario = write_scenario("parallel_page.yaml", page);
    auto target = start_target();
    const auto run = run_swarm(scenario, {"-H", target.url, "-u", "3", "-r", "30", "-t", "60s"});
    EXPECT_EQ(run.exit_code, 1) << run.output;  // the 404s fail their requests
    ASSERT_TRUE(run.result.is_object()) << run.output;
    const auto seen = read_target_stats(target.url);
    const std::map<std::string, std::int64_t> expected_target{
        {"GET /", 30},           {"GET /about", 30},
        {"GET /gzip", 30},       {"GET /api/items/7", 30},
        {"GET /bytes/2048", 30}, {"GET /status/404", 30},
        {"GET /slow", 30},       {"GET /search", 30}};
    EXPECT_EQ(seen.requests, expected_target);
    EXPECT_EQ(seen.total, 240);
    const std::map<std::string, std::int64_t> expected_rows{
        {"GET /", 30},           {"GET /about", 30},
        {"GET style", 30},       {"GET /api/items/7", 30},
        {"GET /bytes/2048", 30}, {"GET /status/404", 30},
        {"GET slow", 30},        {"GET search", 30}};
    EXPECT_EQ(requests_by_entry(run.result), expected_rows);
    EXPECT_EQ(total_requests(run.result), seen.total);
    EXPECT_EQ(total_failures(run.result), 30);
    const auto* failed = entry(run.result, "GET", "/status/404");
    ASSERT_NE(failed, nullptr);
    EXPECT_EQ(number(failed->at("failures")), 30);
    // The extraction inside the block reached the step after it: every
    // search had the item's name (no "extract: no match" failure).
    const auto errors = error_messages(run.result);
    EXPECT_EQ(errors.size(), 1u) << run.output;
}

TEST(parallel_integration_test, a_block_lasts_about_its_slowest_request_not_the_sum) {
    const auto scenario = write_scenario("parallel_slow.yaml", R"y(load: {iterations: 4}
users:
  U:
    tasks:
      page:
        steps:
          - group: six slow assets
            steps:
              - parallel:
                  - {get: "/slow?ms=300&n=1", name: slow}
                  - {get: "/slow?ms=300&n=2", name: slow}
                  - {get: "/slow?ms=300&n=3", name: slow}
                  - {get: "/slow?ms=300&n=4", name: slow}
                  - {get: "/slow?ms=300&n=5", name: slow}
                  - {get: "/slow?ms=300&n=6", name: slow}
)y");
    auto target = start_target();
    const auto run = run_swarm(scenario, {"-H", target.url, "-u", "1", "-r", "1", "-t", "60s"});
    EXPECT_EQ(run.exit_code, 0) << run.output;
    ASSERT_TRUE(run.result.is_object()) << run.output;
    const auto seen = read_target_stats(target.url);
    EXPECT_EQ(seen.total, 24);
    EXPECT_EQ(total_requests(run.result), 24);
    const auto* slow = entry(run.result, "GET", "slow");
    const auto* block = entry(run.result, "GROUP", "six slow assets");
    ASSERT_TRUE(slow && block) << run.output;
    EXPECT_EQ(number(slow->at("requests")), 24);
    EXPECT_GE(number(slow->at("min_us")), 300'000);
    EXPECT_EQ(number(block->at("requests")), 4);
    // Each block: about one 300 ms request, far below the 1800 ms of six in a row.
    EXPECT_GE(number(block->at("min_us")), 300'000);
    EXPECT_LT(number(block->at("max_us")), 0.8 * 1'800'000);
}

TEST(parallel_integration_test, the_example_runs_and_counts_match) {
    auto target = start_target();
    const auto run = run_swarm(std::string(SWARM_SOURCE_DIR) + "/scenarios/page_assets.yaml",
                               {"-H", target.url, "-u", "3", "-r", "10", "-t", "3s"});
    EXPECT_EQ(run.exit_code, 0) << run.output;
    const auto seen = read_target_stats(target.url);
    EXPECT_GT(seen.total, 0);
    EXPECT_EQ(total_requests(run.result), seen.total) << run.output;
    EXPECT_EQ(total_failures(run.result), 0) << run.output;
    const auto* featured = entry(run.result, "GET", "asset: featured item");
    ASSERT_NE(featured, nullptr) << run.output;
    EXPECT_EQ(number(featured->at("requests")), seen.requests.at("GET /api/items/7"));
}

TEST(parallel_integration_test, try_shows_a_block_and_its_exchanges_in_list_order) {
    auto target = start_target();
    const auto scenario = write_scenario("parallel_try.yaml", R"y(users:
  U:
    tasks:
      t:
        steps:
          - parallel:
              - {get: "/slow?ms=200"}
              - {get: /about}
              - {get: /api/items/2, extract: {name: {json: $.name}}}
)y");
    const auto r = run_swarm_command({"try", scenario, "-H", target.url, "-n", "1"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr("parallel: 3 requests at once, all ended in "));
    const auto slow = r.output.find("> GET " + target.url + "/slow?ms=200");
    const auto about = r.output.find("> GET " + target.url + "/about");
    const auto item = r.output.find("> GET " + target.url + "/api/items/2");
    ASSERT_NE(slow, std::string::npos) << r.output;
    ASSERT_NE(about, std::string::npos) << r.output;
    ASSERT_NE(item, std::string::npos) << r.output;
    // List order, not the order they ended in (/slow ended last).
    EXPECT_LT(slow, about);
    EXPECT_LT(about, item);
    EXPECT_THAT(r.output, HasSubstr("  ok   extract name: \""));
    EXPECT_EQ(read_target_stats(target.url).total, 3);
}

}  // namespace
}  // namespace swarm::test
