// The builtin functions, through both evaluation and rendering.

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>

#include "tests/template/fake_environment.hpp"

namespace swarm::tmpl::test {
namespace {

value text(const char* s) {
    return value(std::string(s));
}

std::string str(const value& v) {
    return to_string(v);
}

TEST(template_test, random_picks_every_item_of_a_data_set) {
    fake_environment env = make_environment();
    auto c = expr("random(words)");
    ASSERT_TRUE(c.result);
    std::map<std::string, int> seen;
    for (int i = 0; i < 300; ++i) ++seen[str(c.result->evaluate(env))];
    EXPECT_EQ(seen.size(), 3u);
    for (const auto& [word, count] : seen) {
        EXPECT_TRUE(word == "apple" || word == "banana" || word == "cherry") << word;
        EXPECT_GT(count, 60) << word;  // about 100 each
    }
}

TEST(template_test, random_uses_the_users_generator) {
    fake_environment a = make_environment();
    fake_environment b = make_environment();
    std::string first;
    std::string second;
    for (int i = 0; i < 20; ++i) {
        first += render("{{ random(words) }}{{ rand_int(0, 1000) }}", a);
        second += render("{{ random(words) }}{{ rand_int(0, 1000) }}", b);
    }
    EXPECT_EQ(first, second);
}

TEST(template_test, random_of_a_record_data_set_yields_records) {
    auto v = eval("random(accounts)");
    ASSERT_TRUE(std::holds_alternative<record_ptr>(v));
    EXPECT_NE(std::get<record_ptr>(v)->find("email"), nullptr);
}

TEST(template_test, next_walks_the_data_set_in_order_and_wraps) {
    auto c = compile_template("{{ next(words) }},", make_symbols());
    ASSERT_TRUE(c.result);
    fake_environment env = make_environment();
    std::string out;
    for (int i = 0; i < 4; ++i) c.result->render(env, out);
    EXPECT_EQ(out, "apple,banana,cherry,apple,");
}

TEST(template_test, random_and_next_of_an_empty_data_set_are_empty) {
    EXPECT_TRUE(std::holds_alternative<std::monostate>(eval("random(empty)")));
    EXPECT_TRUE(std::holds_alternative<std::monostate>(eval("next(empty)")));
    EXPECT_EQ(render("[{{ random(empty) }}{{ next(empty) }}]"), "[]");
}

TEST(template_test, rand_int_is_inclusive_at_both_ends) {
    fake_environment env = make_environment();
    auto c = expr("rand_int(3, 5)");
    ASSERT_TRUE(c.result);
    std::set<std::int64_t> seen;
    for (int i = 0; i < 200; ++i) seen.insert(as_int(c.result->evaluate(env)));
    EXPECT_EQ(seen, (std::set<std::int64_t>{3, 4, 5}));
}

TEST(template_test, rand_int_accepts_reversed_equal_and_extreme_bounds) {
    fake_environment env = make_environment();
    for (int i = 0; i < 50; ++i) {
        std::int64_t n = as_int(eval("rand_int(5, 3)", env));
        EXPECT_TRUE(n >= 3 && n <= 5) << n;
    }
    EXPECT_EQ(as_int(eval("rand_int(4, 4)", env)), 4);
    EXPECT_EQ(as_int(eval("rand_int('x', 0)", env)), 0);
    auto extreme = eval("rand_int(-9223372036854775807 - 1, 9223372036854775807)", env);
    EXPECT_TRUE(std::holds_alternative<std::int64_t>(extreme));
}

TEST(template_test, rand_str_is_alphanumeric_of_the_asked_length) {
    fake_environment env = make_environment();
    std::string s = str(eval("rand_str(200)", env));
    EXPECT_EQ(s.size(), 200u);
    for (char ch : s) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch))) << ch;
    std::string t = str(eval("rand_str(200)", env));
    EXPECT_NE(s, t);
    EXPECT_EQ(render("{{ rand_str(12) }}", env).size(), 12u);
}

TEST(template_test, rand_str_clamps_negative_and_huge_lengths) {
    EXPECT_EQ(str(eval("rand_str(-5)")), "");
    EXPECT_EQ(str(eval("rand_str(0)")), "");
    EXPECT_EQ(str(eval("rand_str(9223372036854775807)")).size(), std::size_t{1} << 20);
    EXPECT_EQ(render("{{ rand_str(9223372036854775807) }}").size(), std::size_t{1} << 20);
}

