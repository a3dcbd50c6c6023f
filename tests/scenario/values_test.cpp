// Durations, JSON paths and "did you mean".
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "common/duration.hpp"
#include "common/scenario/json_path.hpp"
#include "common/suggest.hpp"

namespace swarm {
namespace {

using namespace std::chrono_literals;

TEST(duration_test, accepts_the_documented_forms) {
    EXPECT_EQ(parse_duration("500ms"), 500ms);
    EXPECT_EQ(parse_duration("0.05s"), 50ms);
    EXPECT_EQ(parse_duration("2s"), 2s);
    EXPECT_EQ(parse_duration("1m30s"), 90s);
    EXPECT_EQ(parse_duration("1h"), 1h);
    EXPECT_EQ(parse_duration("250us"), 250us);
    EXPECT_EQ(parse_duration("3"), 3s);
    EXPECT_EQ(parse_duration("1.5"), 1500ms);
    EXPECT_EQ(parse_duration(" 2s "), 2s);
}

TEST(duration_test, rejects_everything_else) {
    for (auto bad :
         {"", "s", "-1s", "5 parsecs", "1x", "1m30", "1..2s", "ms5", "99999999999999h", "1e9h"}) {
        EXPECT_FALSE(parse_duration(bad)) << bad;
    }
}

TEST(duration_test, formats_compactly) {
    EXPECT_EQ(format_duration(90s), "1m30s");
    EXPECT_EQ(format_duration(500ms), "500ms");
    EXPECT_EQ(format_duration(0s), "0s");
    EXPECT_EQ(format_duration(3h), "3h");
    EXPECT_EQ(format_duration(1500ms), "1.5s");
}

TEST(json_path_test, resolves_members_indexes_and_quoted_names) {
    const auto doc = boost::json::parse(R"({"a": {"b": [10, 20, {"c d": "x"}]}, "n": null})");
    auto find = [&](const char* text) {
        auto p = scenario::json_path::parse(text);
        EXPECT_TRUE(p) << text << ": " << p.error().message;
        return p ? p->find(doc) : nullptr;
    };
    ASSERT_TRUE(find("$.a.b[1]"));
    EXPECT_EQ(find("$.a.b[1]")->as_int64(), 20);
    EXPECT_EQ(find("$.a.b[-1]['c d']")->as_string(), "x");
    EXPECT_EQ(find("a.b[0]")->as_int64(), 10);
    EXPECT_TRUE(find("$.n")->is_null());
    EXPECT_EQ(find("$"), &doc);
    EXPECT_FALSE(find("$.a.b[3]"));
    EXPECT_FALSE(find("$.a.x"));
    EXPECT_FALSE(find("$.a.b.c"));
}

TEST(json_path_test, syntax_errors_say_where) {
    auto error_of = [](const char* text) {
        const auto p = scenario::json_path::parse(text);
        EXPECT_FALSE(p) << text;
        return p ? std::string() : p.error().message;
    };
    EXPECT_EQ(error_of("$.a["), "expected a selector at offset 4");
    EXPECT_EQ(error_of("$."), "expected a member name after '.' at offset 2");
    EXPECT_EQ(error_of("$['x"), "unterminated quoted member at offset 2");
    EXPECT_EQ(error_of("$.a]"), "unexpected ']' at offset 3");
    EXPECT_EQ(error_of("$[1"), "expected ']' at offset 3");
}

TEST(suggest_test, finds_plausible_typos_only) {
    EXPECT_EQ(edit_distance("wiat", "wait"), 1u);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
    EXPECT_EQ(closest_match("wiat", {"weight", "wait", "tasks"}), "wait");
    EXPECT_EQ(closest_match("tasks", {"task_list", "tasks"}), "tasks");
    EXPECT_FALSE(closest_match("zzzzzz", {"wait", "tasks"}));
    EXPECT_EQ(did_you_mean("hots", {"host"}), ", did you mean 'host'?");
    EXPECT_EQ(did_you_mean("qqq", {"host"}), "");
}

}  // namespace
}  // namespace swarm
