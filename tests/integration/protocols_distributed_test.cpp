// HTTP/2 and WebSocket users in a cluster (issue 17): `swarm master` and two
// `swarm worker` processes run an h2c class and a WebSocket echo class
// against one `swarm target`; the master's merged report equals what the
// target counted per protocol and per WebSocket message.
#include <gtest/gtest.h>

#include "tests/integration/cluster_support.hpp"
#include "tests/integration/protocol_mix.hpp"
#include "tests/support/target_process.hpp"
#include "tests/support/test_pki.hpp"

namespace swarm::test {
namespace {

using namespace std::chrono_literals;

TEST(protocols_distributed_test, two_workers_report_what_the_target_saw_per_protocol) {
    auto target = start_target({"--threads", "1"});
    const auto scenario = write_protocol_mix("protocols_distributed");
    // 8 users: 4 of each class, spread over the two workers.
    auto master = start_master(
        scenario, "127.0.0.1:0",
        {"-H", target.url, "-u", "8", "-r", "16", "-t", "4s", "--expect-workers", "2"});
    auto workers = start_workers(master.address, "p", 2);

    const auto end = wait_for_end(master);
    ASSERT_EQ(end.code, std::optional<int>(0)) << end.output;
    for (auto& w : workers) EXPECT_EQ(w->wait_exit(15s), std::optional<int>(0));
    const auto& result = end.result;
    ASSERT_TRUE(result.is_object()) << end.output;
    EXPECT_EQ(result.at("run").at("workers").as_array().size(), 2u);
    EXPECT_EQ(result.at("run").at("lost_reports").as_int64(), 0);
    EXPECT_EQ(result.at("total").at("failures").to_number<std::int64_t>(), 0) << end.output;
    expect_protocol_mix_matches_target(rows_of_result(result), target.url, 4, 4);
}

// Over TLS: `protocol: auto` gets h2 by ALPN, the WebSocket is wss:// on
// HTTP/1.1, and the CA reaches the workers in the bundle (--ca-file).
TEST(protocols_distributed_test, over_tls_alpn_h2_and_wss_count_what_the_target_saw) {
    const test_pki pki;
    auto target =
        start_target({"--threads", "1", "--tls-cert", pki.server_pem, "--tls-key", pki.server_key});
    const auto scenario = write_protocol_mix("protocols_distributed_tls", "auto");
    auto master = start_master(scenario, "127.0.0.1:0",
                               {"-H", target.url, "-u", "4", "-r", "8", "-t", "4s",
                                "--expect-workers", "2", "--ca-file", pki.ca_pem});
    auto workers = start_workers(master.address, "s", 2);

    const auto end = wait_for_end(master);
    ASSERT_EQ(end.code, std::optional<int>(0)) << end.output;
    for (auto& w : workers) EXPECT_EQ(w->wait_exit(15s), std::optional<int>(0));
    ASSERT_TRUE(end.result.is_object()) << end.output;
    EXPECT_EQ(end.result.at("total").at("failures").to_number<std::int64_t>(), 0) << end.output;
    expect_protocol_mix_matches_target(rows_of_result(end.result), target.url, 2, 2);
}

}  // namespace
}  // namespace swarm::test
