// `swarm worker` as a process: usage errors exit 2 with a clear message, the
// master timeout exits 0, and a whole join → ready file → run → SIGTERM
// cycle against a scripted master and a real target.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tests/node/fake_master.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/swarm_command.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

std::string host_port(const std::string& tcp_endpoint) {
    return tcp_endpoint.substr(std::string("tcp://").size());
}

TEST(worker_cli_test, a_malformed_master_address_is_a_usage_error) {
    const auto r = run_swarm_command({"worker", "--master", "nonsense::"});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("swarm worker: --master 'nonsense::': too many ':'"), std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("HOST:PORT"), std::string::npos) << r.output;
}

TEST(worker_cli_test, a_missing_master_option_is_a_usage_error) {
    const auto r = run_swarm_command({"worker"});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("--master"), std::string::npos) << r.output;
}

TEST(worker_cli_test, a_malformed_master_timeout_is_a_usage_error) {
    const auto r =
        run_swarm_command({"worker", "--master", "127.0.0.1", "--master-timeout", "soon"});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("--master-timeout: expected a duration"), std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("'soon'"), std::string::npos) << r.output;
}

TEST(worker_cli_test, an_unusable_auth_key_file_is_a_usage_error) {
    const auto path =
        (fs::path(::testing::TempDir()) / ("worker_cli_bad_key_" + std::to_string(getpid())))
            .string();
    std::ofstream(path) << "kind = nonsense\n";
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
    const auto r = run_swarm_command({"worker", "--master", "127.0.0.1", "--auth-key-file", path});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("swarm worker: --auth-key-file: " + path), std::string::npos)
        << r.output;
}

TEST(worker_cli_test, with_no_master_the_master_timeout_exits_5) {
    std::string address;
    {
        zmq::context_t ctx;
        fake_master probe(ctx);
        address = host_port(probe.endpoint());  // nothing listens there once probe is gone
    }
    const auto r = run_swarm_command({"worker", "--master", address, "--master-timeout", "2s"}, 30);
    EXPECT_EQ(r.exit_code, 5) << "it never reached a master\n" << r.output;
    EXPECT_NE(
        r.output.find("(--master-timeout); exiting with status 5: never reached one at tcp://" +
                      address),
        std::string::npos)
        << r.output;
}

TEST(worker_cli_test, sigterm_while_waiting_for_a_master_exits_0) {
    zmq::context_t ctx;
    fake_master m(ctx);
    child_process worker(
        {swarm_binary(), "worker", "--master", host_port(m.endpoint()), "--threads", "1"});
    ASSERT_TRUE(m.wait_for<proto::hello>()) << "the worker is up (its signal handlers too)";
    worker.send_signal(SIGTERM);
    EXPECT_EQ(worker.wait_exit(patience), 0);
}

TEST(worker_cli_test, joins_becomes_ready_runs_and_on_sigterm_reports_everything) {
    auto target = start_target();
    zmq::context_t ctx;
    fake_master m(ctx);
    const auto ready =
        (fs::path(::testing::TempDir()) / ("worker_cli_ready_" + std::to_string(getpid())))
            .string();
    fs::remove(ready);
    child_process worker({swarm_binary(), "worker", "--master", m.endpoint(), "--threads", "1",
                          "--name", "cli-worker", "--ready-file", ready});

    const auto hello = m.wait_for<proto::hello>();
    ASSERT_TRUE(hello);
    EXPECT_EQ(hello->name, "cli-worker");
    EXPECT_EQ(hello->threads, 1u);
    EXPECT_EQ(hello->pid, worker.pid());
    EXPECT_FALSE(fs::exists(ready));

    const auto bundle = steady_bundle(target.url);
    m.send(proto::welcome{0});
    m.send(bundle_message(bundle));
    ASSERT_TRUE(m.wait_for<proto::ready>());
    EXPECT_TRUE(wait_for_file(ready, true)) << "the readiness probe passes once ready";

    m.send(proto::spawn{1, {{"Steady", 2}}, 100, ""});
    ASSERT_TRUE(m.wait_for<proto::spawn_complete>());
    ASSERT_TRUE(m.wait_for<proto::stats_report>());

    worker.send_signal(SIGTERM);
    auto quit = m.wait_for<proto::quit>();
    ASSERT_TRUE(quit);
    EXPECT_EQ(quit->reason, "terminated");
    EXPECT_EQ(worker.wait_exit(patience), 0);
    EXPECT_FALSE(fs::exists(ready)) << "removed at exit";

    std::uint64_t reported = 0;
    for (const auto& msg : m.received) {
        const auto* r = std::get_if<proto::stats_report>(&msg);
        if (r && r->run_id == 1) reported += requests_in(*r);
    }
    EXPECT_GT(reported, 0u);
    EXPECT_EQ(static_cast<std::int64_t>(reported), target_total(target.url));
}

}  // namespace
}  // namespace swarm::test
