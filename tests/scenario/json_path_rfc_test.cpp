// JSONPath against RFC 9535's own examples: each section's document and
// query table, with the expected results given as the RFC gives them, as
// normalized paths (§2.7) of the selected nodes.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "common/scenario/json_path.hpp"

namespace swarm {
namespace {

namespace bj = boost::json;
using scenario::json_path;

// RFC 9535 §2.7: $['a'][0] with ' and \ escaped.
std::string normalized_name(std::string_view name) {
    std::string out = "'";
    for (const char c : name) {
        if (c == '\'' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            static const char* hex = "0123456789abcdef";
            out += "\\u00";
            out += hex[(c >> 4) & 0xF];
            out += hex[c & 0xF];
        } else {
            out += c;
        }
    }
    return out + "'";
}

// Every node of `doc` with its normalized path.
std::map<const bj::value*, std::string> paths_of(const bj::value& doc) {
    std::map<const bj::value*, std::string> paths;
    std::vector<std::pair<const bj::value*, std::string>> pending{{&doc, "$"}};
    while (!pending.empty()) {
        auto [v, path] = pending.back();
        pending.pop_back();
        paths[v] = path;
        if (v->is_array()) {
            const auto& a = v->get_array();
            for (std::size_t i = 0; i < a.size(); ++i) {
                pending.emplace_back(&a[i], path + "[" + std::to_string(i) + "]");
            }
        } else if (v->is_object()) {
            for (const auto& kv : v->get_object()) {
                pending.emplace_back(&kv.value(), path + "[" + normalized_name(kv.key()) + "]");
            }
        }
    }
    return paths;
}

std::vector<std::string> select_paths(const bj::value& doc, const std::string& query) {
    auto parsed = json_path::parse(query);
    EXPECT_TRUE(parsed) << query << ": " << (parsed ? "" : parsed.error().message);
    if (!parsed) return {"<parse error>"};
    std::vector<const bj::value*> nodes;
    parsed->select(doc, nodes);
    const auto paths = paths_of(doc);
    std::vector<std::string> out;
    out.reserve(nodes.size());
    for (const auto* n : nodes) out.push_back(paths.at(n));
    // find() is select()'s first node
    EXPECT_EQ(parsed->find(doc), nodes.empty() ? nullptr : nodes.front()) << query;
    return out;
}

struct example {
    std::string query;
    std::vector<std::string> expected;  // normalized paths, in the RFC's order
    bool any_order = false;             // the RFC leaves the order of members open
};

void check_examples(const char* document, const std::vector<example>& examples) {
    const auto doc = bj::parse(document);
    for (const auto& ex : examples) {
        auto got = select_paths(doc, ex.query);
        auto expected = ex.expected;
        if (ex.any_order) {
            std::sort(got.begin(), got.end());
            std::sort(expected.begin(), expected.end());
        }
        EXPECT_EQ(got, expected) << ex.query;
    }
}

// §1.5, Figure 1.
constexpr const char* bookstore = R"({ "store": {
    "book": [
      { "category": "reference", "author": "Nigel Rees",
        "title": "Sayings of the Century", "price": 8.95 },
      { "category": "fiction", "author": "Evelyn Waugh",
        "title": "Sword of Honour", "price": 12.99 },
      { "category": "fiction", "author": "Herman Melville",
        "title": "Moby Dick", "isbn": "0-553-21311-3", "price": 8.99 },
      { "category": "fiction", "author": "J. R. R. Tolkien",
        "title": "The Lord of the Rings", "isbn": "0-395-19395-8", "price": 22.99 }
    ],
    "bicycle": { "color": "red", "price": 399 }
  } })";

TEST(json_path_rfc_test, bookstore_examples_of_section_1_5) {
    const std::string b = "$['store']['book']";
    check_examples(
        bookstore,
        {
            {"$.store.book[*].author",
             {b + "[0]['author']", b + "[1]['author']", b + "[2]['author']", b + "[3]['author']"}},
            {"$..author",
             {b + "[0]['author']", b + "[1]['author']", b + "[2]['author']", b + "[3]['author']"}},
            {"$.store.*", {b, "$['store']['bicycle']"}, true},
            {"$.store..price",
             {b + "[0]['price']", b + "[1]['price']", b + "[2]['price']", b + "[3]['price']",
              "$['store']['bicycle']['price']"},
             true},
            {"$..book[2]", {b + "[2]"}},
            {"$..book[2].author", {b + "[2]['author']"}},
            {"$..book[2].publisher", {}},
            {"$..book[-1]", {b + "[3]"}},
            {"$..book[0,1]", {b + "[0]", b + "[1]"}},
            {"$..book[:2]", {b + "[0]", b + "[1]"}},
            {"$..book[?@.isbn]", {b + "[2]", b + "[3]"}},
            {"$..book[?@.price<10]", {b + "[0]", b + "[2]"}},
            // the same, in the older syntax swarm's users know
            {"$.store.book[?(@.price < 10)].title", {b + "[0]['title']", b + "[2]['title']"}},
        });
    const auto doc = bj::parse(bookstore);
    // $..* : every member value and array element (27 nodes).
    EXPECT_EQ(select_paths(doc, "$..*").size(), 27u);
}

