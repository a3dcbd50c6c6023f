// Templates: literal text with {{ }} segments, rendering, value passthrough,
// and referenced_names.

#include <gtest/gtest.h>

#include "tests/template/fake_environment.hpp"

namespace swarm::tmpl::test {
namespace {

TEST(template_test, text_without_segments_is_static) {
    auto c = compile_template("/index.html?q=1", make_symbols());
    ASSERT_TRUE(c.result);
    EXPECT_TRUE(c.result->is_static());
    EXPECT_EQ(c.result->static_text(), "/index.html?q=1");
    EXPECT_EQ(c.result->source(), "/index.html?q=1");
}

TEST(template_test, empty_template_is_static_and_empty) {
    auto c = compile_template("", make_symbols());
    ASSERT_TRUE(c.result);
    EXPECT_TRUE(c.result->is_static());
    EXPECT_EQ(c.result->static_text(), "");
    fake_environment env = make_environment();
    EXPECT_EQ(c.result->render(env), "");
}

TEST(template_test, lone_closing_braces_are_text) {
    auto c = compile_template("a }} b {", make_symbols());
    ASSERT_TRUE(c.result);
    EXPECT_TRUE(c.result->is_static());
    EXPECT_EQ(c.result->static_text(), "a }} b {");
}

TEST(template_test, segments_render_between_literal_text) {
    EXPECT_EQ(render("user{{ user_id }}@example.com"), "user7@example.com");
    EXPECT_EQ(render("{{ worker_id }}-{{ iteration }}-{{ word }}"), "2-3-banana");
}

TEST(template_test, template_with_a_segment_is_not_static) {
    auto c = compile_template("user{{ user_id }}", make_symbols());
    ASSERT_TRUE(c.result);
    EXPECT_FALSE(c.result->is_static());
}

TEST(template_test, whitespace_inside_braces_is_free) {
    EXPECT_EQ(render("{{user_id}}|{{   user_id\n\t }}|{{ user_id+1 }}"), "7|7|8");
}

TEST(template_test, closing_brace_after_segment_is_text) {
    EXPECT_EQ(render("{\"id\": {{ user_id }}}"), "{\"id\": 7}");
}

TEST(template_test, render_appends_to_the_callers_string) {
    auto c = compile_template("-{{ word }}", make_symbols());
    ASSERT_TRUE(c.result);
    fake_environment env = make_environment();
    std::string out = "prefix";
    c.result->render(env, out);
    c.result->render(env, out);
    EXPECT_EQ(out, "prefix-banana-banana");
}

TEST(template_test, unset_variable_renders_empty) {
    EXPECT_EQ(render("[{{ unset }}]"), "[]");
}

TEST(template_test, string_literal_segment_becomes_static_text) {
    auto c = compile_template("{{ '{{' }}x{{ \"}}\" }}", make_symbols());
    ASSERT_TRUE(c.result);
    EXPECT_TRUE(c.result->is_static());
    EXPECT_EQ(c.result->static_text(), "{{x}}");
}

TEST(template_test, closing_braces_inside_a_string_literal_do_not_end_the_segment) {
    EXPECT_EQ(render("{{ 'a}}b' + word }}!"), "a}}bbanana!");
}

TEST(template_test, single_expression_template_keeps_a_record) {
    auto c = compile_template("{{ account }}", make_symbols());
    ASSERT_TRUE(c.result);
    fake_environment env = make_environment();
    value v = c.result->evaluate(env);
    ASSERT_TRUE(std::holds_alternative<record_ptr>(v));
    EXPECT_EQ(std::get<record_ptr>(v), std::get<record_ptr>(env.variables_["account"]));
}

TEST(template_test, single_expression_template_keeps_an_integer_and_a_boolean) {
    fake_environment env = make_environment();
    auto n = compile_template("{{ user_id + 1 }}", make_symbols());
    ASSERT_TRUE(n.result);
    EXPECT_EQ(as_int(n.result->evaluate(env)), 8);
    auto b = compile_template(" {{ user_id == 7 }}", make_symbols());
    ASSERT_TRUE(b.result);
    EXPECT_EQ(b.result->evaluate(env), value(std::string(" true")));
    auto exact = compile_template("{{ user_id == 7 }}", make_symbols());
    ASSERT_TRUE(exact.result);
    EXPECT_EQ(exact.result->evaluate(env), value(true));
}

TEST(template_test, random_record_survives_let_and_its_fields_are_readable) {
    symbols syms = make_symbols();
    auto let = compile_template("{{ random(accounts) }}", syms);
    ASSERT_TRUE(let.result);
    fake_environment env = make_environment();
    env.variables_["account"] = let.result->evaluate(env);
    ASSERT_TRUE(std::holds_alternative<record_ptr>(env.variables_["account"]));
    std::string email = render("{{ account.email }}", env);
    EXPECT_TRUE(email == "a@example.com" || email == "b@example.com") << email;
}

TEST(template_test, mixed_template_evaluates_to_a_string) {
    auto c = compile_template("id-{{ user_id }}", make_symbols());
    ASSERT_TRUE(c.result);
    fake_environment env = make_environment();
    EXPECT_EQ(c.result->evaluate(env), value(std::string("id-7")));
    auto s = compile_template("static", make_symbols());
    ASSERT_TRUE(s.result);
    EXPECT_EQ(s.result->evaluate(env), value(std::string("static")));
}

// The seed scenario: let: {word: "{{ random(words) }}"} then a search URL with
// a random-length prefix of the word.
TEST(template_test, search_prefix_of_a_random_word_has_length_three_to_word_length) {
    symbols syms = make_symbols();
    auto let = compile_template("{{ random(words) }}", syms);
    auto url = compile_template("/search?search={{ prefix(word, rand_int(3, len(word))) }}", syms);
    ASSERT_TRUE(let.result);
    ASSERT_TRUE(url.result);
    const std::vector<std::string> words = {"apple", "banana", "cherry"};
    fake_environment env = make_environment();
    std::vector<bool> lengths_seen(7, false);
    for (int i = 0; i < 300; ++i) {
        env.variables_["word"] = let.result->evaluate(env);
        const std::string& word = std::get<std::string>(env.variables_["word"]);
        ASSERT_NE(std::find(words.begin(), words.end(), word), words.end());
        std::string rendered = url.result->render(env);
        const std::string head = "/search?search=";
        ASSERT_EQ(rendered.substr(0, head.size()), head);
        std::string search = rendered.substr(head.size());
        ASSERT_GE(search.size(), 3u);
        ASSERT_LE(search.size(), word.size());
        EXPECT_EQ(word.substr(0, search.size()), search);
        lengths_seen[search.size()] = true;
    }
    EXPECT_TRUE(lengths_seen[3] && lengths_seen[4] && lengths_seen[5] && lengths_seen[6]);
}

TEST(template_test, expression_may_be_wrapped_in_braces_as_a_whole) {
    fake_environment env = make_environment();
    env.last_status_ = 401;
    auto c = compile_expression("  {{ last.status == 401 }} ", make_symbols());
    ASSERT_TRUE(c.result) << c.errors.at(0).message;
    EXPECT_EQ(c.result->evaluate(env), value(true));
    EXPECT_EQ(c.result->source(), "  {{ last.status == 401 }} ");
}

TEST(template_test, default_constructed_objects_are_harmless) {
    fake_environment env = make_environment();
    expression e;
    EXPECT_TRUE(std::holds_alternative<std::monostate>(e.evaluate(env)));
    template_string t;
    EXPECT_TRUE(t.is_static());
    EXPECT_EQ(t.render(env), "");
}

TEST(template_test, referenced_names_lists_first_path_components_once) {
    auto names = referenced_names(
        "u{{ user_id }}-{{ account.email }} {{ prefix(word, len(word)) }} {{ random(words) }} "
        "{{ last.status }} {{ next(accounts) }} {{ name }}");
    EXPECT_EQ(names, (std::vector<std::string>{"account", "word", "name"}));
}

TEST(template_test, referenced_names_reads_a_bare_expression) {
    EXPECT_EQ(referenced_names("last.status == code && token contains 'x'"),
              (std::vector<std::string>{"code", "token"}));
}

TEST(template_test, referenced_names_ignores_plain_text) {
    EXPECT_TRUE(referenced_names("application/json").empty());
    EXPECT_TRUE(referenced_names("hello world").empty());
    EXPECT_TRUE(referenced_names("").empty());
}

TEST(template_test, referenced_names_is_best_effort_on_bad_input) {
    EXPECT_EQ(referenced_names("{{ word + other @ third }}"),
              (std::vector<std::string>{"word", "other"}));
    EXPECT_EQ(referenced_names("{{ word + "), (std::vector<std::string>{"word"}));
    EXPECT_TRUE(referenced_names("{{{{").empty());
}

}  // namespace
}  // namespace swarm::tmpl::test
