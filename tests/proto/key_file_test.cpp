// Auth key files: what swarm keygen writes loads back; every mistake a user
// can make in one is reported with the file, the line and what is wrong.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "proto/auth.hpp"
#include "tests/support/log_capture.hpp"

namespace swarm::proto {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

class key_file_test : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("swarm-key-file-test-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& text, mode_t mode = 0600) {
        std::string path = (dir_ / name).string();
        std::ofstream(path) << text;
        ::chmod(path.c_str(), mode);
        return path;
    }

    // The error message loading `text` gives, or "" when it loads.
    std::string error_of(const std::string& text, auth_side side = auth_side::master) {
        const auto keys = load_auth_key_file(write("k.key", text), side, log_.logger());
        return keys ? "" : keys.error().message;
    }

    // The keys in `path`, which must load.
    auth_keys load(const std::string& path, auth_side side) {
        auto keys = load_auth_key_file(path, side, log_.logger());
        EXPECT_TRUE(keys) << keys.error().message;
        return keys ? *keys : auth_keys{};
    }

    std::filesystem::path dir_;
    test::log_capture log_;
};

std::string shared_text(const curve_key_pair& p) {
    return "kind = shared\npublic = " + p.public_key + "\nsecret = " + p.secret_key + "\n";
}

TEST_F(key_file_test, generated_pairs_are_valid_and_the_public_key_derives_from_the_secret) {
    const curve_key_pair a = generate_curve_key_pair();
    const curve_key_pair b = generate_curve_key_pair();
    EXPECT_TRUE(valid_curve_key(a.public_key));
    EXPECT_TRUE(valid_curve_key(a.secret_key));
    EXPECT_NE(a.secret_key, b.secret_key);
    EXPECT_EQ(curve_public_of(a.secret_key), a.public_key);
    EXPECT_FALSE(valid_curve_key(a.public_key.substr(1)));
}

TEST_F(key_file_test, a_formatted_master_file_loads_back_with_its_allow_list) {
    auth_keys m;
    m.kind = key_file_kind::master;
    m.own = generate_curve_key_pair();
    const curve_key_pair w1 = generate_curve_key_pair();
    const curve_key_pair w2 = generate_curve_key_pair();
    m.allowed = {{w1.public_key, "worker-1"}, {w2.public_key, ""}};
    const auth_keys back = load(write("m.key", format_key_file(m)), auth_side::master);
    EXPECT_EQ(back.kind, key_file_kind::master);
    EXPECT_EQ(back.own.public_key, m.own.public_key);
    EXPECT_EQ(back.own.secret_key, m.own.secret_key);
    ASSERT_EQ(back.allowed.size(), 2u);
    EXPECT_EQ(back.allowed[0].public_key, w1.public_key);
    EXPECT_EQ(back.allowed[0].label, "worker-1");
    EXPECT_EQ(back.allowed[1].public_key, w2.public_key);
}

TEST_F(key_file_test, a_worker_file_names_the_master_and_a_shared_file_serves_both_sides) {
    auth_keys w;
    w.kind = key_file_kind::worker;
    w.own = generate_curve_key_pair();
    w.master_public = generate_curve_key_pair().public_key;
    const auth_keys back = load(write("w.key", format_key_file(w)), auth_side::worker);
    EXPECT_EQ(back.master_public, w.master_public);
    EXPECT_EQ(back.own.secret_key, w.own.secret_key);

    const curve_key_pair p = generate_curve_key_pair();
    const std::string shared = write("s.key", shared_text(p));
    const auth_keys on_master = load(shared, auth_side::master);
    const auth_keys on_worker = load(shared, auth_side::worker);
    ASSERT_EQ(on_master.allowed.size(), 1u);
    EXPECT_EQ(on_master.allowed[0].public_key, p.public_key);
    EXPECT_EQ(on_worker.master_public, p.public_key);
}

TEST_F(key_file_test, comments_blank_lines_and_spaces_are_fine_and_public_may_be_left_out) {
    const curve_key_pair p = generate_curve_key_pair();
    const auth_keys k =
        load(write("c.key", "# my keys\n\n   kind=shared  \n\t# the secret:\nsecret =   " +
                                p.secret_key + "\r\n"),
             auth_side::worker);
    EXPECT_EQ(k.own.public_key, p.public_key);
}