TEST(json_path_rfc_test, root_and_name_selectors) {
    check_examples(R"({"k": "v"})", {{"$", {"$"}}});
    check_examples(R"({ "o": {"j j": {"k.k": 3}}, "'": {"@": 2} })",
                   {
                       {"$.o['j j']", {"$['o']['j j']"}},
                       {"$.o['j j']['k.k']", {"$['o']['j j']['k.k']"}},
                       {R"($.o["j j"]["k.k"])", {"$['o']['j j']['k.k']"}},
                       {R"($["'"]["@"])", {R"($['\'']['@'])"}},
                   });
}

TEST(json_path_rfc_test, wildcard_selector) {
    check_examples(
        R"({ "o": {"j": 1, "k": 2}, "a": [5, 3] })",
        {
            {"$[*]", {"$['o']", "$['a']"}, true},
            {"$.o[*]", {"$['o']['j']", "$['o']['k']"}, true},
            {"$.o[*, *]", {"$['o']['j']", "$['o']['k']", "$['o']['j']", "$['o']['k']"}, true},
            {"$.a[*]", {"$['a'][0]", "$['a'][1]"}},
        });
}

TEST(json_path_rfc_test, index_selector) {
    check_examples(R"(["a", "b"])", {{"$[1]", {"$[1]"}}, {"$[-2]", {"$[0]"}}});
}

TEST(json_path_rfc_test, array_slice_selector) {
    check_examples(R"(["a", "b", "c", "d", "e", "f", "g"])",
                   {
                       {"$[1:3]", {"$[1]", "$[2]"}},
                       {"$[5:]", {"$[5]", "$[6]"}},
                       {"$[1:5:2]", {"$[1]", "$[3]"}},
                       {"$[5:1:-2]", {"$[5]", "$[3]"}},
                       {"$[::-1]", {"$[6]", "$[5]", "$[4]", "$[3]", "$[2]", "$[1]", "$[0]"}},
                       // beyond the RFC's table: a zero step, bounds far out
                       {"$[::0]", {}},
                       {"$[-100:2]", {"$[0]", "$[1]"}},
                       {"$[10:-100:-3]", {"$[6]", "$[3]", "$[0]"}},
                   });
}

// §2.3.5.3
constexpr const char* filter_doc = R"({
  "a": [3, 5, 1, 2, 4, 6, {"b": "j"}, {"b": "k"}, {"b": {}}, {"b": "kilo"}],
  "o": {"p": 1, "q": 2, "r": 3, "s": 5, "t": {"u": 6}},
  "e": "f" })";

TEST(json_path_rfc_test, filter_selector) {
    check_examples(
        filter_doc,
        {
            {"$.a[?@.b == 'kilo']", {"$['a'][9]"}},
            {"$.a[?(@.b == 'kilo')]", {"$['a'][9]"}},
            {"$.a[?@>3.5]", {"$['a'][1]", "$['a'][4]", "$['a'][5]"}},
            {"$.a[?@.b]", {"$['a'][6]", "$['a'][7]", "$['a'][8]", "$['a'][9]"}},
            {"$[?@.*]", {"$['a']", "$['o']"}, true},
            {"$[?@[?@.b]]", {"$['a']"}},
            {"$.o[?@<3, ?@<3]", {"$['o']['p']", "$['o']['q']", "$['o']['p']", "$['o']['q']"}, true},
            {R"($.a[?@<2 || @.b == "k"])", {"$['a'][2]", "$['a'][7]"}},
            {R"($.a[?match(@.b, "[jk]")])", {"$['a'][6]", "$['a'][7]"}},
            {R"($.a[?search(@.b, "[jk]")])", {"$['a'][6]", "$['a'][7]", "$['a'][9]"}},
            {"$.o[?@>1 && @<4]", {"$['o']['q']", "$['o']['r']"}, true},
            {"$.o[?@.u || @.x]", {"$['o']['t']"}},
            {"$.a[?@.b == $.x]",
             {"$['a'][0]", "$['a'][1]", "$['a'][2]", "$['a'][3]", "$['a'][4]", "$['a'][5]"}},
            {"$.a[?@ == @]",
             {"$['a'][0]", "$['a'][1]", "$['a'][2]", "$['a'][3]", "$['a'][4]", "$['a'][5]",
              "$['a'][6]", "$['a'][7]", "$['a'][8]", "$['a'][9]"}},
            // beyond the table: negation, parentheses, whitespace
            {"$.a[?!@.b]",
             {"$['a'][0]", "$['a'][1]", "$['a'][2]", "$['a'][3]", "$['a'][4]", "$['a'][5]"}},
            {"$.a[? !(@ < 5 || @.b) ]", {"$['a'][1]", "$['a'][5]"}},
        });
}