TEST(template_test, uuid_is_a_version_4_uuid) {
    fake_environment env = make_environment();
    std::string u = str(eval("uuid()", env));
    ASSERT_EQ(u.size(), 36u);
    for (std::size_t i = 0; i < u.size(); ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            EXPECT_EQ(u[i], '-') << u;
        } else {
            EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(u[i])) && !std::isupper(u[i]))
                << u;
        }
    }
    EXPECT_EQ(u[14], '4') << u;
    EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos) << u;
    EXPECT_NE(render("{{ uuid() }}", env), u);
}

TEST(template_test, now_ms_is_the_unix_time_in_milliseconds) {
    using namespace std::chrono;
    auto ms = [] {
        return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    };
    std::int64_t before = ms();
    std::int64_t now = as_int(eval("now_ms()"));
    std::int64_t after = ms();
    EXPECT_GE(now, before);
    EXPECT_LE(now, after);
}

TEST(template_test, len_counts_bytes_of_the_text) {
    EXPECT_EQ(as_int(eval("len('hello')")), 5);
    EXPECT_EQ(as_int(eval("len(word)")), 6);
    EXPECT_EQ(as_int(eval("len(12345)")), 5);
    EXPECT_EQ(as_int(eval("len(unset)")), 0);
    EXPECT_EQ(as_int(eval("len('é')")), 2);
}

TEST(template_test, prefix_takes_the_first_bytes_and_clamps) {
    EXPECT_EQ(eval("prefix(word, 3)"), text("ban"));
    EXPECT_EQ(eval("prefix(word, 0)"), text(""));
    EXPECT_EQ(eval("prefix(word, -4)"), text(""));
    EXPECT_EQ(eval("prefix(word, 100)"), text("banana"));
    EXPECT_EQ(eval("prefix(word, 9223372036854775807)"), text("banana"));
    EXPECT_EQ(eval("prefix(12345, '2')"), text("12"));
    EXPECT_EQ(render("<{{ prefix(account.email, 1) }}>"), "<c>");
}

TEST(template_test, substr_takes_start_and_length_and_clamps) {
    EXPECT_EQ(eval("substr(text, 6, 5)"), text("world"));
    EXPECT_EQ(eval("substr(text, 6, 100)"), text("world"));
    EXPECT_EQ(eval("substr(text, 100, 5)"), text(""));
    EXPECT_EQ(eval("substr(text, -3, 5)"), text("hello"));
    EXPECT_EQ(eval("substr(text, 2, -1)"), text(""));
    EXPECT_EQ(eval("substr(text, 9223372036854775807, 9223372036854775807)"), text(""));
    EXPECT_EQ(eval("substr(text, 0, 9223372036854775807)"), text("hello world"));
    EXPECT_EQ(render("{{ substr(word, 1, 3) }}"), "ana");
}

TEST(template_test, urlencode_keeps_only_unreserved_characters) {
    EXPECT_EQ(eval("urlencode('a b&c=d/e?f~g.h_i-j')"), text("a%20b%26c%3Dd%2Fe%3Ff~g.h_i-j"));
    EXPECT_EQ(eval("urlencode('é+%')"), text("%C3%A9%2B%25"));
    EXPECT_EQ(render("q={{ urlencode(name) }}"), "q=Ada%20Lovelace");
}

TEST(template_test, env_reads_the_process_environment) {
    ::setenv("SWARM_TEMPLATE_TEST_VALUE", "from-env", 1);
    ::unsetenv("SWARM_TEMPLATE_TEST_UNSET");
    EXPECT_EQ(eval("env('SWARM_TEMPLATE_TEST_VALUE')"), text("from-env"));
    EXPECT_EQ(render("[{{ env(\"SWARM_TEMPLATE_TEST_VALUE\") }}]"), "[from-env]");
    // Unset with no default: a compile error (env_test.cpp), not an empty text.
    EXPECT_EQ(eval("env('SWARM_TEMPLATE_TEST_UNSET', '')"), text(""));
}

TEST(template_test, functions_compose) {
    EXPECT_EQ(eval("len(prefix(urlencode(name), 5)) + len(substr(word, 1, 2))"),
              value(std::int64_t{7}));
    EXPECT_EQ(render("{{ prefix(word, len(word) - 1) }}"), "banan");
}

}  // namespace
}  // namespace swarm::tmpl::test
