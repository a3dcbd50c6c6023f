#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "tests/worker_user/harness.hpp"
#include "worker/user/environment.hpp"
#include "worker/user/request_builder.hpp"

namespace swarm::worker::user {
namespace {

using testing::compile_plan;
using testing::first_request;

// Builds the first request of a one-task scenario for user 7 with `vars`.
http::request build_first(const std::string& task_yaml, const std::string& vars = "{}") {
    auto plan = compile_plan("host: http://h.test:8080/\nusers:\n  U:\n    vars: " + vars +
                             "\n    tasks:\n      t:\n" + task_yaml);
    EXPECT_TRUE(plan);
    if (!plan) return {};
    const auto& step = first_request(*plan);
    user_environment env(7, 1, 42);
    env.assign(plan->users[0].vars);
    const auto prep = prepare(step, plan->host);
    http::request out;
    build(step, prep, plan->host, env, out);
    return out;
}

TEST(request_builder, joins_host_and_path_with_one_slash) {
    std::string out;
    join_url("http://h/", "/a", out);
    EXPECT_EQ(out, "http://h/a");
    out.clear();
    join_url("http://h", "a/b", out);
    EXPECT_EQ(out, "http://h/a/b");
    out.clear();
    join_url("http://h", "https://other.test/x", out);
    EXPECT_EQ(out, "https://other.test/x");
}

TEST(request_builder, encodes_query_after_an_existing_one) {
    auto r = build_first(
        "        get: /search?x=1\n"
        "        query: {q: \"a b&c=d/é\", n: \"{{ user_id }}\"}\n");
    EXPECT_EQ(r.url, "http://h.test:8080/search?x=1&q=a+b%26c%3Dd%2F%C3%A9&n=7");
    EXPECT_EQ(r.method, scenario::http_method::get);
    EXPECT_TRUE(r.body.empty());
    EXPECT_TRUE(r.headers.empty());
}

TEST(request_builder, query_goes_before_a_fragment) {
    auto r = build_first("        get: /p#top\n        query: {a: 1}\n");
    EXPECT_EQ(r.url, "http://h.test:8080/p?a=1#top");
}

TEST(request_builder, form_body_is_urlencoded_with_default_content_type) {
    auto r = build_first(
        "        post: /user/signin\n"
        "        form: {email: \"user{{ user_id }}@example.com\", password: \"what!that's "
        "too\"}\n");
    EXPECT_EQ(r.method, scenario::http_method::post);
    EXPECT_EQ(r.body, "email=user7%40example.com&password=what%21that%27s+too");
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].first, "Content-Type");
    EXPECT_EQ(r.headers[0].second, "application/x-www-form-urlencoded");
}

TEST(request_builder, json_body_renders_whole_values_typed_and_other_templates_as_strings) {
    auto r = build_first(
        "        post: /echo\n"
        "        json: {msg: \"{{ text }}\", n: 5, ok: true, tags: [load, \"{{ user_id }}\"], "
        "nested: {x: null}}\n",
        "{text: \"he said \\\"hi\\\"\\n\\tback\\\\slash \\u0001 é\"}");
    EXPECT_EQ(r.body,
              "{\"msg\":\"he said \\\"hi\\\"\\n\\tback\\\\slash \\u0001 é\",\"n\":5,\"ok\":true,"
              "\"tags\":[\"load\",7],\"nested\":{\"x\":null}}");
    boost::system::error_code ec;
    auto doc = boost::json::parse(r.body, ec);
    ASSERT_FALSE(ec) << r.body;
    EXPECT_EQ(doc.at("msg").as_string(), "he said \"hi\"\n\tback\\slash \x01 é");
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].second, "application/json");
}

TEST(request_builder, explicit_content_type_wins_over_the_default) {
    auto r = build_first(
        "        post: /echo\n"
        "        headers: {content-type: \"application/vnd.x+json\", X-User: \"u{{ user_id }}\"}\n"
        "        json: {a: 1}\n");
    ASSERT_EQ(r.headers.size(), 2u);
    EXPECT_EQ(r.headers[0],
              (std::pair<std::string, std::string>{"content-type", "application/vnd.x+json"}));
    EXPECT_EQ(r.headers[1], (std::pair<std::string, std::string>{"X-User", "u7"}));
}

TEST(request_builder, raw_body_has_no_default_content_type) {
    auto r = build_first(
        "        put: /x\n        body: \"pay {{ user_id }}\"\n        timeout: 2s\n"
        "        follow_redirects: false\n");
    EXPECT_EQ(r.method, scenario::http_method::put);
    EXPECT_EQ(r.body, "pay 7");
    EXPECT_TRUE(r.headers.empty());
    EXPECT_EQ(r.timeout, std::chrono::seconds(2));
    EXPECT_FALSE(r.follow_redirects);
}

TEST(request_builder, static_request_is_prepared_whole) {
    auto plan = compile_plan(
        "host: http://h\nusers:\n  U:\n    tasks:\n      t:\n        post: /a\n        query: {q: "
        "1}\n"
        "        form: {x: y}\n      u:\n        get: \"/b/{{ user_id }}\"\n        form: {x: "
        "y}\n");
    ASSERT_TRUE(plan);
    const auto& tasks = plan->users[0].root.tasks;
    const auto prep =
        prepare(std::get<scenario::request_step>(tasks[0].steps[0].action), plan->host);
    ASSERT_TRUE(prep.whole);
    EXPECT_EQ(prep.whole->url, "http://h/a?q=1");
    EXPECT_EQ(prep.whole->body, "x=y");
    const auto dynamic =
        prepare(std::get<scenario::request_step>(tasks[1].steps[0].action), plan->host);
    EXPECT_FALSE(dynamic.whole);
    EXPECT_FALSE(dynamic.url);
    ASSERT_TRUE(dynamic.body);
    EXPECT_EQ(*dynamic.body, "x=y");
    ASSERT_TRUE(dynamic.headers);
}

TEST(request_builder, json_body_whole_value_templates_keep_their_type) {
    auto r = build_first(
        "        post: /echo\n"
        "        json: {i: \"{{ n }}\", f: \"{{ float(n) }}\", b: \"{{ n == 5 }}\", "
        "z: \"{{ json('null') }}\", l: \"{{ json('[1, \\\"a\\\"]') }}\", s: \"{{ str(n) }}\", "
        "in: \"id-{{ n }}\", t: \"{{ t }}\", q: [\"{{ n }}\"]}\n",
        "{n: \"{{ int('5') }}\", t: x}");
    EXPECT_EQ(r.body, R"({"i":5,"f":5.0,"b":true,"z":null,"l":[1,"a"],"s":"5","in":"id-5","t":"x",)"
                      R"("q":[5]})");
    boost::system::error_code ec;
    auto doc = boost::json::parse(r.body, ec);
    ASSERT_FALSE(ec) << r.body;
    EXPECT_TRUE(doc.at("i").is_int64());
    EXPECT_TRUE(doc.at("f").is_double());
    EXPECT_TRUE(doc.at("b").is_bool());
    EXPECT_TRUE(doc.at("z").is_null());
    EXPECT_TRUE(doc.at("l").is_array());
    EXPECT_TRUE(doc.at("s").is_string());
}

TEST(request_builder, json_escaping_of_control_characters) {
    std::string out;
    const std::string input = std::string("a\"\\\b\f\n\r\t\x1f") + "z";
    ASSERT_EQ(input.size(), 10u);
    append_json_escaped(out, input);
    EXPECT_EQ(out, "a\\\"\\\\\\b\\f\\n\\r\\t\\u001fz");
}

}  // namespace
}  // namespace swarm::worker::user
