// Typed values: floats, null, arrays and objects; their text, their JSON,
// truthiness and comparisons; int/float/str/json conversions; lists with
// random_choice and len.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <limits>
#include <set>
#include <string>

#include "tests/template/fake_environment.hpp"

namespace swarm::tmpl::test {
namespace {

value parsed(const char* json) {
    return from_json(boost::json::parse(json));
}

std::string json_of(const value& v) {
    std::string out;
    append_json(out, v);
    return out;
}

// A user whose variables hold one value of every type.
fake_environment typed_environment() {
    fake_environment env = make_environment();
    env.variables_["i"] = std::int64_t{1};
    env.variables_["f"] = 1.5;
    env.variables_["t"] = true;
    env.variables_["z"] = null_value{};
    env.variables_["s"] = std::string("say \"hi\"\n");
    env.variables_["l"] = parsed(R"([1, "two", 3.5, null])");
    env.variables_["o"] = parsed(R"({"k": [true], "n": 2})");
    env.variables_["e"] = parsed("[]");
    env.variables_["r"] = make_record({{"email", "a@x"}, {"n", "1"}});
    return env;
}

symbols typed_symbols() {
    return make_symbols({"i", "f", "t", "z", "s", "l", "o", "e", "r", "unset", "number", "word"});
}

// The template's JSON rendering (what a `json:` body leaf sends).
std::string json_render(std::string_view source, fake_environment& env) {
    auto c = compile_template(source, typed_symbols());
    if (!c.result) return "<compile error: " + c.errors.at(0).message + ">";
    std::string out;
    c.result->render_json(env, out);
    return out;
}

std::string text_render(std::string_view source, fake_environment& env) {
    auto c = compile_template(source, typed_symbols());
    if (!c.result) return "<compile error: " + c.errors.at(0).message + ">";
    return c.result->render(env);
}

value typed_eval(std::string_view source, fake_environment& env) {
    auto c = compile_expression(source, typed_symbols());
    if (!c.result) return value(std::string("<compile error: ") + c.errors.at(0).message + ">");
    return c.result->evaluate(env);
}

std::string first_error(std::string_view source) {
    auto c = compile_template(source, typed_symbols());
    return c.errors.empty() ? std::string("<no error>") : c.errors[0].message;
}

TEST(typed_value, a_whole_value_template_renders_as_json_of_its_type) {
    fake_environment env = typed_environment();
    EXPECT_EQ(json_render("{{ i }}", env), "1");
    EXPECT_EQ(json_render("{{ f }}", env), "1.5");
    EXPECT_EQ(json_render("{{ t }}", env), "true");
    EXPECT_EQ(json_render("{{ z }}", env), "null");
    EXPECT_EQ(json_render("{{ s }}", env), R"("say \"hi\"\n")");
    EXPECT_EQ(json_render("{{ l }}", env), R"([1,"two",3.5,null])");
    EXPECT_EQ(json_render("{{ o }}", env), R"({"k":[true],"n":2})");
    EXPECT_EQ(json_render("{{ r }}", env), R"({"email":"a@x","n":"1"})");
    EXPECT_EQ(json_render("{{ unset }}", env), "null");  // no value
    EXPECT_EQ(json_render("{{ i + 1 }}", env), "2");
    EXPECT_EQ(json_render("{{ i == 1 }}", env), "true");
    EXPECT_EQ(json_render("{{ user_id }}", env), "7");
}

TEST(typed_value, a_template_inside_a_longer_string_stays_a_string) {
    fake_environment env = typed_environment();
    EXPECT_EQ(json_render("id-{{ i }}", env), R"("id-1")");
    EXPECT_EQ(json_render("{{ f }} ", env), R"("1.5 ")");
    EXPECT_EQ(json_render("x{{ l }}", env), R"("x[1,\"two\",3.5,null]")");
    EXPECT_EQ(json_render("{{ z }}{{ t }}", env), R"("nulltrue")");
    EXPECT_EQ(json_render("plain", env), R"("plain")");
    // The text forms, as in URLs and headers.
    EXPECT_EQ(text_render("{{ i }}|{{ f }}|{{ t }}|{{ z }}|{{ unset }}|{{ o }}", env),
              R"(1|1.5|true|null||{"k":[true],"n":2})");
}

TEST(typed_value, floats_keep_a_decimal_and_non_finite_floats_are_null_in_json) {
    EXPECT_EQ(to_string(value(2.0)), "2.0");
    EXPECT_EQ(to_string(value(-0.25)), "-0.25");
    EXPECT_EQ(to_string(value(1e300)), "1e+300");
    EXPECT_EQ(to_string(value(std::numeric_limits<double>::infinity())), "inf");
    EXPECT_EQ(json_of(value(std::numeric_limits<double>::infinity())), "null");
    EXPECT_EQ(json_of(value(std::numeric_limits<double>::quiet_NaN())), "null");
    EXPECT_EQ(json_of(parsed("[2.0, 1e300]")), "[2.0,1e+300]");
}

TEST(typed_value, conversions) {
    fake_environment env = typed_environment();
    EXPECT_EQ(typed_eval("int('42')", env), value(std::int64_t{42}));
    EXPECT_EQ(typed_eval("int('-12.9')", env), value(std::int64_t{-12}));
    EXPECT_EQ(typed_eval("int(f)", env), value(std::int64_t{1}));
    EXPECT_EQ(typed_eval("int(t)", env), value(std::int64_t{1}));
    EXPECT_EQ(typed_eval("float('1.5')", env), value(1.5));
    EXPECT_EQ(typed_eval("float(i)", env), value(1.0));
    EXPECT_EQ(typed_eval("float('2e3')", env), value(2000.0));
    EXPECT_EQ(typed_eval("str(i)", env), value(std::string("1")));
    EXPECT_EQ(typed_eval("str(f)", env), value(std::string("1.5")));
    EXPECT_EQ(typed_eval("str(unset)", env), value(std::string()));
    EXPECT_EQ(typed_eval("json('3')", env), value(std::int64_t{3}));
    EXPECT_EQ(typed_eval("json('null')", env), value(null_value{}));
    EXPECT_EQ(typed_eval("json('\"q\"')", env), value(std::string("q")));
    EXPECT_EQ(json_of(typed_eval("json('{\"a\": [1, 2.5]}')", env)), R"({"a":[1,2.5]})");
    EXPECT_EQ(typed_eval("json(i)", env), value(std::int64_t{1}));  // typed already
    EXPECT_EQ(json_render("{{ str(i) }}", env), R"("1")");
    EXPECT_EQ(json_render("{{ int(number) }}", env), "42");
    EXPECT_EQ(json_render("{{ float(number) }}", env), "42.0");
}

TEST(typed_value, bad_input_at_runtime_gives_no_value) {
    fake_environment env = typed_environment();
    env.variables_["s"] = std::string("abc");
    EXPECT_EQ(typed_eval("int(s)", env), value());
    EXPECT_EQ(typed_eval("float(s)", env), value());
    EXPECT_EQ(typed_eval("json(s)", env), value());
    EXPECT_EQ(typed_eval("int(l)", env), value());
    EXPECT_EQ(typed_eval("int(z)", env), value());
    env.variables_["s"] = std::string("1e999");  // not finite: not a number
    EXPECT_EQ(typed_eval("float(s)", env), value());
    EXPECT_EQ(typed_eval("int(s)", env), value());
    env.variables_["s"] = std::string(100, '[');  // past Boost.JSON's depth limit
    EXPECT_EQ(typed_eval("json(s)", env), value());
    env.variables_["s"] = std::string("{\"a\": 1");
    EXPECT_EQ(json_render("{{ json(s) }}", env), "null");
}

TEST(typed_value, bad_literal_arguments_are_compile_errors) {
    EXPECT_EQ(first_error("{{ int('abc') }}"),
              R"(int("abc"): the argument is not an integer or a number)");
    EXPECT_EQ(first_error("{{ float('1.5x') }}"), R"(float("1.5x"): the argument is not a number)");
    EXPECT_EQ(first_error("{{ json('{') }}"), R"(json("{"): the argument is not valid JSON)");
    auto c = compile_template("ab{{ int('x') }}", typed_symbols());
    ASSERT_FALSE(c.errors.empty());
    EXPECT_EQ(c.errors[0].offset, 9u);  // the argument
    EXPECT_EQ(first_error("{{ int(1) }}{{ float('3') }}{{ json('[]') }}"), "<no error>");
}

TEST(typed_value, truthiness) {
    fake_environment env = typed_environment();
    EXPECT_EQ(typed_eval("!z", env), value(true));
    EXPECT_EQ(typed_eval("!e", env), value(true));
    EXPECT_EQ(typed_eval("!l", env), value(false));
    EXPECT_EQ(typed_eval("!o", env), value(false));
    EXPECT_EQ(typed_eval("!json('{}')", env), value(true));
    EXPECT_EQ(typed_eval("!float('0')", env), value(true));
    EXPECT_EQ(typed_eval("!f", env), value(false));
}

TEST(typed_value, numbers_compare_numerically_across_int_and_float) {
    fake_environment env = typed_environment();
    EXPECT_EQ(typed_eval("i == float('1')", env), value(true));
    EXPECT_EQ(typed_eval("f > i", env), value(true));
    EXPECT_EQ(typed_eval("f < 2", env), value(true));
    EXPECT_EQ(typed_eval("f == '1.5'", env), value(true));  // text comparison: "1.5"
    EXPECT_EQ(typed_eval("number > f", env), value(true));  // "42" is integer-like
    EXPECT_EQ(typed_eval("f + i", env), value(2.5));
    EXPECT_EQ(typed_eval("f - 2", env), value(-0.5));
    EXPECT_EQ(typed_eval("-f", env), value(-1.5));
    EXPECT_EQ(typed_eval("i + 1", env), value(std::int64_t{2}));
    EXPECT_EQ(typed_eval("z == json('null')", env), value(true));
    EXPECT_EQ(typed_eval("l == json('[1,\"two\",3.5,null]')", env), value(true));
    EXPECT_EQ(typed_eval("o != l", env), value(true));
    EXPECT_EQ(typed_eval("l contains 'two'", env), value(true));
    EXPECT_EQ(typed_eval("l contains 1", env), value(true));
    EXPECT_EQ(typed_eval("l contains 2", env), value(false));
}

TEST(typed_value, len_and_random_choice_of_lists) {
    fake_environment env = typed_environment();
    EXPECT_EQ(typed_eval("len(l)", env), value(std::int64_t{4}));
    EXPECT_EQ(typed_eval("len(e)", env), value(std::int64_t{0}));
    EXPECT_EQ(typed_eval("len(o)", env), value(std::int64_t{2}));
    EXPECT_EQ(typed_eval("len(word)", env), value(std::int64_t{6}));  // bytes, as before
    EXPECT_EQ(typed_eval("random_choice(e)", env), value());
    EXPECT_EQ(typed_eval("random_choice(word)", env), value());
    std::set<std::string> seen;
    for (int k = 0; k < 200; ++k) seen.insert(json_of(typed_eval("random_choice(l)", env)));
    EXPECT_EQ(seen, (std::set<std::string>{"1", "\"two\"", "3.5", "null"}));
    // The user's own generator: the same seed picks the same sequence.
    fake_environment a = typed_environment();
    fake_environment b = typed_environment();
    for (int k = 0; k < 20; ++k) {
        EXPECT_EQ(typed_eval("random_choice(l)", a), typed_eval("random_choice(l)", b));
    }
    // A picked element keeps its type.
    env.variables_["l"] = parsed("[5]");
    EXPECT_EQ(json_render("{{ random_choice(l) }}", env), "5");
}

TEST(typed_value, fields_of_a_json_object_keep_their_type) {
    fake_environment env = typed_environment();
    env.variables_["o"] = parsed(R"({"a": {"b": 2.5, "c": [1]}, "s": "x"})");
    EXPECT_EQ(typed_eval("o.a.b", env), value(2.5));
    EXPECT_EQ(typed_eval("o.s", env), value(std::string("x")));
    EXPECT_EQ(json_render("{{ o.a.c }}", env), "[1]");
    EXPECT_EQ(text_render("{{ o.a.b }}/{{ o.missing }}/{{ o.s.deeper }}", env), "2.5//");
    EXPECT_EQ(typed_eval("o.a.missing", env), value());
    EXPECT_EQ(typed_eval("l.x", env), value());  // a list has no fields
}

TEST(typed_value, from_json_maps_scalars_to_native_values) {
    EXPECT_EQ(parsed("7"), value(std::int64_t{7}));
    EXPECT_EQ(parsed("-7.25"), value(-7.25));
    EXPECT_EQ(parsed("false"), value(false));
    EXPECT_EQ(parsed("null"), value(null_value{}));
    EXPECT_EQ(parsed("\"s\""), value(std::string("s")));
    EXPECT_EQ(parsed("9223372036854775807"), value(std::numeric_limits<std::int64_t>::max()));
    EXPECT_EQ(parsed("9223372036854775808"), value(9223372036854775808.0));
    EXPECT_NE(as_list(parsed("[]")), nullptr);
    EXPECT_EQ(as_list(parsed("{}")), nullptr);
}

}  // namespace
}  // namespace swarm::tmpl::test
