// `swarm run --headless` against `swarm target` serving https with a
// certificate from a CA the test makes: without the CA every request fails
// with a certificate message; with --ca-file, `ca_file:` or insecure nothing
// fails and swarm's count equals the target's.
#include <gmock/gmock.h>
#include <openssl/ssl.h>

#include <fstream>
#include <iostream>

#include "tests/integration/run_support.hpp"
#include "tests/support/target_process.hpp"
#include "tests/support/test_pki.hpp"
#include "tests/support/tls_server.hpp"

namespace swarm::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class tls_run_test : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { pki_ = new test_pki(); }
    static void TearDownTestSuite() { delete pki_; }

    void SetUp() override {
        target_ = start_target({"--tls-cert", pki_->server_pem, "--tls-key", pki_->server_key});
        ASSERT_THAT(target_.url, StartsWith("https://127.0.0.1:"));
    }

    // A scenario next to the CA file (so `ca_file: ca.pem` is relative to it).
    static std::string scenario(const std::string& name, const std::string& class_keys) {
        auto path = pki_->dir + "/" + name;
        std::ofstream(path) << "users:\n  U:\n    wait: {constant: 100ms}\n"
                            << class_keys << "    tasks: {t: {get: /}}\n";
        return path;
    }

    run_outcome run(const std::string& scenario_path, std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"-H", target_.url, "-u", "2", "-r", "10", "-t", "2s"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_swarm(scenario_path, args);
    }

    // A clean run: no failures, and every request swarm counted reached the target.
    void expect_clean(const run_outcome& r) {
        EXPECT_EQ(r.exit_code, 0) << r.output;
        ASSERT_TRUE(r.result.is_object()) << r.output;
        EXPECT_GT(total_requests(r.result), 0) << r.output;
        EXPECT_EQ(total_failures(r.result), 0) << r.output;
        EXPECT_EQ(total_requests(r.result), read_target_stats(target_.url).total) << r.output;
    }

    static test_pki* pki_;
    running_target target_;
};

test_pki* tls_run_test::pki_ = nullptr;

TEST_F(tls_run_test, without_the_ca_every_request_fails_verification) {
    const auto r = run(scenario("plain.yaml", ""));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    ASSERT_TRUE(r.result.is_object()) << r.output;
    const auto requests = total_requests(r.result);
    EXPECT_GT(requests, 0) << r.output;
    EXPECT_EQ(total_failures(r.result), requests);
    const auto errors = error_messages(r.result);
    ASSERT_EQ(errors.size(), 1u) << r.output;
    EXPECT_THAT(errors.begin()->first, StartsWith("TLS handshake failed: certificate verify failed "
                                                  "(unable to get local issuer certificate)"));
    EXPECT_EQ(errors.begin()->second, requests);
    // No request got through the handshake.
    EXPECT_EQ(read_target_stats(target_.url).total, 0);
}

TEST_F(tls_run_test, ca_file_option_trusts_the_ca) {
    expect_clean(run(scenario("plain.yaml", ""), {"--ca-file", pki_->ca_pem}));
}

TEST_F(tls_run_test, ca_file_key_in_the_user_class_trusts_the_ca) {
    expect_clean(run(scenario("class_ca.yaml", "    ca_file: ca.pem\n")));
}

TEST_F(tls_run_test, ca_file_key_at_the_top_trusts_the_ca) {
    const auto path = pki_->dir + "/top_ca.yaml";
    std::ofstream(path)
        << "ca_file: ca.pem\nusers: {U: {wait: {constant: 100ms}, tasks: {t: {get: /}}}}\n";
    expect_clean(run(path));
}

TEST_F(tls_run_test, insecure_option_skips_verification) {
    expect_clean(run(scenario("plain.yaml", ""), {"--insecure"}));
}

TEST_F(tls_run_test, insecure_key_skips_verification) {
    expect_clean(run(scenario("insecure.yaml", "    insecure: true\n")));
}

TEST_F(tls_run_test, a_ca_file_that_is_not_a_certificate_stops_the_run_with_its_location) {
    const auto r = run(scenario("key_as_ca.yaml", "    ca_file: server.key\n"));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(
        r.output,
        HasSubstr(
            "key_as_ca.yaml:4:14: users.U.ca_file: CA file 'server.key': holds a private key"));
    EXPECT_EQ(read_target_stats(target_.url).total, 0);
}

