// Issue 16's request constructs against `swarm target`, whose own counters
// the test compares with swarm's: multipart uploads (byte for byte, each
// file by SHA-256) and `group:` steps (GROUP rows beside the requests,
// counted in no total).
#include <gmock/gmock.h>

#include <boost/json/parse.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "target/multipart.hpp"
#include "tests/integration/run_support.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {
namespace {

std::string example(const char* name) {
    return std::string(SWARM_SOURCE_DIR) + "/scenarios/" + name;
}

boost::json::value target_stats(const std::string& url) {
    return boost::json::parse(http_get(url + "/__stats").body);
}

// The sum of the result's request rows (every row but GROUP and ITER ones).
std::int64_t request_rows(const boost::json::value& result) {
    std::int64_t n = 0;
    for (const auto& e : result.at("entries").as_array()) {
        const auto& method = e.at("method").as_string();
        if (method != "GROUP" && method != "ITER") n += number(e.at("requests"));
    }
    return n;
}

TEST(requests_integration_test, multipart_files_arrive_byte_for_byte) {
    const auto dir = std::filesystem::path(::testing::TempDir()) / "multipart_run";
    std::filesystem::create_directories(dir / "data");
    std::string every_byte;
    for (int c = 0; c < 256; ++c) every_byte += static_cast<char>(c);
    std::string noise(200'000, '\0');
    std::mt19937_64 rng(16);
    for (auto& c : noise) c = static_cast<char>(rng());
    std::ofstream(dir / "data" / "all.bin", std::ios::binary) << every_byte;
    std::ofstream(dir / "data" / "noise.bin", std::ios::binary) << noise;
    const auto scenario = (dir / "upload.yaml").string();
    std::ofstream(scenario) << R"y(load: {iterations: 30}
users:
  U:
    tasks:
      upload:
        post: /upload
        multipart:
          note: "user {{ user_id }}"
          all: {file: data/all.bin, content_type: application/octet-stream}
          noise: {file: data/noise.bin, filename: "noise;1.bin"}
        check: {status: 200}
)y";
    auto target = start_target();
    const auto run = run_swarm(scenario, {"-H", target.url, "-u", "3", "-r", "30", "-t", "60s"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const auto stats = target_stats(target.url);
    const auto& uploads = stats.at("uploads");
    EXPECT_EQ(number(uploads.at("requests")), 30);
    EXPECT_EQ(number(uploads.at("malformed")), 0);
    EXPECT_EQ(number(uploads.at("fields")), 30);
    EXPECT_EQ(number(uploads.at("files")), 60);
    EXPECT_EQ(number(uploads.at("file_bytes")), 30 * (256 + 200'000));
    const auto& by_hash = uploads.at("files_by_sha256").as_object();
    EXPECT_EQ(by_hash.size(), 2u);
    EXPECT_EQ(number(by_hash.at(target::sha256_hex(every_byte))), 30);
    EXPECT_EQ(number(by_hash.at(target::sha256_hex(noise))), 30);
    EXPECT_EQ(total_requests(run.result), 30);
    EXPECT_EQ(number(stats.at("total")), 30);
}

TEST(requests_integration_test, groups_time_their_steps_and_count_in_no_total) {
    const auto scenario = write_scenario("groups.yaml", R"y(load: {iterations: 20}
users:
  U:
    tasks:
      t:
        steps:
          - group: outer
            steps:
              - group: fine
                steps:
                  - get: /about
                  - get: /api/items/1
              - group: broken
                steps:
                  - get: /status/503
              - sleep: 20ms
)y");
    auto target = start_target();
    const auto run = run_swarm(scenario, {"-H", target.url, "-u", "2", "-r", "20", "-t", "60s"});
    EXPECT_EQ(run.exit_code, 1) << run.output;  // the 503s fail their requests
    ASSERT_TRUE(run.result.is_object()) << run.output;
    const auto seen = read_target_stats(target.url);
    // The requests, in total and per row, equal the target's; GROUP rows add none.
    EXPECT_EQ(seen.total, 60);
    EXPECT_EQ(total_requests(run.result), 60) << run.output;
    EXPECT_EQ(request_rows(run.result), 60);
    EXPECT_EQ(total_failures(run.result), 20);
    const auto* fine = entry(run.result, "GROUP", "fine");
    const auto* broken = entry(run.result, "GROUP", "broken");
    const auto* outer = entry(run.result, "GROUP", "outer");
    ASSERT_TRUE(fine && broken && outer) << run.output;
    EXPECT_EQ(number(fine->at("requests")), 20);
    EXPECT_EQ(number(fine->at("failures")), 0);
    EXPECT_EQ(number(broken->at("failures")), 20);
    EXPECT_EQ(number(outer->at("requests")), 20);
    EXPECT_EQ(number(outer->at("failures")), 20);  // a failure inside fails the enclosing group
    // The outer group lasts at least its inner groups and its 20 ms sleep.
    EXPECT_GE(number(outer->at("min_us")), 20'000);
    EXPECT_GE(number(outer->at("min_us")), number(fine->at("min_us")));
    // The per-second history counts requests only.
    std::int64_t history = 0;
    for (const auto& p : run.result.at("history").at("points").as_array())
        history += number(p.at("requests"));
    EXPECT_EQ(history, 60);
    EXPECT_THAT(run.output, ::testing::HasSubstr("GROUP"));
}

TEST(requests_integration_test, upload_and_group_examples_run_and_counts_match) {
    for (auto name : {"upload.yaml", "groups.yaml"}) {
        SCOPED_TRACE(name);
        auto target = start_target();
        const auto run =
            run_swarm(example(name), {"-H", target.url, "-u", "3", "-r", "10", "-t", "3s"});
        EXPECT_EQ(run.exit_code, 0) << run.output;
        const auto seen = read_target_stats(target.url);
        EXPECT_GT(seen.total, 0);
        EXPECT_EQ(total_requests(run.result), seen.total) << run.output;
        EXPECT_EQ(total_failures(run.result), 0) << run.output;
        if (std::string_view(name) == "upload.yaml") {
            const auto uploads = target_stats(target.url).at("uploads");
            EXPECT_EQ(number(uploads.at("requests")), seen.total);
            EXPECT_EQ(number(uploads.at("file_bytes")), 70 * seen.total);
        } else {
            const auto* checkout = entry(run.result, "GROUP", "checkout");
            ASSERT_TRUE(checkout) << run.output;
            EXPECT_EQ(number(checkout->at("requests")), seen.requests.at("GET /account"));
        }
    }
}

}  // namespace
}  // namespace swarm::test
