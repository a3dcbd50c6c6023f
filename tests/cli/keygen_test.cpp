// `swarm keygen` run as a process: the files it writes are private (0600),
// load back, and secure a real master↔worker connection over tcp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "common/log/log.hpp"
#include "proto/auth.hpp"
#include "proto/transport.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/target_process.hpp"

namespace swarm {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

class keygen_test : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("swarm-keygen-test-" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    // Runs `swarm keygen ARGS...`; its exit code, its stdout in `out`.
    int keygen(const std::vector<std::string>& args, std::vector<std::string>* out = nullptr) {
        std::vector<std::string> argv{test::swarm_binary(), "keygen"};
        argv.insert(argv.end(), args.begin(), args.end());
        test::child_process p(argv);
        const auto code = p.wait_exit(30s);
        if (out) *out = p.lines();
        return code.value_or(-1);
    }

    static unsigned mode_of(const std::string& file) {
        struct stat st {};
        EXPECT_EQ(::stat(file.c_str(), &st), 0) << file;
        return st.st_mode & 07777;
    }

    std::filesystem::path dir_;
};

proto::hello hello_from(const std::string& name) {
    proto::hello h;
    h.host = "keygen-test";
    h.name = name;
    h.threads = 1;
    h.pid = 1;
    return h;
}

// A hello reaches the master and a welcome comes back, over tcp with CURVE.
void expect_connection_works(const proto::auth_keys& master_keys,
                             const proto::auth_keys& worker_keys, const std::string& id) {
    zmq::context_t ctx;
    proto::master_endpoint m(ctx, "tcp://127.0.0.1:*", master_keys);
    proto::worker_endpoint w(ctx, m.bound_endpoint(), id, worker_keys);
    w.send(hello_from(id));
    auto in = m.receive(10s);
    ASSERT_TRUE(in) << "the master received nothing from " << id;
    EXPECT_EQ(in->worker, id);
    m.send(id, proto::welcome{3});
    auto back = w.receive(10s);
    ASSERT_TRUE(back) << id << " received nothing";
    EXPECT_TRUE(std::holds_alternative<proto::welcome>(*back));
}

using proto::auth_side;

// The keys in `file`, which must load.
proto::auth_keys load(const std::string& file, auth_side side) {
    return proto::load_auth_key_file(file, side, log::logger("keygen_test")).value();
}

TEST_F(keygen_test, shared_writes_a_private_file_both_sides_can_use) {
    ASSERT_EQ(keygen({"--shared", path("swarm.key")}), 0);
    EXPECT_EQ(mode_of(path("swarm.key")), 0600u);
    const auto on_master = load(path("swarm.key"), auth_side::master);
    const auto on_worker = load(path("swarm.key"), auth_side::worker);
    EXPECT_EQ(on_master.kind, proto::key_file_kind::shared);
    expect_connection_works(on_master, on_worker, "shared-worker");
}

TEST_F(keygen_test, workers_made_with_master_key_are_allowed_in_the_master_file) {
    ASSERT_EQ(keygen({"--master", path("master.key")}), 0);
    std::vector<std::string> out;
    ASSERT_EQ(keygen({"--worker", path("w1.key"), "--master-key", path("master.key")}, &out), 0);
    EXPECT_THAT(out, ::testing::Contains(HasSubstr("allowed it in " + path("master.key"))));
    ASSERT_EQ(keygen({"--worker", path("w2.key"), "--master-key", path("master.key"), "--name",
                      "rack 2"}),
              0);
    for (const char* f : {"master.key", "w1.key", "w2.key"})
        EXPECT_EQ(mode_of(path(f)), 0600u) << f;

    const auto master = load(path("master.key"), auth_side::master);
    const auto w1 = load(path("w1.key"), auth_side::worker);
    const auto w2 = load(path("w2.key"), auth_side::worker);
    ASSERT_EQ(master.allowed.size(), 2u);
    EXPECT_EQ(master.allowed[0].public_key, w1.own.public_key);
    EXPECT_EQ(master.allowed[0].label, "w1");
    EXPECT_EQ(master.allowed[1].label, "rack 2");
    EXPECT_EQ(w1.master_public, master.own.public_key);
    expect_connection_works(master, w1, "w1");
    expect_connection_works(master, w2, "w2");
}

TEST_F(keygen_test, master_public_prints_the_allow_line_to_add_by_hand) {
    ASSERT_EQ(keygen({"--master", path("master.key")}), 0);
    const auto before = load(path("master.key"), auth_side::any);
    std::vector<std::string> out;
    ASSERT_EQ(keygen({"--worker", path("far.key"), "--master-public", before.own.public_key}, &out),
              0);
    const auto far = load(path("far.key"), auth_side::worker);
    const std::string line = "  allow = " + far.own.public_key + " far";
    EXPECT_THAT(out, ::testing::Contains(line));
    // The master file is untouched; adding the printed line makes it work.
    EXPECT_TRUE(load(path("master.key"), auth_side::any).allowed.empty());
    std::ofstream(path("master.key"), std::ios::app) << line.substr(2) << "\n";
    expect_connection_works(load(path("master.key"), auth_side::master), far, "far");
}

TEST_F(keygen_test, an_existing_file_is_kept_unless_forced) {
    ASSERT_EQ(keygen({"--shared", path("s.key")}), 0);
    const auto first = load(path("s.key"), auth_side::master);
    EXPECT_EQ(keygen({"--shared", path("s.key")}), 2);
    EXPECT_EQ(load(path("s.key"), auth_side::master).own.secret_key, first.own.secret_key);
    ::chmod(path("s.key").c_str(), 0644);
    ASSERT_EQ(keygen({"--shared", path("s.key"), "--force"}), 0);
    EXPECT_NE(load(path("s.key"), auth_side::master).own.secret_key, first.own.secret_key);
    EXPECT_EQ(mode_of(path("s.key")), 0600u);
}

TEST_F(keygen_test, wrong_combinations_are_usage_errors_and_write_nothing) {
    ASSERT_EQ(keygen({"--shared", path("s.key")}), 0);
    EXPECT_EQ(keygen({}), 2);
    EXPECT_EQ(keygen({"--worker", path("w.key")}), 2);                                  // no master
    EXPECT_EQ(keygen({"--worker", path("w.key"), "--master-public", "too-short"}), 2);  // bad key
    EXPECT_EQ(keygen({"--worker", path("w.key"), "--master-key", path("s.key")}),
              2);  // not a master file
    EXPECT_EQ(keygen({"--shared", path("a.key"), "--master", path("b.key")}), 2);
    EXPECT_FALSE(std::filesystem::exists(path("w.key")));
    EXPECT_FALSE(std::filesystem::exists(path("a.key")));
}

}  // namespace
}  // namespace swarm
