#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "tests/worker_user/harness.hpp"
#include "worker/user/extract.hpp"

namespace swarm::worker::user {
namespace {

using testing::compile_plan;
using testing::fake_session;
using testing::fake_web;
using testing::first_request;

class extract_fixture : public ::testing::Test {
  protected:
    // The extracted value's text (what a URL or header would carry).
    std::optional<std::string> extract(const std::string& spec) {
        auto v = extract_typed(spec);
        if (!v) return std::nullopt;
        return tmpl::to_string(*v);
    }

    std::optional<tmpl::value> extract_typed(const std::string& spec) {
        plan_ = compile_plan(
            "host: http://h\nusers:\n  U:\n    tasks:\n      t:\n        get: /x\n"
            "        extract: {v: " +
            spec + "}\n");
        EXPECT_TRUE(plan_);
        if (!plan_) return tmpl::value("no plan");
        lazy_json json(resp_.body);
        const response_facts facts{resp_, session_, "http://h/x", json};
        return extract_value(first_request(*plan_).extract.at(0), facts);
    }

    std::shared_ptr<const scenario::plan> plan_;
    std::shared_ptr<fake_web> web_ = std::make_shared<fake_web>();
    fake_session session_{web_};
    http::response resp_ = [] {
        http::response r;
        r.status = 200;
        r.headers = {{"Location", "/next"}};
        return r;
    }();
};

TEST_F(extract_fixture, regex_takes_group_one_by_default_or_the_given_group) {
    resp_.body = "order id=42 ref=ab-9";
    EXPECT_EQ(extract("{regex: \"id=([0-9]+)\"}"), "42");
    EXPECT_EQ(extract("{regex: \"ref=([a-z]+)-([0-9])\", group: 2}"), "9");
    EXPECT_EQ(extract("{regex: \"ref=[a-z]+\"}"), "ref=ab");
    EXPECT_EQ(extract("{regex: \"nothing=([0-9]+)\"}"), std::nullopt);
}

TEST_F(extract_fixture, json_strings_unquoted_other_values_serialised) {
    resp_.body = R"({"token": "t-1", "price": 9.5, "ids": [1, 2], "who": {"a": null}})";
    EXPECT_EQ(extract("{json: \"$.token\"}"), "t-1");
    EXPECT_EQ(extract("{json: \"$.price\"}"), "9.5");
    resp_.body = R"({"price": 5.0, "big": 1e300})";
    EXPECT_EQ(extract("{json: \"$.price\"}"), "5.0");  // a float stays a float
    EXPECT_EQ(extract("{json: \"$.big\"}"), "1e+300");
    resp_.body = R"({"token": "t-1", "price": 9.5, "ids": [1, 2], "who": {"a": null}})";
    EXPECT_EQ(extract("{json: \"$.ids\"}"), "[1,2]");
    EXPECT_EQ(extract("{json: \"$.ids[-1]\"}"), "2");
    EXPECT_EQ(extract("{json: \"$.who\"}"), "{\"a\":null}");
    EXPECT_EQ(extract("{json: \"$.missing\"}"), std::nullopt);
    resp_.body = "not json";
    EXPECT_EQ(extract("{json: \"$.token\"}"), std::nullopt);
}

TEST_F(extract_fixture, json_values_keep_their_json_type) {
    resp_.body =
        R"({"n": 1, "f": 1.5, "t": true, "z": null, "s": "1", "big": 18446744073709551615,)"
        R"( "ids": [1, 2], "o": {"k": "v"}})";
    EXPECT_EQ(extract_typed("{json: \"$.n\"}"), tmpl::value(std::int64_t{1}));
    EXPECT_EQ(extract_typed("{json: \"$.f\"}"), tmpl::value(1.5));
    EXPECT_EQ(extract_typed("{json: \"$.t\"}"), tmpl::value(true));
    EXPECT_EQ(extract_typed("{json: \"$.z\"}"), tmpl::value(tmpl::null_value{}));
    EXPECT_EQ(extract_typed("{json: \"$.s\"}"), tmpl::value(std::string("1")));
    // Past int64: a float, not a wrapped negative number.
    EXPECT_EQ(extract_typed("{json: \"$.big\"}"), tmpl::value(18446744073709551615.0));
    auto ids = extract_typed("{json: \"$.ids\"}");
    ASSERT_TRUE(ids);
    ASSERT_NE(tmpl::as_list(*ids), nullptr);
    EXPECT_EQ(tmpl::as_list(*ids)->size(), 2u);
    auto o = extract_typed("{json: \"$.o\"}");
    ASSERT_TRUE(o);
    std::string json;
    tmpl::append_json(json, *o);
    EXPECT_EQ(json, R"({"k":"v"})");
}

TEST_F(extract_fixture, regex_header_and_cookie_extractions_stay_strings) {
    resp_.body = R"({"n": 1})";
    EXPECT_EQ(extract_typed("{regex: \"([0-9]+)\"}"), tmpl::value(std::string("1")));
}

// A non-singular path ($.items[*].id) gives the list of its matches; the
// list is built from the query's matches by tmpl::list_of, tested here apart
// from the JSONPath parser.
TEST(extract_list, list_of_copies_every_match_in_order) {
    const boost::json::value doc = boost::json::parse(R"({"items": [{"id": 3}, {"id": "x"}]})");
    const auto& items = doc.at("items").as_array();
    const std::vector<const boost::json::value*> matches = {&items[0].at("id"), &items[1].at("id")};
    const tmpl::value list = tmpl::list_of(matches);
    std::string json;
    tmpl::append_json(json, list);
    EXPECT_EQ(json, R"([3,"x"])");
    EXPECT_TRUE(tmpl::truthy(list));
    EXPECT_FALSE(tmpl::truthy(tmpl::list_of({})));
}

TEST_F(extract_fixture, header_and_cookie) {
    EXPECT_EQ(extract("{header: location}"), "/next");
    EXPECT_EQ(extract("{header: X-None}"), std::nullopt);
    EXPECT_EQ(extract("{cookie: sid}"), std::nullopt);
    web_->set_cookie("http://h/", "sid=s-77");
    EXPECT_EQ(extract("{cookie: sid}"), "s-77");
}

TEST_F(extract_fixture, html_input_in_any_attribute_order_and_quoting) {
    resp_.body = R"(<form><input type="text" name="email" value="x@y">
        <INPUT value='a&amp;b "c"' type=hidden
               NAME='csrf_token' />
        <input name=other value=plain></form>)";
    EXPECT_EQ(extract("{input: csrf_token}"), "a&b \"c\"");
    EXPECT_EQ(extract("{input: email}"), "x@y");
    EXPECT_EQ(extract("{input: other}"), "plain");
    EXPECT_EQ(extract("{input: missing}"), std::nullopt);
}

TEST(find_input_value, value_containing_name_text_does_not_confuse_it) {
    EXPECT_EQ(find_input_value(R"(<input value="name=t" name="x">)", "t"), std::nullopt);
    EXPECT_EQ(find_input_value(R"(<input value="name=t" name="x">)", "x"), "name=t");
    EXPECT_EQ(find_input_value(R"(<input name="flag" checked>)", "flag"), "");
}

}  // namespace
}  // namespace swarm::worker::user
