// `ca_file:`: the PEM check, where the key may be written, and that the file
// travels in the bundle; a wrong or missing file is an error with its location.
#include <gmock/gmock.h>

#include <fstream>

#include "common/scenario/ca_file.hpp"
#include "tests/scenario/compile_helpers.hpp"
#include "tests/support/files.hpp"
#include "tests/support/test_pki.hpp"

namespace swarm::scenario {
namespace {

using testing::compile_ok;
using testing::compile_text;
using ::testing::ElementsAre;
using testing::error_lines;
using ::testing::HasSubstr;

class ca_file_test : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { pki_ = new test::test_pki(); }
    static void TearDownTestSuite() { delete pki_; }
    static std::string ca() { return test::read_whole_file(pki_->ca_pem); }
    static test::test_pki* pki_;
};

test::test_pki* ca_file_test::pki_ = nullptr;

// What check_pem_certificates finds wrong with `pem`, or "" when it passes.
std::string problem_of(std::string_view pem) {
    const auto checked = check_pem_certificates(pem);
    return checked ? std::string() : checked.error().message;
}

TEST_F(ca_file_test, real_certificates_pass_the_check) {
    EXPECT_EQ(problem_of(ca()), "");
    // A chain (two certificates) and CRLF line ends are fine too.
    std::string crlf;
    for (char c : ca()) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    EXPECT_EQ(problem_of(test::read_whole_file(pki_->server_pem) + ca()), "");
    EXPECT_EQ(problem_of(crlf), "");
}

TEST_F(ca_file_test, wrong_files_are_named_clearly) {
    EXPECT_EQ(problem_of(""), "no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
    EXPECT_EQ(problem_of("host: http://h\n"),
              "no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
    EXPECT_EQ(
        problem_of(test::read_whole_file(pki_->server_key)),
        "holds a private key (-----BEGIN PRIVATE KEY-----); ca_file takes CA certificates only");
    const auto good = ca();
    EXPECT_EQ(problem_of(good.substr(0, good.size() / 2)),
              "certificate 1: no '-----END CERTIFICATE-----' line (is the file cut short?)");
    std::string bad_base64 = good;
    bad_base64[good.find('\n') + 5] = '!';
    EXPECT_EQ(problem_of(bad_base64), "certificate 1: not valid base64");
    EXPECT_EQ(
        problem_of("-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n"),
        "certificate 1: not a DER certificate");
    EXPECT_EQ(problem_of(good + "-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n"),
              "certificate 2: not valid base64");
}

TEST_F(ca_file_test, a_class_takes_its_own_ca_file_else_the_scenarios) {
    const auto other = test::read_whole_file(pki_->server_pem);
    auto p = compile_ok(R"y(host: https://h
ca_file: certs/ca.pem
users:
  A: {tasks: {t: {get: /}}}
  B: {ca_file: other.pem, tasks: {t: {get: /}}}
)y",
                        {{"certs/ca.pem", ca()}, {"other.pem", other}});
    ASSERT_TRUE(p);
    EXPECT_EQ(p->users[0].ca_file, "certs/ca.pem");
    EXPECT_EQ(p->users[0].ca_pem, ca());
    EXPECT_EQ(p->users[1].ca_file, "other.pem");
    EXPECT_EQ(p->users[1].ca_pem, other);
    auto none = compile_ok("host: https://h\nusers: {A: {tasks: {t: {get: /}}}}\n");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->users[0].ca_pem, "");
}

TEST_F(ca_file_test, missing_or_wrong_files_are_errors_at_the_key) {
    auto r = compile_text(
        "host: https://h\nca_file: nothere.pem\nusers: {A: {ca_file: key.pem, tasks: {t: {get: "
        "/}}}}\n",
        {{"key.pem", test::read_whole_file(pki_->server_key)}});
    EXPECT_THAT(
        error_lines(r),
        ElementsAre(
            "2:10: ca_file: CA file 'nothere.pem' not found",
            "3:22: users.A.ca_file: CA file 'key.pem': holds a private key (-----BEGIN PRIVATE "
            "KEY-----); ca_file takes CA certificates only"));
    r = compile_text("host: https://h\nusers: {A: {ca_file: [a], tasks: {t: {get: /}}}}\n");
    EXPECT_THAT(error_lines(r), ElementsAre(HasSubstr("2:22: users.A.ca_file: expected text")));
}

TEST_F(ca_file_test, read_bundle_carries_the_file_relative_to_the_scenario) {
    const auto yaml = pki_->dir + "/tls.yaml";
    std::ofstream(yaml)
        << "host: https://h\nusers:\n  A: {ca_file: ca.pem, tasks: {t: {get: /}}}\n";
    auto read = read_bundle(yaml);
    ASSERT_TRUE(read.result) << (read.errors.empty() ? "" : read.errors[0].to_string());
    EXPECT_THAT(read.result->files,
                ElementsAre(std::pair<std::string, std::string>("ca.pem", ca())));
    auto compiled = compile(*read.result);
    ASSERT_TRUE(compiled.result);
    EXPECT_EQ(compiled.result->users[0].ca_pem, ca());
}

TEST_F(ca_file_test, read_bundle_reports_an_unreadable_file_with_its_location) {
    const auto yaml = pki_->dir + "/missing_ca.yaml";
    std::ofstream(yaml)
        << "host: https://h\nca_file: no_such.pem\nusers: {A: {tasks: {t: {get: /}}}}\n";
    auto r = load_file(yaml);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].line, 2);
    EXPECT_EQ(r.errors[0].column, 10);
    EXPECT_EQ(r.errors[0].path, "ca_file");
    EXPECT_THAT(r.errors[0].message, HasSubstr("cannot read '"));
    EXPECT_THAT(r.errors[0].message, HasSubstr("/no_such.pem': No such file or directory"));
}

}  // namespace
}  // namespace swarm::scenario
