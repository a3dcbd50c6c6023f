// A user class's `tls:` block: what each key compiles to, and that a wrong
// value (an unknown cipher OpenSSL is asked about, a version, an IP as SNI)
// is an error naming file:line:col and the key.
#include <gmock/gmock.h>

#include "common/scenario/tls_spec.hpp"
#include "tests/scenario/compile_helpers.hpp"

namespace swarm::scenario {
namespace {

using testing::compile_ok;
using testing::compile_text;
using ::testing::ElementsAre;
using testing::error_lines;
using testing::warning_lines;

std::string with_tls(const std::string& tls) {
    return "users:\n  U:\n    tls: " + tls + "\n    tasks: {t: {get: https://x.test/}}\n";
}

TEST(tls_spec_test, defaults_are_a_full_handshake_per_user_and_openssls_choices) {
    const auto p = compile_ok("users: {U: {tasks: {t: {get: https://x.test/}}}}\n");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->users[0].tls, tls_spec{});
    EXPECT_FALSE(p->users[0].tls.resume);
    EXPECT_EQ(describe_tls(p->users[0].tls), "");
}

TEST(tls_spec_test, every_key_compiles_to_its_setting) {
    const auto p = compile_ok(
        with_tls("{resume: true, min_version: 1.2, max_version: '1.3', ciphers: "
                 "'ECDHE-ECDSA-AES128-GCM-SHA256:!aNULL:@STRENGTH', ciphersuites: "
                 "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256, sni: www.example.com}"));
    ASSERT_TRUE(p);
    const auto& t = p->users[0].tls;
    EXPECT_TRUE(t.resume);
    EXPECT_EQ(t.min_version, tls_spec::tls_1_2);
    EXPECT_EQ(t.max_version, tls_spec::tls_1_3);
    EXPECT_EQ(t.ciphers, "ECDHE-ECDSA-AES128-GCM-SHA256:!aNULL:@STRENGTH");
    EXPECT_EQ(t.ciphersuites, "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256");
    EXPECT_EQ(t.sni, "www.example.com");
    EXPECT_EQ(describe_tls(t),
              "resume across users, TLS 1.2-1.3, ciphers "
              "'ECDHE-ECDSA-AES128-GCM-SHA256:!aNULL:@STRENGTH', ciphersuites "
              "'TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256', SNI 'www.example.com'");
}

TEST(tls_spec_test, sni_false_sends_none) {
    const auto p = compile_ok(with_tls("{sni: false}"));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->users[0].tls.sni, "");
    EXPECT_EQ(describe_tls(p->users[0].tls), "no SNI");
}

TEST(tls_spec_test, unknown_ciphers_are_named_by_openssl_at_load) {
    EXPECT_THAT(
        error_lines(compile_text(with_tls("{ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:AES129-SHA'}"))),
        ElementsAre("3:20: users.U.tls.ciphers: OpenSSL knows no cipher 'AES129-SHA' (see "
                    "`openssl ciphers -v` for names; TLS 1.3 suites go in `ciphersuites:`)"));
    EXPECT_THAT(
        error_lines(compile_text(with_tls("{ciphersuites: 'TLS_AES_128_GCM_SHA256:TLS_AES_512'}"))),
        ElementsAre("3:25: users.U.tls.ciphersuites: OpenSSL knows no TLS 1.3 suite "
                    "'TLS_AES_512' (such as TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, "
                    "TLS_CHACHA20_POLY1305_SHA256)"));
    // A TLS 1.3 suite is not a TLS 1.2 cipher, and the other way round.
    EXPECT_EQ(error_lines(compile_text(with_tls("{ciphers: TLS_AES_128_GCM_SHA256}"))).size(), 1u);
    EXPECT_EQ(
        error_lines(compile_text(with_tls("{ciphersuites: ECDHE-RSA-AES128-GCM-SHA256}"))).size(),
        1u);
}

