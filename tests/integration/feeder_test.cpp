// Data feeders across a cluster (issue 16): `swarm master` and three `swarm
// worker` processes run scenarios/feeders.yaml against `swarm target`, and
// the target's own counters show each record of `orders` (next, on_end:
// stop_test) requested exactly once and each user keeping one `members`
// record (unique); the test stopped itself with stop reason data_exhausted.
#include <gmock/gmock.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/cluster_support.hpp"
#include "tests/integration/run_support.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// scenarios/NAME and its data files, copied to the test's temp dir (the
// master writes its --json next to the scenario).
std::string example(const std::string& name, const std::vector<std::string>& data_files) {
    namespace fs = std::filesystem;
    const fs::path from = fs::path(SWARM_SOURCE_DIR) / "scenarios";
    const fs::path to = fs::path(::testing::TempDir()) / "feeder_example";
    fs::create_directories(to / "data");
    fs::copy_file(from / name, to / name, fs::copy_options::overwrite_existing);
    for (const auto& f : data_files)
        fs::copy_file(from / "data" / f, to / "data" / f, fs::copy_options::overwrite_existing);
    return (to / name).string();
}

TEST(feeder_test, three_workers_hand_out_each_record_once_and_stop_when_it_is_used_up) {
    auto target = start_target({"--threads", "1"});
    // -t is only a bound: the data ends the test long before it.
    auto master = start_master(
        example("feeders.yaml", {"orders.csv", "members.csv"}), "127.0.0.1:0",
        {"-H", target.url, "-u", "6", "-r", "30", "-t", "60s", "--expect-workers", "3"});
    auto workers = start_workers(master.address, "f", 3);
    const auto end = wait_for_end(master);
    ASSERT_EQ(end.code, std::optional<int>(0)) << end.output;
    for (auto& w : workers) EXPECT_EQ(w->wait_exit(15s), std::optional<int>(0));
    EXPECT_THAT(end.output, HasSubstr("Data set 'orders' used up (on_end: stop_test): stopping"));
    ASSERT_TRUE(end.result.is_object()) << end.output;
    EXPECT_EQ(end.result.at("run").at("stop_reason").as_string(), "data_exhausted");
    EXPECT_EQ(end.result.at("run").at("workers").as_array().size(), 3u);

    // The target's counts: "GET /api/items/ID". Orders have 3 digits
    // (101..160); a member's path is its 4-digit id then the user's id.
    const auto seen = read_target_stats(target.url);
    std::map<int, std::int64_t> orders;
    std::map<std::string, std::set<std::string>> members_of;  // user id → member ids
    std::int64_t member_requests = 0;
    const std::string prefix = "GET /api/items/";
    for (const auto& [key, count] : seen.requests) {
        ASSERT_TRUE(key.starts_with(prefix)) << key;
        const auto id = key.substr(prefix.size());
        if (id.size() == 3) {
            orders[std::stoi(id)] += count;
        } else {
            ASSERT_GT(id.size(), 4u) << key;
            members_of[id.substr(4)].insert(id.substr(0, 4));
            member_requests += count;
        }
    }
    ASSERT_EQ(orders.size(), 60u) << end.output;
    for (const auto& [id, count] : orders) {
        EXPECT_GE(id, 101);
        EXPECT_LE(id, 160);
        EXPECT_EQ(count, 1) << "order " << id;
    }
    // Each user kept one member, and no two users shared one.
    std::set<std::string> all_members;
    for (const auto& [user, members] : members_of) {
        EXPECT_EQ(members.size(), 1u) << "user " << user;
        all_members.insert(members.begin(), members.end());
    }
    EXPECT_EQ(all_members.size(), members_of.size());
    EXPECT_LE(members_of.size(), 6u);
    // swarm counted what the target saw: 60 orders and the member views.
    EXPECT_EQ(total_requests(end.result), 60 + member_requests) << end.output;
    EXPECT_EQ(seen.total, 60 + member_requests);
}

}  // namespace
}  // namespace swarm::test