// §2.3.5.2.2's comparison table, each as a filter over a two-member root:
// true selects both members, false none.
TEST(json_path_rfc_test, comparison_semantics) {
    const auto doc = bj::parse(R"({"obj": {"x": "y"}, "arr": [2, 3]})");
    const std::vector<std::pair<std::string, bool>> table{
        {"$.absent1 == $.absent2", true},
        {"$.absent1 <= $.absent2", true},
        {"$.absent == 'g'", false},
        {"$.absent1 != $.absent2", false},
        {"$.absent != 'g'", true},
        {"1 <= 2", true},
        {"1 > 2", false},
        {"13 == '13'", false},
        {"'a' <= 'b'", true},
        {"'a' > 'b'", false},
        {"$.obj == $.arr", false},
        {"$.obj != $.arr", true},
        {"$.obj == $.obj", true},
        {"$.obj != $.obj", false},
        {"$.arr == $.arr", true},
        {"$.arr != $.arr", false},
        {"$.obj == 17", false},
        {"$.obj != 17", true},
        {"$.obj <= $.arr", false},
        {"$.obj < $.arr", false},
        {"$.obj <= $.obj", true},
        {"$.arr <= $.arr", true},
        {"1 <= $.arr", false},
        {"1 >= $.arr", false},
        {"1 > $.arr", false},
        {"1 < $.arr", false},
        {"true <= true", true},
        {"true > true", false},
        // numbers compare as numbers, whatever their spelling
        {"1 == 1.0", true},
        {"1e2 == 100", true},
        {"-0 == 0", true},
        {"$.arr[0] < 2.5", true},
    };
    for (const auto& [expr, expected] : table) {
        const auto got = select_paths(doc, "$[?" + expr + "]");
        EXPECT_EQ(got.size(), expected ? 2u : 0u) << expr;
    }
}

TEST(json_path_rfc_test, function_extensions) {
    check_examples(R"({"a": [
        {"n": "héllo", "t": [1, 2, 3], "d": "1974-05-03", "c": "red", "p": "h.l", "q": "a^b"},
        {"n": "abc",   "t": {"x": 1},  "d": "1974-06-01", "k": {"c": "red"}},
        {"n": 7,       "t": [],        "d": "1974-05-1x"} ]})",
                   {
                       {"$.a[?length(@.n) == 5]", {"$['a'][0]"}},  // code points, not bytes
                       {"$.a[?length(@.t) >= 1]", {"$['a'][0]", "$['a'][1]"}},
                       {"$.a[?length(@.n) == 7]", {}},  // a number has no length
                       {"$.a[?count(@.t.*) == 3]", {"$['a'][0]"}},
                       {"$.a[?count(@..c) == 1]", {"$['a'][0]", "$['a'][1]"}},
                       {R"($.a[?match(@.d, "1974-05-..")])", {"$['a'][0]", "$['a'][2]"}},
                       {R"($.a[?match(@.d, "1974-05")])", {}},  // match is anchored
                       {R"($.a[?search(@.d, "05")])", {"$['a'][0]", "$['a'][2]"}},
                       {R"($.a[?value(@..c) == "red"])", {"$['a'][0]", "$['a'][1]"}},
                       // I-Regexp: '^' is an ordinary character, '.' is not CR/LF
                       {R"($.a[?search(@.q, "\\^b")])", {"$['a'][0]"}},
                       {R"($.a[?search(@.q, "^a")])", {}},
                       // a pattern from the document
                       {R"($.a[?match("hxl", @.p)])", {"$['a'][0]"}},
                       {R"($.a[?match(@.n, "h.llo")])", {"$['a'][0]"}},
                   });
}

