// base64 / base64url and their decoders, sha256, hmac_sha256(_base64),
// upper, lower, now_iso and env with a default: the functions of issue 16,
// against published test vectors.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <string>

#include "common/template/encoding.hpp"
#include "tests/template/fake_environment.hpp"

namespace swarm::tmpl::test {
namespace {

std::string first_error(std::string_view source) {
    auto c = compile_template(source, make_symbols());
    return c.errors.empty() ? "<no error>"
                            : std::to_string(c.errors[0].offset) + ": " + c.errors[0].message;
}

// RFC 4648 §10: BASE64("") = "", ... BASE64("foobar") = "Zm9vYmFy".
TEST(text_functions_test, base64_encodes_the_rfc_4648_vectors) {
    const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                           {"f", "Zg=="},
                                                           {"fo", "Zm8="},
                                                           {"foo", "Zm9v"},
                                                           {"foob", "Zm9vYg=="},
                                                           {"fooba", "Zm9vYmE="},
                                                           {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(render(std::string("{{ base64('") + plain + "') }}"), encoded) << plain;
        EXPECT_EQ(render(std::string("{{ base64_decode('") + encoded + "') }}"), plain) << encoded;
    }
}

TEST(text_functions_test, base64url_uses_the_url_alphabet_without_padding) {
    // Bytes fb ff fe: "+//+" in the standard alphabet, "-__-" in the URL one.
    const std::string bytes("\xfb\xff\xfe", 3);
    std::string standard;
    append_base64(standard, bytes, base64_alphabet::standard);
    EXPECT_EQ(standard, "+//+");
    std::string url;
    append_base64(url, bytes, base64_alphabet::url);
    EXPECT_EQ(url, "-__-");
    EXPECT_EQ(render("{{ base64url('foob') }}"), "Zm9vYg");
    EXPECT_EQ(render("{{ base64url_decode('Zm9vYg') }}"), "foob");
    EXPECT_EQ(render("{{ base64url_decode('Zm9vYg==') }}"), "foob");  // padding is allowed
    EXPECT_EQ(decode_base64("-__-", base64_alphabet::url), bytes);
    // A JWT header, as jwt.io shows it.
    EXPECT_EQ(render("{{ base64url('{\"alg\":\"HS256\",\"typ\":\"JWT\"}') }}"),
              "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
}

TEST(text_functions_test, base64_decode_of_bad_text_is_empty) {
    const char* bad[] = {"Zm9v!", "Zg=", "Z", "Zm9=v", "Zg===", "Zh==", "-__-", " Zm9v"};
    for (const char* text : bad) {
        EXPECT_FALSE(decode_base64(text, base64_alphabet::standard)) << text;
        EXPECT_EQ(render(std::string("[{{ base64_decode('") + text + "') }}]"), "[]") << text;
    }
    EXPECT_FALSE(decode_base64("+//+", base64_alphabet::url));
    EXPECT_EQ(decode_base64("Zg", base64_alphabet::standard), "f");  // unpadded is read
}

TEST(text_functions_test, base64_round_trips_every_byte) {
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    for (auto alphabet : {base64_alphabet::standard, base64_alphabet::url}) {
        for (std::size_t n = 0; n <= all.size(); n += 37) {
            std::string encoded;
            append_base64(encoded, all.substr(0, n), alphabet);
            EXPECT_EQ(decode_base64(encoded, alphabet), all.substr(0, n)) << n;
        }
    }
}

// FIPS 180-4 examples (NIST CSRC "SHA256.pdf") and the empty message.
TEST(text_functions_test, sha256_matches_the_fips_180_vectors) {
    EXPECT_EQ(render("{{ sha256('abc') }}"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(render("{{ sha256('') }}"),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(render("{{ sha256('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq') }}"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

// RFC 4231 test cases 2 and 6 (the printable ones; 1, 3-5 and 7 take bytes
// a template cannot write literally, so they go through the C++ function).
TEST(text_functions_test, hmac_sha256_matches_the_rfc_4231_vectors) {
    EXPECT_EQ(render("{{ hmac_sha256('Jefe', 'what do ya want for nothing?') }}"),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    EXPECT_EQ(to_hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    EXPECT_EQ(to_hex(hmac_sha256(std::string(131, '\xaa'),
                                 "Test Using Larger Than Block-Size Key - Hash Key First")),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    EXPECT_EQ(to_hex(hmac_sha256(std::string(20, '\xaa'), std::string(50, '\xdd'))),
              "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    // The same MAC as base64 of its 32 bytes.
    EXPECT_EQ(render("{{ hmac_sha256_base64('Jefe', 'what do ya want for nothing?') }}"),
              "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
    EXPECT_EQ(render("{{ hmac_sha256('', '') }}"),
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(text_functions_test, hmac_reads_variables_and_composes) {
    fake_environment env = make_environment();
    EXPECT_EQ(render("{{ hmac_sha256(word, name + ':' + number) }}", env),
              render("{{ hmac_sha256('banana', 'Ada Lovelace:42') }}", env));
    EXPECT_EQ(render("{{ base64(hmac_sha256('k', 'm')) }}").size(), 88u);  // 64 hex chars
}

TEST(text_functions_test, upper_and_lower_change_ascii_letters_only) {
    EXPECT_EQ(render("{{ upper('abc-XYZ 09 é') }}"), "ABC-XYZ 09 é");
    EXPECT_EQ(render("{{ lower('ABC-xyz 09 É') }}"), "abc-xyz 09 É");
    EXPECT_EQ(render("{{ upper(name) }}"), "ADA LOVELACE");
}

TEST(text_functions_test, now_iso_is_rfc_3339_utc_with_milliseconds) {
    const auto before = std::chrono::system_clock::now();
    const std::string text = render("{{ now_iso() }}");
    const auto after = std::chrono::system_clock::now();
    ASSERT_EQ(text.size(), 24u) << text;  // 2026-12-07T12:49:32.123Z
    EXPECT_EQ(text[4], '-');
    EXPECT_EQ(text[10], 'T');
    EXPECT_EQ(text[19], '.');
    EXPECT_EQ(text[23], 'Z');
    std::tm utc{};
    ASSERT_NE(strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &utc), nullptr) << text;
    const auto seconds = std::chrono::system_clock::from_time_t(timegm(&utc));
    const auto at = seconds + std::chrono::milliseconds(std::stoi(text.substr(20, 3)));
    EXPECT_GE(at, std::chrono::floor<std::chrono::milliseconds>(before));
    EXPECT_LE(at, after);
}

TEST(text_functions_test, env_with_a_default_uses_it_only_when_unset) {
    ::setenv("SWARM_TEXT_FN_SET", "set-value", 1);
    ::unsetenv("SWARM_TEXT_FN_UNSET");
    EXPECT_EQ(render("{{ env('SWARM_TEXT_FN_SET', 'fallback') }}"), "set-value");
    EXPECT_EQ(render("{{ env('SWARM_TEXT_FN_UNSET', 'fallback') }}"), "fallback");
    // Read once at compile time: a template of env() alone is static text.
    auto c =
        compile_template("http://{{ env('SWARM_TEXT_FN_UNSET', '127.0.0.1:1') }}/", make_symbols());
    ASSERT_TRUE(c.result);
    EXPECT_TRUE(c.result->is_static());
    EXPECT_EQ(c.result->static_text(), "http://127.0.0.1:1/");
}

TEST(text_functions_test, env_unset_without_a_default_is_a_compile_error) {
    ::unsetenv("SWARM_TEXT_FN_UNSET");
    EXPECT_EQ(first_error("x {{ env('SWARM_TEXT_FN_UNSET') }}"),
              "5: environment variable 'SWARM_TEXT_FN_UNSET' is not set (give a default: "
              "env(\"SWARM_TEXT_FN_UNSET\", \"...\"))");
    EXPECT_EQ(first_error("{{ env(word) }}"),
              "7: env() takes the variable's name in quotes, like env(\"API_TOKEN\")");
    EXPECT_EQ(first_error("{{ env('A', word) }}"),
              "12: env()'s default is text in quotes, like env(\"A\", \"fallback\")");
    EXPECT_EQ(first_error("{{ env('A', 'b', 'c') }}"),
              "3: function 'env' takes 1 argument or 2, got 3");
    EXPECT_EQ(first_error("{{ hmac_sha256('k') }}"),
              "3: function 'hmac_sha256' takes 2 arguments, got 1");
}

}  // namespace
}  // namespace swarm::tmpl::test
