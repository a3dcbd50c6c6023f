// Expressions: literals, names, record fields, operators, precedence and
// short-circuit evaluation.

#include <gtest/gtest.h>

#include <limits>

#include "tests/template/fake_environment.hpp"

namespace swarm::tmpl::test {
namespace {

value text(const char* s) {
    return value(std::string(s));
}
value integer(std::int64_t n) {
    return value(n);
}

TEST(template_test, string_literals_take_either_quote_and_decode_escapes) {
    EXPECT_EQ(eval("\"say \\\"hi\\\"\""), text("say \"hi\""));
    EXPECT_EQ(eval("'it\\'s'"), text("it's"));
    EXPECT_EQ(eval("'a\\\\b\\nc\\td'"), text("a\\b\nc\td"));
    EXPECT_EQ(eval("'double \" inside single'"), text("double \" inside single"));
}

TEST(template_test, integer_and_boolean_literals) {
    EXPECT_EQ(eval("123"), integer(123));
    EXPECT_EQ(eval("9223372036854775807"), integer(std::numeric_limits<std::int64_t>::max()));
    EXPECT_EQ(eval("true"), value(true));
    EXPECT_EQ(eval("false"), value(false));
}

TEST(template_test, builtins_read_the_environment) {
    fake_environment env = make_environment();
    env.last_status_ = 503;
    env.last_body_ = "busy";
    EXPECT_EQ(eval("user_id", env), integer(7));
    EXPECT_EQ(eval("worker_id", env), integer(2));
    EXPECT_EQ(eval("iteration", env), integer(3));
    EXPECT_EQ(eval("last.status", env), integer(503));
    EXPECT_EQ(eval("last.body", env), text("busy"));
    EXPECT_EQ(render("{{ last.status }}:{{ last.body }}", env), "503:busy");
}

TEST(template_test, variables_evaluate_to_their_value) {
    EXPECT_EQ(eval("word"), text("banana"));
    EXPECT_TRUE(std::holds_alternative<std::monostate>(eval("unset")));
}

TEST(template_test, record_field_is_read_and_a_missing_field_is_empty) {
    EXPECT_EQ(eval("account.email"), text("c@example.com"));
    EXPECT_EQ(render("{{ account.password }}"), "pc");
    EXPECT_TRUE(std::holds_alternative<std::monostate>(eval("account.phone")));
    EXPECT_EQ(render("[{{ account.phone }}]"), "[]");
}

TEST(template_test, field_of_a_non_record_or_unset_variable_is_empty) {
    EXPECT_TRUE(std::holds_alternative<std::monostate>(eval("word.length")));
    EXPECT_TRUE(std::holds_alternative<std::monostate>(eval("unset.email")));
    EXPECT_TRUE(std::holds_alternative<std::monostate>(eval("account.email.more")));
    EXPECT_EQ(render("[{{ unset.email }}]"), "[]");
}

TEST(template_test, plus_and_minus_on_integers) {
    EXPECT_EQ(eval("1 + 2"), integer(3));
    EXPECT_EQ(eval("10 - 4 - 3"), integer(3));
    EXPECT_EQ(eval("user_id - 10"), integer(-3));
}

TEST(template_test, strings_that_parse_as_integers_are_integers) {
    EXPECT_EQ(eval("number + 1"), integer(43));
    EXPECT_EQ(eval("'-5' + '3'"), integer(-2));
    EXPECT_EQ(eval("number - '2'"), integer(40));
}

TEST(template_test, plus_with_a_non_integer_operand_concatenates) {
    EXPECT_EQ(eval("'id-' + user_id"), text("id-7"));
    EXPECT_EQ(eval("word + '!'"), text("banana!"));
    EXPECT_EQ(eval("true + 1"), text("true1"));
    EXPECT_EQ(eval("'a' + unset + 'b'"), text("ab"));
    EXPECT_EQ(eval("' 5' + 1"), text(" 51"));
}

TEST(template_test, minus_counts_a_non_integer_operand_as_zero) {
    EXPECT_EQ(eval("'abc' - 1"), integer(-1));
    EXPECT_EQ(eval("5 - word"), integer(5));
    EXPECT_EQ(eval("-word"), integer(0));
}

TEST(template_test, unary_minus_negates) {
    EXPECT_EQ(eval("-5"), integer(-5));
    EXPECT_EQ(eval("--5"), integer(5));
    EXPECT_EQ(eval("-user_id + 10"), integer(3));
}

TEST(template_test, integer_overflow_wraps_around) {
    constexpr auto max = std::numeric_limits<std::int64_t>::max();
    constexpr auto min = std::numeric_limits<std::int64_t>::min();
    EXPECT_EQ(eval("9223372036854775807 + 1"), integer(min));
    EXPECT_EQ(eval("-9223372036854775807 - 2"), integer(max));
    EXPECT_EQ(eval("-(-9223372036854775807 - 1)"), integer(min));
}

TEST(template_test, comparisons_are_numeric_when_both_sides_are_integers) {
    EXPECT_EQ(eval("10 > 9"), value(true));
    EXPECT_EQ(eval("'10' > '9'"), value(true));
    EXPECT_EQ(eval("number == 42"), value(true));
    EXPECT_EQ(eval("'007' == 7"), value(true));
    EXPECT_EQ(eval("3 <= 3"), value(true));
    EXPECT_EQ(eval("3 < 3"), value(false));
    EXPECT_EQ(eval("4 >= 5"), value(false));
    EXPECT_EQ(eval("4 != 5"), value(true));
}

TEST(template_test, comparisons_are_on_text_otherwise) {
    EXPECT_EQ(eval("'abc' < 'abd'"), value(true));
    EXPECT_EQ(eval("'b' > 'abc'"), value(true));
    EXPECT_EQ(eval("word == 'banana'"), value(true));
    EXPECT_EQ(eval("word != 'banana'"), value(false));
    EXPECT_EQ(eval("'10' > 'x9'"), value(false));
    EXPECT_EQ(eval("true == 'true'"), value(true));
    EXPECT_EQ(eval("unset == ''"), value(true));
    EXPECT_EQ(eval("'a' <= 'a'"), value(true));
    EXPECT_EQ(eval("'a' >= 'b'"), value(false));
}

TEST(template_test, contains_tests_for_a_substring) {
    EXPECT_EQ(eval("text contains 'lo w'"), value(true));
    EXPECT_EQ(eval("text contains 'xyz'"), value(false));
    EXPECT_EQ(eval("last.body contains 'ok'"), value(true));
    EXPECT_EQ(eval("12345 contains 34"), value(true));
    EXPECT_EQ(eval("word contains ''"), value(true));
}

TEST(template_test, logical_operators_follow_truthiness) {
    EXPECT_EQ(eval("true && true"), value(true));
    EXPECT_EQ(eval("true && false"), value(false));
    EXPECT_EQ(eval("false || true"), value(true));
    EXPECT_EQ(eval("false || false"), value(false));
    EXPECT_EQ(eval("!true"), value(false));
    EXPECT_EQ(eval("!''"), value(true));
    EXPECT_EQ(eval("!'false'"), value(true));
    EXPECT_EQ(eval("!0"), value(true));
    EXPECT_EQ(eval("!unset"), value(true));
    EXPECT_EQ(eval("!account"), value(false));
    EXPECT_EQ(eval("word && 1"), value(true));
}

TEST(template_test, and_does_not_evaluate_its_right_side_after_false) {
    fake_environment env = make_environment();
    EXPECT_EQ(eval("false && word", env), value(false));
    EXPECT_FALSE(env.was_read("word"));
    EXPECT_EQ(eval("true && word", env), value(true));
    EXPECT_TRUE(env.was_read("word"));
}

TEST(template_test, or_does_not_evaluate_its_right_side_after_true) {
    fake_environment env = make_environment();
    EXPECT_EQ(eval("1 || text", env), value(true));
    EXPECT_FALSE(env.was_read("text"));
    EXPECT_EQ(eval("0 || text", env), value(true));
    EXPECT_TRUE(env.was_read("text"));
}

TEST(template_test, precedence_puts_or_lowest_then_and_then_comparison_then_sums) {
    EXPECT_EQ(eval("true || false && false"), value(true));
    EXPECT_EQ(eval("false && false || true"), value(true));
    EXPECT_EQ(eval("1 + 2 == 3"), value(true));
    EXPECT_EQ(eval("1 == 1 && 2 == 2"), value(true));
    EXPECT_EQ(eval("'ab' + 'c' contains 'bc'"), value(true));
    EXPECT_EQ(eval("1 < 2 || 1 > 2 && false"), value(true));
}

TEST(template_test, unary_operators_bind_tightest) {
    EXPECT_EQ(eval("!false && false"), value(false));
    EXPECT_EQ(eval("-1 + 2"), integer(1));
    EXPECT_EQ(eval("!(false && false)"), value(true));
}

TEST(template_test, sums_associate_to_the_left) {
    EXPECT_EQ(eval("10 - 2 - 3"), integer(5));
    EXPECT_EQ(eval("'a' + 1 + 2"), text("a12"));
    EXPECT_EQ(eval("1 + 2 + 'a'"), text("3a"));
}

TEST(template_test, parentheses_override_precedence) {
    EXPECT_EQ(eval("10 - (2 - 3)"), integer(11));
    EXPECT_EQ(eval("(true || false) && false"), value(false));
    EXPECT_EQ(eval("((((1))))"), integer(1));
}

TEST(template_test, rendering_matches_evaluation_for_every_operator) {
    for (const char* source :
         {"1 + 2", "'a' + user_id", "5 - 7", "-3", "!true", "1 < 2", "word contains 'an'",
          "true && false", "false || 1", "last.body", "account.email", "account"}) {
        fake_environment env = make_environment();
        std::string rendered = render(std::string("{{ ") + source + " }}", env);
        EXPECT_EQ(rendered, to_string(eval(source))) << source;
    }
}

}  // namespace
}  // namespace swarm::tmpl::test