TEST(json_path_rfc_test, child_and_descendant_segments) {
    check_examples(R"(["a", "b", "c", "d", "e", "f", "g"])",
                   {
                       {"$[0, 3]", {"$[0]", "$[3]"}},
                       {"$[0:2, 5]", {"$[0]", "$[1]", "$[5]"}},
                       {"$[0, 0]", {"$[0]", "$[0]"}},
                   });
    check_examples(
        R"({ "o": {"j": 1, "k": 2}, "a": [5, 3, [{"j": 4}, {"k": 6}]] })",
        {
            {"$..j", {"$['o']['j']", "$['a'][2][0]['j']"}, true},
            {"$..[0]", {"$['a'][0]", "$['a'][2][0]"}, true},
            {"$..[*]",
             {"$['o']", "$['a']", "$['o']['j']", "$['o']['k']", "$['a'][0]", "$['a'][1]",
              "$['a'][2]", "$['a'][2][0]", "$['a'][2][1]", "$['a'][2][0]['j']",
              "$['a'][2][1]['k']"}},
            {"$..*",
             {"$['o']", "$['a']", "$['o']['j']", "$['o']['k']", "$['a'][0]", "$['a'][1]",
              "$['a'][2]", "$['a'][2][0]", "$['a'][2][1]", "$['a'][2][0]['j']",
              "$['a'][2][1]['k']"}},
            {"$..o", {"$['o']"}},
            {"$.o..[*, *]", {"$['o']['j']", "$['o']['k']", "$['o']['j']", "$['o']['k']"}, true},
            {"$.a..[0, 1]", {"$['a'][0]", "$['a'][1]", "$['a'][2][0]", "$['a'][2][1]"}},
        });
}

TEST(json_path_rfc_test, null_semantics) {
    check_examples(R"({"a": null, "b": [null], "c": [{}], "null": 1})",
                   {
                       {"$.a", {"$['a']"}},
                       {"$.a[0]", {}},
                       {"$.a.d", {}},
                       {"$.b[0]", {"$['b'][0]"}},
                       {"$.b[*]", {"$['b'][0]"}},
                       {"$.b[?@]", {"$['b'][0]"}},
                       {"$.b[?@==null]", {"$['b'][0]"}},
                       {"$.c[?@.d==null]", {}},
                       {"$.null", {"$['null']"}},
                   });
}