TEST(tls_spec_test, versions_are_1_2_or_1_3_in_order) {
    EXPECT_THAT(error_lines(compile_text(with_tls("{min_version: 1.1}"))),
                ElementsAre("3:24: users.U.tls.min_version: TLS 1.1 is not offered (deprecated, "
                            "RFC 8996); use \"1.2\" or \"1.3\""));
    EXPECT_THAT(error_lines(compile_text(with_tls("{max_version: tls13}"))),
                ElementsAre("3:24: users.U.tls.max_version: expected \"1.2\" or \"1.3\", got "
                            "'tls13'"));
    EXPECT_THAT(error_lines(compile_text(with_tls("{min_version: 1.3, max_version: 1.2}"))),
                ElementsAre("3:42: users.U.tls.max_version: is below min_version 1.3"));
}

TEST(tls_spec_test, sni_is_a_host_name_or_false) {
    EXPECT_THAT(error_lines(compile_text(with_tls("{sni: 10.0.0.1}"))),
                ElementsAre("3:16: users.U.tls.sni: '10.0.0.1' is an IP address; SNI carries "
                            "host names only (RFC 6066)"));
    EXPECT_THAT(error_lines(compile_text(with_tls("{sni: true}"))),
                ElementsAre("3:16: users.U.tls.sni: expected a host name to send, or false to "
                            "send none"));
    EXPECT_THAT(error_lines(compile_text(with_tls("{sni: 'a b'}"))),
                ElementsAre("3:16: users.U.tls.sni: 'a b' is not a host name (letters, digits, "
                            "'-' and '.')"));
}

TEST(tls_spec_test, unknown_keys_and_shapes_are_errors) {
    const auto lines = error_lines(compile_text(with_tls("{resum: true}")));
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_THAT(lines[0], ::testing::StartsWith("3:11: users.U.tls"));
    EXPECT_THAT(lines[0], ::testing::HasSubstr("resume"));
    EXPECT_THAT(error_lines(compile_text(with_tls("{resume: sometimes}"))),
                ElementsAre("3:19: users.U.tls.resume: expected true or false"));
    EXPECT_EQ(error_lines(compile_text(with_tls("yes"))).size(), 1u);
}

TEST(tls_spec_test, a_setting_no_version_uses_is_a_warning) {
    const auto r =
        compile_text(with_tls("{min_version: 1.3, ciphers: ECDHE-RSA-AES128-GCM-SHA256}"));
    EXPECT_TRUE(r.result);
    EXPECT_THAT(warning_lines(r),
                ElementsAre("3:38: users.U.tls.ciphers: applies to TLS 1.2 and below only, and "
                            "min_version is 1.3: it has no effect"));
}

// `close_idle_after:` (a class key beside `tls:`): a duration over zero.
TEST(tls_spec_test, close_idle_after_is_a_positive_duration_of_the_class) {
    const auto unset = compile_ok("users: {U: {tasks: {t: {get: https://x.test/}}}}\n");
    ASSERT_TRUE(unset);
    EXPECT_FALSE(unset->users[0].close_idle_after);
    const auto p = compile_ok(
        "users:\n  U:\n    close_idle_after: 1m30s\n    tasks: {t: {get: https://x.test/}}\n");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->users[0].close_idle_after, std::chrono::seconds(90));
    EXPECT_THAT(
        error_lines(compile_text(
            "users:\n  U:\n    close_idle_after: 0s\n    tasks: {t: {get: https://x.test/}}\n")),
        ElementsAre("3:23: users.U.close_idle_after: must be longer than 0 (leave it out to keep "
                    "connections open)"));
    EXPECT_THAT(
        error_lines(compile_text(
            "users:\n  U:\n    close_idle_after: soon\n    tasks: {t: {get: https://x.test/}}\n")),
        ElementsAre("3:23: users.U.close_idle_after: expected a duration like 500ms, 2s or 1m30s "
                    "(a bare number is seconds)"));
}

}  // namespace
}  // namespace swarm::scenario
