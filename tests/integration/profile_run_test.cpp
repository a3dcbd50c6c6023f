// `swarm run --headless --stages ...` against `swarm target`: the profile
// takes the users up and down stage by stage, ends the test with its last
// stage, and what swarm counted equals what the target saw.
#include <gmock/gmock.h>

#include <chrono>

#include "tests/integration/run_support.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {
namespace {

using ::testing::HasSubstr;

TEST(profile_run_test, stages_move_the_users_and_end_the_test) {
    auto target = start_target({"--threads", "1"});
    // One request per user as it starts, then a long wait: the requests
    // count the users that were ever started.
    const auto path = write_scenario("stages.yaml", R"y(
users:
  Holder:
    wait: {constant: 30s}
    tasks:
      index: {get: /}
)y");
    const auto started = std::chrono::steady_clock::now();
    const auto run = run_swarm(
        path,
        {"-H", target.url, "--threads", "1", "--stages", "1500ms:4@100,1500ms:8@100,1s:2@100"}, 30);
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_THAT(run.output, HasSubstr("Stage 1 of 3: 4 users at 100 users/s"));
    EXPECT_THAT(run.output, HasSubstr("Stage 2 of 3: 8 users at 100 users/s"));
    EXPECT_THAT(run.output, HasSubstr("Stage 3 of 3: 2 users at 100 users/s"));
    EXPECT_THAT(run.output, HasSubstr("Load profile finished: stopping"));
    EXPECT_LT(took, std::chrono::seconds(15)) << run.output;
    ASSERT_TRUE(run.result.is_object()) << run.output;
    // 4 users, then 4 more; going down to 2 starts none.
    EXPECT_EQ(total_requests(run.result), 8) << run.output;
    EXPECT_EQ(read_target_stats(target.url).total, 8);
    std::int64_t peak = 0;
    for (const auto& p : run.result.at("history").at("points").as_array())
        peak = std::max(peak, p.at("users").as_int64());
    EXPECT_EQ(peak, 8) << run.output;
}

}  // namespace
}  // namespace swarm::test
