// `json:` bodies with typed values: a leaf that is exactly "{{ expr }}"
// renders as the JSON of its value's type, any other templated leaf as a
// string; conversions of literals that cannot convert fail at load.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "tests/scenario/compile_helpers.hpp"

namespace swarm::scenario {
namespace {

using testing::compile_ok;
using testing::compile_text;
using testing::error_lines;
using testing::fake_environment;

// The body as a worker would send it (request_builder's rule, through the
// plan's parts).
std::string render_body(const json_body& body, tmpl::environment& env) {
    std::string out;
    for (const auto& part : body.parts) {
        if (part.value) {
            part.value->render_json(env, out);
        } else {
            out += part.literal;
        }
    }
    return out;
}

TEST(typed_json_body, whole_value_leaves_keep_their_type_and_others_are_strings) {
    auto p = compile_ok(R"y(
host: http://h
users:
  A:
    vars: {n: 0, f: 0, l: 0, none: 0, account: 0}
    tasks:
      t:
        post: /echo
        json:
          n: "{{ n }}"
          f: "{{ f }}"
          l: "{{ l }}"
          none: "{{ none }}"
          account: "{{ account }}"
          s: "{{ 'text' }}x"
          in: "n={{ n }}"
          spaced: " {{ n }}"
          list: ["{{ n }}", "{{ f }}", "#{{ f }}"]
)y");
    ASSERT_TRUE(p);
    const auto& r = std::get<request_step>(p->users[0].root.tasks[0].steps[0].action);
    fake_environment env;
    env.vars["n"] = std::int64_t{1};
    env.vars["f"] = 1.5;
    env.vars["l"] = tmpl::from_json(boost::json::parse(R"([true, null, {"k": "v"}])"));
    env.vars["none"] = tmpl::null_value{};
    auto record = std::make_shared<tmpl::record>();
    record->fields = {{"email", "a@x"}, {"password", "pa"}};
    env.vars["account"] = tmpl::record_ptr(record);
    const std::string body = render_body(r.json, env);
    EXPECT_EQ(body, R"({"n":1,"f":1.5,"l":[true,null,{"k":"v"}],"none":null,)"
                    R"("account":{"email":"a@x","password":"pa"},"s":"textx","in":"n=1",)"
                    R"("spaced":" 1","list":[1,1.5,"#1.5"]})");
    // Valid JSON whatever the values.
    boost::system::error_code ec;
    boost::json::parse(body, ec);
    EXPECT_FALSE(ec) << body;
    // An unset variable is null in whole-value position.
    env.vars.erase("n");
    EXPECT_NE(render_body(r.json, env).find(R"("n":null)"), std::string::npos);
}

TEST(typed_json_body, literal_numbers_are_written_without_exponents) {
    auto p = compile_ok(R"y(
host: http://h
users:
  A:
    tasks:
      t:
        post: /echo
        json: {price: 1.5, big: 1e3, tiny: 0.000125, n: 7, neg: -2.25, s: "1.5"}
)y");
    ASSERT_TRUE(p);
    const auto& r = std::get<request_step>(p->users[0].root.tasks[0].steps[0].action);
    fake_environment env;
    const std::string body = render_body(r.json, env);
    EXPECT_EQ(body, R"({"price":1.5,"big":1000.0,"tiny":0.000125,"n":7,"neg":-2.25,"s":"1.5"})");
    EXPECT_EQ(body.find('E'), std::string::npos) << body;
}

TEST(typed_json_body, a_literal_that_cannot_convert_is_an_error_at_its_place) {
    auto r = compile_text(
        "host: http://h\n"
        "users:\n"
        "  A:\n"
        "    tasks:\n"
        "      t:\n"
        "        post: /x\n"
        "        json: {a: \"{{ int('seven') }}\", b: \"{{ json('{oops') }}\"}\n");
    const auto lines = error_lines(r);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_NE(lines[0].find("7:"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find(R"(int("seven"): the argument is not an integer or a number)"),
              std::string::npos)
        << lines[0];
    EXPECT_NE(lines[1].find(R"(json("{oops"): the argument is not valid JSON)"), std::string::npos)
        << lines[1];
}

}  // namespace
}  // namespace swarm::scenario