TEST_F(key_file_test, a_bad_z85_character_names_file_line_and_character) {
    std::string secret = generate_curve_key_pair().secret_key;
    secret[4] = '"';
    const std::string e = error_of("kind = shared\nsecret = " + secret + "\n");
    EXPECT_THAT(e, HasSubstr("k.key:2: secret key has '\"' at character 5, which is not Z85"));
}

TEST_F(key_file_test, a_key_of_the_wrong_length_says_how_long_it_was) {
    const std::string secret = generate_curve_key_pair().secret_key;
    EXPECT_THAT(error_of("kind = shared\n\nsecret = " + secret.substr(0, 39) + "\n"),
                HasSubstr("k.key:3: secret key must be 40 Z85 characters, got 39"));
    EXPECT_THAT(error_of("kind = shared\nsecret = " + secret + "x\n"), HasSubstr("got 41"));
}

TEST_F(key_file_test, z85_that_overflows_is_refused) {
    EXPECT_THAT(error_of("kind = shared\nsecret = " + std::string(40, '#') + "\n"),
                HasSubstr("k.key:2: secret key is not valid Z85"));
}

TEST_F(key_file_test, a_missing_secret_or_kind_is_named) {
    const curve_key_pair p = generate_curve_key_pair();
    EXPECT_THAT(error_of("kind = shared\npublic = " + p.public_key + "\n"),
                HasSubstr("k.key: no 'secret = KEY' line"));
    EXPECT_THAT(error_of("secret = " + p.secret_key + "\n"),
                HasSubstr("k.key: no 'kind = shared | master | worker' line"));
}

TEST_F(key_file_test, a_public_key_from_another_pair_is_refused) {
    const curve_key_pair p = generate_curve_key_pair();
    const curve_key_pair q = generate_curve_key_pair();
    EXPECT_THAT(
        error_of("kind = shared\npublic = " + q.public_key + "\nsecret = " + p.secret_key + "\n"),
        HasSubstr("k.key:2: this public key does not belong to the secret key on line 3"));
}

TEST_F(key_file_test, unknown_names_repeats_and_lines_without_equals_are_errors) {
    const curve_key_pair p = generate_curve_key_pair();
    const std::string base = shared_text(p);
    EXPECT_THAT(error_of(base + "secrte = x\n"), HasSubstr("k.key:4: unknown name 'secrte'"));
    EXPECT_THAT(error_of(base + "secret = " + p.secret_key + "\n"),
                HasSubstr("k.key:4: second 'secret' line (the first is line 3)"));
    // (Not a bare key: Z85 keys may contain '='.)
    EXPECT_THAT(error_of(base + "secret " + std::string(40, 'a') + "\n"),
                HasSubstr("k.key:4: expected 'name = value'"));
    EXPECT_THAT(error_of("kind = both\n"),
                HasSubstr("k.key:1: kind must be shared, master or worker"));
    EXPECT_THAT(error_of("kind = shared\nsecret = " + p.secret_key + " extra\n"),
                HasSubstr("k.key:2: unexpected text after the secret key: 'extra'"));
}

TEST_F(key_file_test, each_side_refuses_the_other_sides_file) {
    const curve_key_pair m = generate_curve_key_pair();
    const curve_key_pair w = generate_curve_key_pair();
    const std::string worker_file =
        "kind = worker\nsecret = " + w.secret_key + "\nmaster = " + m.public_key + "\n";
    const std::string master_file =
        "kind = master\nsecret = " + m.secret_key + "\nallow = " + w.public_key + " w\n";
    EXPECT_THAT(error_of(worker_file, auth_side::master), HasSubstr("this is a worker key file"));
    EXPECT_THAT(error_of(master_file, auth_side::worker),
                HasSubstr("this is the master's key file"));
    EXPECT_EQ(error_of(worker_file, auth_side::worker), "");
    EXPECT_EQ(error_of(master_file, auth_side::master), "");
}

