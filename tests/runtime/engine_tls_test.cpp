// The engine's TLS contexts against `swarm target` serving https with a
// certificate from a test CA: a class's `ca_file:` and the run's CA bytes
// (the master's --ca-file, from the bundle's run options) are trusted in
// memory; a CA OpenSSL refuses is an error at load, naming the class.
#include <gmock/gmock.h>

#include <string>
#include <thread>
#include <vector>

#include "common/scenario/loader.hpp"
#include "tests/support/files.hpp"
#include "tests/support/target_process.hpp"
#include "tests/support/test_pki.hpp"
#include "worker/run_options.hpp"
#include "worker/runtime/engine.hpp"

namespace swarm::worker {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class engine_tls_test : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        pki_ = new test::test_pki();
        target_ = new test::running_target(
            test::start_target({"--tls-cert", pki_->server_pem, "--tls-key", pki_->server_key}));
    }
    static void TearDownTestSuite() {
        delete target_;
        delete pki_;
    }

    // Two classes: `Own` names the CA file, `Plain` trusts only the system and the run.
    static std::shared_ptr<const scenario::plan> plan(const std::string& own_ca_pem) {
        scenario::bundle b;
        b.name = "tls.yaml";
        b.source = "host: " + target_->url + R"y(
users:
  Own: {ca_file: ca.pem, wait: {constant: 50ms}, tasks: {t: {get: /, name: own}}}
  Plain: {wait: {constant: 50ms}, tasks: {t: {get: /, name: plain}}}
)y";
        b.files = {{"ca.pem", own_ca_pem}};
        auto r = scenario::compile(b);
        for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
        return r.result;
    }

    // One user of each class for about half a second; what they recorded.
    // They stop at a request boundary: `now` would cancel the request in
    // flight and add a "cancelled: test stopped" failure to either row.
    static stats::delta run_both(engine& e) {
        e.start_user(e.class_index("Own"));
        e.start_user(e.class_index("Plain"));
        std::this_thread::sleep_for(500ms);
        e.stop_all(user::stop_mode::after_request);
        for (int i = 0; i < 200 && e.alive() > 0; ++i) std::this_thread::sleep_for(25ms);
        EXPECT_EQ(e.alive(), 0);
        return e.collect();
    }

    static std::uint64_t requests(const stats::delta& d, const char* name) {
        const auto* row = d.requests.find("GET", name);
        return row ? row->requests() : 0;
    }
    static std::uint64_t failures(const stats::delta& d, const char* name) {
        const auto* row = d.requests.find("GET", name);
        return row ? row->failures() : 0;
    }

    static test::test_pki* pki_;
    static test::running_target* target_;
};

test::test_pki* engine_tls_test::pki_ = nullptr;
test::running_target* engine_tls_test::target_ = nullptr;

TEST_F(engine_tls_test, a_class_trusts_its_own_ca_file_and_only_that_class) {
    engine e({});
    ASSERT_TRUE(e.load(plan(test::read_whole_file(pki_->ca_pem))));
    const auto d = run_both(e);
    EXPECT_GT(requests(d, "own"), 0u);
    EXPECT_EQ(failures(d, "own"), 0u);
    EXPECT_GT(requests(d, "plain"), 0u);
    EXPECT_EQ(failures(d, "plain"), requests(d, "plain"));
    std::vector<std::string> messages;
    d.errors.for_each(
        [&](std::string_view, std::string_view name, std::string_view text, const auto&) {
            if (name == "plain") messages.emplace_back(text);
        });
    EXPECT_THAT(messages, ElementsAre(HasSubstr("certificate verify failed")));
}

TEST_F(engine_tls_test, the_runs_ca_bytes_are_trusted_by_every_class) {
    proto::run_options run;
    run.ca_pem = test::read_whole_file(pki_->ca_pem);
    engine e(with_run_options({}, run));
    // `Own`'s file is another certificate: the run's CA still verifies it.
    ASSERT_TRUE(e.load(plan(test::read_whole_file(pki_->server_pem))));
    const auto d = run_both(e);
    EXPECT_GT(requests(d, "own"), 0u);
    EXPECT_EQ(failures(d, "own"), 0u);
    EXPECT_GT(requests(d, "plain"), 0u);
    EXPECT_EQ(failures(d, "plain"), 0u);
}

TEST_F(engine_tls_test, the_runs_insecure_skips_verification) {
    proto::run_options run;
    run.insecure = true;
    engine e(with_run_options({}, run));
    ASSERT_TRUE(e.load(plan(test::read_whole_file(pki_->server_pem))));
    const auto d = run_both(e);
    EXPECT_GT(requests(d, "plain"), 0u);
    EXPECT_EQ(failures(d, "plain"), 0u);
    EXPECT_EQ(failures(d, "own"), 0u);
}

TEST_F(engine_tls_test, a_ca_openssl_refuses_is_an_error_at_load_naming_the_class) {
    // Well-formed armour around a DER SEQUENCE that is no certificate: it
    // passes the scenario's structural check, OpenSSL refuses it.
    engine e({});
    const auto refused =
        e.load(plan("-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n"));
    ASSERT_FALSE(refused);
    EXPECT_THAT(refused.error().message,
                HasSubstr("users.Own: ca_file 'ca.pem': cannot load its CA certificates"));
    EXPECT_FALSE(e.loaded());
    proto::run_options run;
    run.ca_pem = "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n";
    engine bad_run(with_run_options({}, run));
    const auto refused_run = bad_run.load(plan(test::read_whole_file(pki_->ca_pem)));
    ASSERT_FALSE(refused_run);
    EXPECT_THAT(refused_run.error().message, HasSubstr("the run's --ca-file"));
}

TEST(run_options_test, the_masters_options_add_to_the_workers_own) {
    engine_options local;
    local.ca_pem = "A";
    local.request_timeout = 60s;
    proto::run_options run{false, 0, ""};
    auto merged = with_run_options(local, run);
    EXPECT_FALSE(merged.insecure);
    EXPECT_EQ(merged.request_timeout, 60s);
    EXPECT_EQ(merged.ca_pem, "A");
    EXPECT_EQ(merged.max_body_bytes, 16u << 20);  // 0: the worker's default
    run = {true, 1500, "B\n", 65536};
    merged = with_run_options(local, run);
    EXPECT_TRUE(merged.insecure);
    EXPECT_EQ(merged.request_timeout, 1500ms);
    EXPECT_EQ(merged.ca_pem, "A\nB\n");
    EXPECT_EQ(merged.max_body_bytes, 65536u);
    local.insecure = true;
    EXPECT_TRUE(with_run_options(local, {}).insecure);  // the worker's own --insecure stays
}

}  // namespace
}  // namespace swarm::worker
