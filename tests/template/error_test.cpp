// Compile errors: every class with its offset and message, several errors
// reported at once, and hostile input that must give errors, not crashes.

#include <gtest/gtest.h>

#include <random>

#include "tests/template/fake_environment.hpp"

namespace swarm::tmpl::test {
namespace {

std::vector<error> template_errors(std::string_view source) {
    auto c = compile_template(source, make_symbols());
    EXPECT_FALSE(c.result) << source;
    return c.errors;
}

std::vector<error> expression_errors(std::string_view source) {
    auto c = compile_expression(source, make_symbols());
    EXPECT_FALSE(c.result) << source;
    return c.errors;
}

// The only error of `source`, as "offset: message".
std::string only_error(std::string_view source) {
    auto errors = template_errors(source);
    if (errors.size() != 1) return std::to_string(errors.size()) + " errors";
    return std::to_string(errors[0].offset) + ": " + errors[0].message;
}

bool has(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

TEST(template_test, undefined_variable_is_an_error_with_offset) {
    EXPECT_EQ(only_error("Hi {{ nobody }}"), "6: undefined variable 'nobody'");
}

TEST(template_test, unclosed_braces_are_an_error_at_the_opening_braces) {
    EXPECT_EQ(only_error("ab {{ user_id"), "3: '{{' without a closing '}}'");
    EXPECT_EQ(only_error("x {{ 'abc"), "2: '{{' without a closing '}}'");
}

TEST(template_test, unknown_function_suggests_the_closest_name) {
    EXPECT_EQ(only_error("{{ rnd_int(1, 2) }}"),
              "3: unknown function 'rnd_int', did you mean 'rand_int'?");
    EXPECT_EQ(only_error("{{ uid() }}"), "3: unknown function 'uid', did you mean 'uuid'?");
}

TEST(template_test, unknown_function_far_from_any_lists_the_known_ones) {
    std::string e = only_error("{{ frobnicate(1) }}");
    EXPECT_TRUE(has(e, "3: unknown function 'frobnicate'; known functions: random next")) << e;
}

TEST(template_test, wrong_argument_count_names_the_function_and_the_count) {
    EXPECT_EQ(only_error("{{ rand_int(1) }}"), "3: function 'rand_int' takes 2 arguments, got 1");
    EXPECT_EQ(only_error("{{ uuid(1) }}"), "3: function 'uuid' takes no arguments, got 1");
    EXPECT_EQ(only_error("{{ len() }}"), "3: function 'len' takes 1 argument, got 0");
    EXPECT_EQ(only_error("{{ random(words, words) }}"),
              "3: function 'random' takes 1 argument, got 2");
}

TEST(template_test, unknown_data_set_lists_the_available_ones) {
    EXPECT_EQ(only_error("{{ random(nope) }}"),
              "10: unknown data set 'nope' (available: words accounts empty)");
    auto c = compile_template("{{ next(nope) }}", symbols{});
    ASSERT_EQ(c.errors.size(), 1u);
    EXPECT_EQ(c.errors[0].message, "unknown data set 'nope' (no data sets are defined)");
}

TEST(template_test, data_set_functions_take_a_bare_name) {
    EXPECT_EQ(only_error("{{ random('words') }}"),
              "10: 'random' takes the name of a data set, like random(words)");
}

TEST(template_test, data_set_used_as_a_variable_is_an_error) {
    EXPECT_EQ(only_error("{{ words }}"),
              "3: data set 'words' can only be read with random(words) or next(words)");
}

TEST(template_test, builtins_have_only_their_fields) {
    EXPECT_EQ(only_error("{{ last.foo }}"), "3: 'last' has two fields: last.status and last.body");
    EXPECT_EQ(only_error("{{ last }}"), "3: 'last' has two fields: last.status and last.body");
    EXPECT_EQ(only_error("{{ user_id.x }}"), "3: 'user_id' has no fields");
}

TEST(template_test, missing_is_variable_means_no_variables) {
    auto c = compile_template("{{ word }}", symbols{});
    ASSERT_EQ(c.errors.size(), 1u);
    EXPECT_EQ(c.errors[0].message, "undefined variable 'word'");
}

TEST(template_test, every_error_is_reported_in_source_order) {
    auto errors = template_errors("{{ a1 }} {{ b1 }} {{ foo() }}");
    ASSERT_EQ(errors.size(), 3u);
    EXPECT_EQ(errors[0].offset, 3u);
    EXPECT_EQ(errors[1].offset, 12u);
    EXPECT_EQ(errors[2].offset, 21u);
    EXPECT_TRUE(has(errors[2].message, "unknown function 'foo'"));
}

TEST(template_test, errors_of_meaning_in_one_expression_are_all_reported) {
    auto errors = template_errors("{{ x1 + len(y1, 2) + z1 }}");
    ASSERT_EQ(errors.size(), 4u);
    EXPECT_EQ(errors[0].offset, 3u);   // x1
    EXPECT_EQ(errors[1].offset, 8u);   // len takes 1 argument
    EXPECT_EQ(errors[2].offset, 12u);  // y1
    EXPECT_EQ(errors[3].offset, 21u);  // z1
}

TEST(template_test, syntax_error_in_one_segment_does_not_hide_the_next) {
    auto errors = template_errors("{{ 1 + }} {{ zz }}");
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].offset, 7u);
    EXPECT_EQ(errors[0].message, "expected an expression");
    EXPECT_EQ(errors[1].offset, 13u);
}

TEST(template_test, syntax_errors_say_what_was_expected) {
    EXPECT_EQ(only_error("{{ (1 }}"),
              "6: expected ')' to close the '(' at offset 3, found end of expression");
    EXPECT_EQ(only_error("{{ 1 2 }}"), "5: unexpected '2' after the expression");
    EXPECT_EQ(only_error("{{ 1 + ) }}"), "7: unexpected ')', expected an expression");
    EXPECT_EQ(only_error("{{ account. }}"),
              "12: expected a field name after '.', found end of expression");
    EXPECT_EQ(only_error("{{ len(word }}"),
              "12: expected ',' or ')' in the call of 'len', found end of expression");
}

TEST(template_test, lexical_errors_point_at_the_character) {
    EXPECT_EQ(only_error("{{ a = 1 }}"), "5: unexpected '=' (did you mean '=='?)");
    EXPECT_EQ(only_error("{{ 1 & 1 }}"), "5: unexpected '&' (did you mean '&&'?)");
    EXPECT_EQ(only_error("{{ 1 | 1 }}"), "5: unexpected '|' (did you mean '||'?)");
    EXPECT_EQ(only_error("{{ 2 * 3 }}"), "5: unexpected '*' in expression");
    EXPECT_EQ(only_error(std::string("{{ \x01 }}")), "3: unexpected byte 0x01 in expression");
}

TEST(template_test, empty_expression_is_an_error_at_the_braces) {
    EXPECT_EQ(only_error("ab{{ }}"), "2: empty expression");
    EXPECT_EQ(only_error("{{}}"), "0: empty expression");
}

TEST(template_test, unterminated_string_is_an_error_at_the_quote) {
    EXPECT_EQ(only_error("{{ 'abc }}"), "3: unterminated string");
    EXPECT_EQ(only_error("{{ \"abc\\\" }}"), "3: unterminated string");
    EXPECT_EQ(only_error("{{ 'abc\\"), "0: '{{' without a closing '}}'");
}

TEST(template_test, unknown_escape_is_an_error_at_the_backslash) {
    EXPECT_EQ(only_error("{{ 'a\\q' }}"), "5: unknown escape '\\q' (known: \\\" \\' \\\\ \\n \\t)");
}

TEST(template_test, integer_literal_too_large_is_an_error) {
    EXPECT_EQ(only_error("{{ 99999999999999999999 }}"),
              "3: integer literal too large (the limit is 9223372036854775807)");
    EXPECT_EQ(only_error("{{ 9223372036854775808 }}"),
              "3: integer literal too large (the limit is 9223372036854775807)");
}

TEST(template_test, expression_errors_are_reported_like_template_errors) {
    auto empty = expression_errors("");
    ASSERT_EQ(empty.size(), 1u);
    EXPECT_EQ(empty[0].message, "empty expression");
    auto trailing = expression_errors("{{ 1 }} + 1");
    ASSERT_EQ(trailing.size(), 1u);
    EXPECT_EQ(trailing[0].offset, 7u);
    auto unclosed = expression_errors(" {{ 1");
    ASSERT_EQ(unclosed.size(), 1u);
    EXPECT_EQ(unclosed[0].offset, 1u);
    auto incomplete = expression_errors("last.status ==");
    ASSERT_EQ(incomplete.size(), 1u);
    EXPECT_EQ(incomplete[0].offset, 14u);
    auto undefined = expression_errors("who == 1 || whom");
    ASSERT_EQ(undefined.size(), 2u);
    EXPECT_EQ(undefined[1].offset, 12u);
}

TEST(template_test, deep_parentheses_are_an_error_not_a_stack_overflow) {
    std::string deep = "{{ " + std::string(100000, '(') + "1" + std::string(100000, ')') + " }}";
    EXPECT_EQ(only_error(deep), "67: expression nested too deeply (the limit is 64 levels)");
    std::string ok = "{{ " + std::string(60, '(') + "1" + std::string(60, ')') + " }}";
    EXPECT_EQ(render(ok), "1");
    auto bare = expression_errors(std::string(100000, '('));
    ASSERT_EQ(bare.size(), 1u);
    EXPECT_EQ(bare[0].offset, 64u);
}

TEST(template_test, deep_unary_operators_and_calls_are_an_error) {
    EXPECT_TRUE(has(only_error("{{ " + std::string(100000, '!') + "true }}"), "nested too deeply"));
    EXPECT_TRUE(has(only_error("{{ " + std::string(100000, '-') + "1 }}"), "nested too deeply"));
    std::string calls;
    for (int i = 0; i < 10000; ++i) calls += "len(";
    EXPECT_TRUE(has(only_error("{{ " + calls + " }}"), "nested too deeply"));
}

TEST(template_test, long_operator_chains_are_an_error_not_a_stack_overflow) {
    std::string chain = "1";
    for (int i = 0; i < 100000; ++i) chain += "+1";
    EXPECT_TRUE(has(only_error("{{ " + chain + " }}"), "too long or too deeply nested"));
    std::string fine = "1";
    for (int i = 0; i < 100; ++i) fine += "+1";
    EXPECT_EQ(render("{{ " + fine + " }}"), "101");
}

TEST(template_test, stacked_braces_are_an_error) {
    EXPECT_EQ(only_error("{{{{"), "0: '{{' without a closing '}}'");
    EXPECT_EQ(only_error("{{{{ 1 }}}}"), "2: unexpected '{' in expression");
    EXPECT_EQ(only_error("{{ {{ user_id }} }}"), "3: unexpected '{' in expression");
}

// A small fuzz loop over token soup: whatever compiles must evaluate and
// render without crashing (ASan/UBSan watch the rest).
TEST(template_test, random_token_soup_never_crashes) {
    const std::vector<std::string> pieces = {"{{",
                                             "}}",
                                             "(",
                                             ")",
                                             ",",
                                             ".",
                                             "+",
                                             "-",
                                             "!",
                                             "==",
                                             "!=",
                                             "<",
                                             "<=",
                                             ">",
                                             ">=",
                                             "&&",
                                             "||",
                                             "contains",
                                             "true",
                                             "false",
                                             "'s'",
                                             "\"\\\"\"",
                                             "'",
                                             "\\",
                                             "0",
                                             "7",
                                             "9223372036854775807",
                                             "99999999999999999999",
                                             "word",
                                             "account",
                                             "email",
                                             "unset",
                                             "number",
                                             "last",
                                             "status",
                                             "body",
                                             "user_id",
                                             "random",
                                             "next",
                                             "words",
                                             "accounts",
                                             "empty",
                                             "rand_int",
                                             "rand_str",
                                             "uuid",
                                             "now_ms",
                                             "len",
                                             "prefix",
                                             "substr",
                                             "urlencode",
                                             "env",
                                             " ",
                                             "x",
                                             "{",
                                             "}",
                                             "\xff",
                                             "="};
    std::mt19937_64 rng(1234);
    std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
    std::uniform_int_distribution<int> length(1, 30);
    symbols syms = make_symbols();
    int compiled_ok = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string source = i % 2 ? "{{ " : "";
        for (int n = length(rng); n > 0; --n) source += pieces[pick(rng)];
        if (i % 2) source += " }}";
        fake_environment env = make_environment();
        auto t = compile_template(source, syms);
        if (t.result) {
            ++compiled_ok;
            (void)t.result->render(env);
            (void)t.result->evaluate(env);
        } else {
            EXPECT_FALSE(t.errors.empty());
            for (const auto& e : t.errors) EXPECT_LE(e.offset, source.size()) << source;
        }
        auto x = compile_expression(source, syms);
        if (x.result) (void)x.result->evaluate(env);
        (void)referenced_names(source);
    }
    EXPECT_GT(compiled_ok, 100);
}

}  // namespace
}  // namespace swarm::tmpl::test