TEST_F(key_file_test, kinds_refuse_lines_that_belong_to_other_kinds) {
    const curve_key_pair m = generate_curve_key_pair();
    const curve_key_pair w = generate_curve_key_pair();
    EXPECT_THAT(error_of("kind = master\nsecret = " + m.secret_key + "\n"),
                HasSubstr("k.key: no 'allow = KEY' lines: the master would refuse every worker"));
    EXPECT_THAT(error_of("kind = worker\nsecret = " + w.secret_key + "\n", auth_side::worker),
                HasSubstr("no 'master = KEY' line"));
    EXPECT_THAT(error_of(shared_text(m) + "allow = " + w.public_key + "\n"),
                HasSubstr("k.key:4: a shared key file has no 'allow' lines"));
    EXPECT_THAT(error_of("kind = master\nsecret = " + m.secret_key + "\nallow = " + w.public_key +
                         "\nallow = " + w.public_key + " again\n"),
                HasSubstr("k.key:4: this key is already allowed on line 3"));
}

TEST_F(key_file_test, a_missing_file_is_a_clear_error) {
    const auto keys =
        load_auth_key_file((dir_ / "nope.key").string(), auth_side::worker, log_.logger());
    ASSERT_FALSE(keys);
    EXPECT_THAT(keys.error().message, HasSubstr("nope.key: cannot read: No such file"));
}

TEST_F(key_file_test, a_file_open_to_others_loads_with_a_warning) {
    const std::string text = shared_text(generate_curve_key_pair());
    (void)load(write("private.key", text, 0600), auth_side::master);
    EXPECT_THAT(log_.lines(), IsEmpty());
    const std::string open = write("open.key", text, 0644);
    EXPECT_EQ(load(open, auth_side::master).own.public_key,
              load(write("same.key", text, 0600), auth_side::master).own.public_key);
    ASSERT_EQ(log_.lines().size(), 1u);
    EXPECT_EQ(log_.lines()[0],
              "swarm: warning: " + open +
                  " holds a secret key but others can read it (mode 0644): chmod 600 " + open);
}

// A Kubernetes Secret mounted with defaultMode 0400 in a pod with an fsGroup
// arrives as 0440 (group-readable): the group is the pod's, no warning. Any
// access for others still warns.
TEST_F(key_file_test, group_access_is_quiet_and_any_access_for_others_warns) {
    const std::string text = shared_text(generate_curve_key_pair());
    (void)load(write("secret-volume.key", text, 0440), auth_side::worker);
    (void)load(write("group-rw.key", text, 0660), auth_side::worker);
    EXPECT_THAT(log_.lines(), IsEmpty());
    for (const ::mode_t mode : {0604, 0602, 0601}) {
        const auto name = "others-" + std::to_string(mode) + ".key";
        (void)load(write(name, text, mode), auth_side::worker);
    }
    ASSERT_EQ(log_.lines().size(), 3u);
    EXPECT_THAT(log_.lines()[0], HasSubstr("others can read it (mode 0604)"));
    EXPECT_THAT(log_.lines()[2], HasSubstr("(mode 0601)"));
}

TEST(bind_warning, loopback_addresses_need_no_warning_and_others_name_the_port) {
    for (const char* quiet : {"tcp://127.0.0.1:5557", "127.0.0.1:5557", "tcp://127.8.9.10:1",
                              "tcp://[::1]:5557", "localhost:5557", "inproc://swarm"}) {
        EXPECT_EQ(plaintext_bind_warning(quiet), std::nullopt) << quiet;
    }
    for (const char* loud : {"tcp://0.0.0.0:5557", "0.0.0.0:5557", "tcp://*:5557",
                             "tcp://10.1.2.3:5557", "tcp://[::]:5557", "tcp://eth0:5557"}) {
        // The text only: the logger adds "swarm master: warning: ".
        EXPECT_THAT(plaintext_bind_warning(loud).value_or(""),
                    AllOf(StartsWith("binding "),
                          HasSubstr("without --auth-key-file: anyone who can reach port 5557 can "
                                    "run load from your workers")))
            << loud;
    }
    EXPECT_THAT(plaintext_bind_warning("tcp://0.0.0.0:*").value_or(""),
                HasSubstr("anyone who can reach the port can run load"));
}

}  // namespace
}  // namespace swarm::proto
