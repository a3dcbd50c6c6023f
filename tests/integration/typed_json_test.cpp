// Typed JSON bodies against `swarm target`: the target's /echo answers with
// the body it received, so a check on "$.body" reads the JSON the target got.
// A number extracted from a response goes back as a number, a template inside
// a string as a string, and a check expecting the other type fails, counted.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <string>

#include "tests/integration/run_support.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {
namespace {

std::int64_t requests_of(const run_outcome& run, const std::string& entry) {
    const auto counts = requests_by_entry(run.result);
    const auto it = counts.find(entry);
    return it == counts.end() ? 0 : it->second;
}

TEST(typed_json_integration_test, example_scenario_sends_extracted_values_with_their_types) {
    auto target = start_target();
    const auto run = run_swarm(std::string(SWARM_SOURCE_DIR) + "/scenarios/typed-json.yaml",
                               {"-H", target.url, "-u", "2", "-r", "10", "-t", "3s"});
    EXPECT_EQ(run.exit_code, 0) << run.output;
    ASSERT_TRUE(run.result.is_object()) << run.output;
    EXPECT_EQ(total_requests(run.result), read_target_stats(target.url).total) << run.output;
    // Every echo's check (numbers bare, strings quoted, in the target's
    // received body) passed.
    const auto echoes = requests_of(run, "POST /echo [typed]");
    EXPECT_GT(echoes, 2) << run.output;
    EXPECT_LE(echoes, requests_of(run, "GET /api/items/[id]"));
    EXPECT_EQ(total_failures(run.result), 0) << run.output;
}

TEST(typed_json_integration_test, a_check_expecting_the_other_type_fails_every_time) {
    auto target = start_target();
    const auto path = write_scenario("typed_types.yaml", R"y(
users:
  U:
    wait: {constant: 100ms}
    tasks:
      t:
        steps:
          - get: /api/items/7
            extract: {id: {json: "$.id"}}
          - post: /echo
            name: number
            json: {id: "{{ id }}"}
            check: {json: {"$.body": {matches: '^\{"id":"'}}}
          - post: /echo
            name: text
            json: {id: "n{{ id }}", n: "{{ str(id) }}"}
            check: {json: {"$.body": {matches: '^\{"id":"n7","n":"7"\}$'}}}
)y");
    const auto run = run_swarm(path, {"-H", target.url, "-u", "2", "-r", "10", "-t", "2s"});
    ASSERT_TRUE(run.result.is_object()) << run.output;
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_EQ(total_requests(run.result), read_target_stats(target.url).total) << run.output;
    const auto numbers = requests_of(run, "POST number");
    EXPECT_GT(numbers, 0) << run.output;
    // Only the "number" step fails: the target got {"id":7}, not {"id":"7"}.
    EXPECT_EQ(total_failures(run.result), numbers) << run.output;
    bool named = false;
    for (const auto& [message, count] : error_messages(run.result)) {
        named = named || message.find(R"({\"id\":7})") != std::string::npos ||
                message.find(R"({"id":7})") != std::string::npos;
    }
    EXPECT_TRUE(named) << run.output;
    EXPECT_GT(requests_of(run, "POST text"), 0) << run.output;
}

// A non-singular JSONPath ($[*]) extracts the list of every match.
TEST(typed_json_integration_test, a_list_extracted_with_a_wildcard_feeds_len_and_random_choice) {
    auto target = start_target();
    // What the target lists for "b", read by the test itself.
    const auto words = boost::json::parse(http_get(target.url + "/search?search=b").body);
    const auto count = words.as_array().size();
    ASSERT_GT(count, 1u);
    std::string yaml = R"y(
users:
  U:
    wait: {constant: 100ms}
    tasks:
      t:
        steps:
          - get: /search?search=b
            extract: {words: {json: "$[*]"}}
          - post: /echo
            json: {count: "{{ len(words) }}", pick: "{{ random_choice(words) }}", all: "{{ words }}"}
            check: {json: {"$.body": {matches: '^\{"count":COUNT,"pick":"b[a-z]*","all":\["b'}}}
)y";
    // The count the target gave goes into the check.
    yaml.replace(yaml.find("COUNT"), 5, std::to_string(count));
    const auto run = run_swarm(write_scenario("typed_lists.yaml", yaml),
                               {"-H", target.url, "-u", "2", "-r", "10", "-t", "2s"});
    EXPECT_EQ(run.exit_code, 0) << run.output;
    ASSERT_TRUE(run.result.is_object()) << run.output;
    // The target also counted the test's own /search above.
    EXPECT_EQ(total_requests(run.result) + 1, read_target_stats(target.url).total) << run.output;
    EXPECT_GT(requests_of(run, "POST /echo"), 0) << run.output;
    EXPECT_EQ(total_failures(run.result), 0) << run.output;
}

}  // namespace
}  // namespace swarm::test