TEST(json_path_rfc_test, string_escapes_in_names) {
    const auto doc = bj::parse(R"({"a'b": 1, "c\"d": 2, "é": 3, "😀": 4, "x\ny": 5, "\\": 6})");
    auto value_of = [&](const std::string& query) {
        auto p = json_path::parse(query);
        EXPECT_TRUE(p) << query << ": " << (p ? "" : p.error().message);
        const auto* v = p ? p->find(doc) : nullptr;
        return v ? v->as_int64() : -1;
    };
    EXPECT_EQ(value_of(R"($['a\'b'])"), 1);
    EXPECT_EQ(value_of(R"($["a'b"])"), 1);
    EXPECT_EQ(value_of(R"($["c\"d"])"), 2);
    EXPECT_EQ(value_of(R"($['c"d'])"), 2);
    EXPECT_EQ(value_of(R"($['\u00e9'])"), 3);
    EXPECT_EQ(value_of(R"($['\uD83D\uDE00'])"), 4);
    EXPECT_EQ(value_of(R"($['x\ny'])"), 5);
    EXPECT_EQ(value_of(R"($['\\'])"), 6);
    EXPECT_EQ(value_of("$.é"), 3);
}

TEST(json_path_rfc_test, singular_queries) {
    for (const char* q : {"$", "$.a", "$['a'][0]", "$[-1].b", "a.b", "$.x-id"}) {
        auto p = json_path::parse(q);
        ASSERT_TRUE(p) << q;
        EXPECT_TRUE(p->is_singular()) << q;
    }
    for (const char* q : {"$.*", "$..a", "$[0,1]", "$[0:1]", "$[?@]", "$.a[*].b", "$['a','b']"}) {
        auto p = json_path::parse(q);
        ASSERT_TRUE(p) << q;
        EXPECT_FALSE(p->is_singular()) << q;
    }
}

// Invalid queries (RFC 9535's well-formedness and well-typedness), each with
// the offset of what is wrong.
TEST(json_path_rfc_test, errors_say_where) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"$[01]", "an integer may not start with 0 (nor be -0) at offset 2"},
        {"$[-0]", "an integer may not start with 0 (nor be -0) at offset 2"},
        {"$[9007199254740992]", "integer out of range (±2^53-1) at offset 2"},
        {"$[1:2:3:4]", "expected ']' at offset 7"},
        {"$['a' 'b']", "expected ']' at offset 6"},
        {"$[?@.a == 1", "expected ']' at offset 11"},
        {"$[?(@.a == 1]", "expected ')' at offset 12"},
        {"$..", "expected a member name, '*' or '[' after '..' at offset 3"},
        {"$ ", "unexpected ' ' at offset 1"},
        {" $", "unexpected ' ' at offset 0"},
        {R"($['\x'])", "invalid escape in a string at offset 3"},
        {R"($["\'"])", "invalid escape in a string at offset 3"},
        {R"($['\uD800'])", "high surrogate without its low surrogate at offset 3"},
        {R"($['\uDC00'])", "lone low surrogate at offset 3"},
        {"$['a\tb']", "control character in a string (escape it) at offset 4"},
        {"$[?@.* == 1]",
         "a comparison needs a singular query (names and indexes only) at offset 3"},
        {"$[?length(@.*) < 3]",
         "length() takes a value: a literal, a singular query or a function giving a value at "
         "offset 10"},
        {"$[?count(1) == 1]", "count() takes a query at offset 9"},
        {"$[?match(@.a, 'x') == true]",
         "match() gives true or false and cannot be compared at offset 3"},
        {"$[?value(@..c)]", "value() gives a value: compare it (e.g. == 1) at offset 3"},
        {"$[?foo(@.a)]",
         "unknown function 'foo' (length, count, match, search, value) at offset 3"},
        {"$[?1]", "a literal must be compared with something (e.g. @.a == 1) at offset 3"},
        {"$[?@.a == nul]",
         "unknown name 'nul' (expected true, false, null or a function call) at offset 10"},
        {"$[?match(@.a)]", "match() takes 2 arguments at offset 12"},
        {"$[?match(@.a, '(')]", "invalid regular expression at offset 3"},
        {"$[?@.a == 1.]", "expected a digit after '.' at offset 12"},
        {"$[?@.a == 'x]", "unterminated string at offset 10"},
        {"$[?!@.a == 1]", "expected ']' at offset 8"},
        {"$[?@ = 1]", "expected ']' at offset 5"},
        {"$[?@ == [1]]", "expected a query (@ or $), a literal or a function at offset 8"},
    };
    for (const auto& [query, message] : cases) {
        const auto p = json_path::parse(query);
        ASSERT_FALSE(p) << query;
        EXPECT_EQ(p.error().message, message) << query;
    }
}

TEST(json_path_rfc_test, bounds_on_text_and_nesting) {
    EXPECT_FALSE(json_path::parse("$" + std::string(5000, ' ')));
    std::string parens = "$[?";
    for (int i = 0; i < 70; ++i) parens += "(";
    EXPECT_EQ(json_path::parse(parens).error().message,
              "filter nested deeper than 64 at offset 66");
    std::string filters = "$";
    for (int i = 0; i < 70; ++i) filters += "[?@";
    EXPECT_EQ(json_path::parse(filters).error().message,
              "filter nested deeper than 64 at offset 194");
    std::string fine = "$[?";
    for (int i = 0; i < 30; ++i) fine += "(";
    fine += "@";
    for (int i = 0; i < 30; ++i) fine += ")";
    EXPECT_TRUE(json_path::parse(fine + "]"));
}

// A document deeper than any recursion could survive, and wider than the
// output cap: select stays bounded and returns.
TEST(json_path_rfc_test, huge_documents_are_bounded) {
    bj::value deep = bj::array{};
    bj::value* at = &deep;
    for (int i = 0; i < 50'000; ++i) {
        at->get_array().emplace_back(bj::array{});
        at = &at->get_array().back();
    }
    auto p = json_path::parse("$..*");
    ASSERT_TRUE(p);
    std::vector<const bj::value*> out;
    p->select(deep, out);
    EXPECT_EQ(out.size(), 50'000u);

    bj::array wide;
    wide.resize(300'000);
    const bj::value wide_doc(std::move(wide));
    out.clear();
    p->select(wide_doc, out);
    EXPECT_EQ(out.size(), json_path::max_nodes);

    // quadratic work (a filter re-querying the whole document for each of
    // its 300 000 children) stops at the step budget, after a few dozen
    // children, instead of running for minutes
    auto costly = json_path::parse("$[?count($..*) > 0]");
    ASSERT_TRUE(costly);
    out.clear();
    costly->select(wide_doc, out);
    EXPECT_GT(out.size(), 0u);
    EXPECT_LT(out.size(), 1000u);

    // the deep document is destroyed without recursing either (Boost.JSON's
    // destructor recurses): flatten it first
    while (!deep.get_array().empty()) {
        bj::value inner = std::move(deep.get_array().front());
        deep = std::move(inner);
    }
}

}  // namespace
}  // namespace swarm