// Against a TLS server in this process that counts handshakes and answers
// each request with Connection: close (a new connection per request): by
// default each of the 4 users makes exactly one full handshake and resumes
// its own session after; `tls: {resume: true}` makes the first user's
// session everyone's (one thread: one full handshake). Users start 0.5 s
// apart: a user that starts before the first one's session has arrived (its
// first response) makes a full handshake of its own, which under a loaded
// ASan build took longer than the 50 ms of -r 20.
TEST_F(tls_run_test, each_user_does_its_own_full_handshake_unless_the_class_resumes) {
    for (const bool resume : {false, true}) {
        tls_server_context ctx;
        tls_handshake_counts counts;
        std::atomic<int> answered{0};
        hostile_server server([&](hostile_connection& c) {
            tls_server_connection tls(c, ctx);
            if (!tls.handshake(counts) || !tls.read_request()) return;
            if (tls.send(http_response("ok", true))) ++answered;
        });
        const auto path = scenario(
            resume ? "resume.yaml" : "own.yaml",
            std::string("    insecure: true\n") + (resume ? "    tls: {resume: true}\n" : ""));
        const auto r = run_swarm(path, {"-H", https_url(server, ""), "-u", "4", "-r", "2", "-t",
                                        "3s", "--threads", "1"});
        EXPECT_EQ(r.exit_code, 0) << r.output;
        const auto requests = total_requests(r.result);
        EXPECT_GT(requests, 8) << r.output;
        EXPECT_EQ(total_failures(r.result), 0) << r.output;
        EXPECT_EQ(requests, answered.load()) << r.output;
        // One full handshake per user, or (sharing) one for the thread.
        EXPECT_EQ(counts.full, resume ? 1 : 4) << "resume " << resume << "\n" << r.output;
        EXPECT_EQ(counts.full + counts.resumed, requests) << r.output;
    }
}

// `close_idle_after:` against a keep-alive TLS server that counts
// connections, handshakes and close_notify alerts. Waits of 300 ms with
// close_idle_after 250ms: every request on a new connection, the one before
// closed with a close_notify, each user resuming its own session (one full
// handshake per user). With close_idle_after 1s the waits are shorter: one
// connection per user carries all its requests.
TEST_F(tls_run_test, close_idle_after_closes_connections_before_long_waits_then_resumes) {
    for (const bool closing : {true, false}) {
        tls_server_context ctx;
        tls_handshake_counts counts;
        std::atomic<int> answered{0};
        std::atomic<int> notified{0};
        hostile_server server([&](hostile_connection& c) {
            tls_server_connection tls(c, ctx);
            if (!tls.handshake(counts)) return;
            while (tls.read_request()) {
                if (!tls.send(http_response("ok"))) return;
                ++answered;
            }
            if ((SSL_get_shutdown(tls.ssl()) & SSL_RECEIVED_SHUTDOWN) != 0) ++notified;
        });
        const auto path = pki_->dir + (closing ? "/idle_close.yaml" : "/idle_keep.yaml");
        std::ofstream(path) << "users:\n  U:\n    wait: {constant: 300ms}\n    insecure: true\n"
                            << "    close_idle_after: " << (closing ? "250ms" : "1s") << "\n"
                            << "    tasks: {t: {get: /}}\n";
        const int users = 3;
        const auto r = run_swarm(path, {"-H", https_url(server, ""), "-u", std::to_string(users),
                                        "-r", "30", "-t", "2s", "--threads", "1"});
        EXPECT_EQ(r.exit_code, 0) << r.output;
        const auto requests = total_requests(r.result);
        EXPECT_GE(requests, 3 * users) << r.output;
        EXPECT_EQ(total_failures(r.result), 0) << r.output;
        EXPECT_EQ(requests, answered.load()) << r.output;
        EXPECT_EQ(counts.full, users) << "closing " << closing << "\n" << r.output;
        if (closing) {
            EXPECT_EQ(server.accepted(), requests) << r.output;
            EXPECT_EQ(counts.resumed, requests - users) << r.output;
            // Every connection but those the run's end cut had a wait after it.
            EXPECT_GE(notified.load(), requests - users) << r.output;
        } else {
            EXPECT_EQ(server.accepted(), users) << r.output;
            EXPECT_EQ(counts.resumed, 0) << r.output;
        }
    }
}

// `tls:` is checked at load: an unknown cipher stops the run with its location.
TEST_F(tls_run_test, an_unknown_cipher_stops_the_run_with_its_location) {
    const auto r = run(scenario("cipher.yaml", "    tls: {ciphers: NOT-A-CIPHER}\n"));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr("cipher.yaml:4:20: users.U.tls.ciphers: OpenSSL knows no "
                                    "cipher 'NOT-A-CIPHER'"));
    EXPECT_EQ(read_target_stats(target_.url).total, 0);
}

}  // namespace
}  // namespace swarm::test
