// The threshold language (common/scenario/threshold_expr.hpp): every metric,
// selector, operator and unit, the errors with their columns, --threshold's
// option form, and the scenario's `thresholds:` key.
#include <gmock/gmock.h>

#include <string>

#include "common/scenario/threshold_expr.hpp"
#include "tests/scenario/compile_helpers.hpp"

namespace swarm::scenario {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using kind = threshold_selector::kind;
using testing::compile_text;
using testing::error_lines;
using testing::warning_lines;

threshold_expr parse_ok(std::string_view text) {
    auto r = parse_threshold(text);
    EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().message);
    return r ? *r : threshold_expr{};
}

std::string parse_error(std::string_view text) {
    auto r = parse_threshold(text);
    EXPECT_FALSE(r) << text << " parsed";
    return r ? "" : r.error().message;
}

TEST(threshold_expr_test, parses_a_row_percentile_in_microseconds) {
    const auto t = parse_ok("p95(GET /about) < 200ms");
    EXPECT_EQ(t.metric, threshold_metric::percentile);
    EXPECT_DOUBLE_EQ(t.percentile, 95);
    EXPECT_EQ(t.selector.what, kind::row);
    EXPECT_EQ(t.selector.method, "GET");
    EXPECT_EQ(t.selector.text, "/about");
    EXPECT_EQ(t.op, threshold_op::lt);
    EXPECT_DOUBLE_EQ(t.limit, 200'000);
    EXPECT_EQ(t.normalised(), "p95(GET /about) < 200ms");
}

TEST(threshold_expr_test, accepts_any_percentile_the_histogram_answers) {
    EXPECT_DOUBLE_EQ(parse_ok("p99.9 < 1s").percentile, 99.9);
    EXPECT_DOUBLE_EQ(parse_ok("p99.99 < 1s").percentile, 99.99);
    EXPECT_DOUBLE_EQ(parse_ok("p100 < 1s").percentile, 100);
    EXPECT_DOUBLE_EQ(parse_ok("p50<1s").percentile, 50);
    const auto med = parse_ok("med < 1s");
    EXPECT_EQ(med.metric, threshold_metric::percentile);
    EXPECT_DOUBLE_EQ(med.percentile, 50);
    EXPECT_THAT(parse_error("p0 < 1s"), HasSubstr("at column 1: a percentile is between"));
    EXPECT_THAT(parse_error("p101 < 1s"), HasSubstr("at column 1"));
    EXPECT_THAT(parse_error("p9.9.9 < 1s"), HasSubstr("not a percentile"));
}

TEST(threshold_expr_test, times_take_us_ms_s_m_and_a_bare_number_is_ms) {
    EXPECT_DOUBLE_EQ(parse_ok("avg < 250us").limit, 250);
    EXPECT_DOUBLE_EQ(parse_ok("avg < 250ms").limit, 250'000);
    EXPECT_DOUBLE_EQ(parse_ok("avg < 1.5s").limit, 1'500'000);
    EXPECT_DOUBLE_EQ(parse_ok("max < 2m").limit, 120'000'000);
    const auto bare = parse_ok("min < 300");
    EXPECT_DOUBLE_EQ(bare.limit, 300'000);
    EXPECT_EQ(bare.normalised(), "min < 300ms");
    EXPECT_EQ(
        parse_error("p95 < 200 msec"),
        "at column 11: unknown unit 'msec': a time takes us, ms, s or m (a bare number is ms)");
}

TEST(threshold_expr_test, ratios_take_percent_or_a_fraction) {
    const auto pct = parse_ok("fail_ratio < 1%");
    EXPECT_EQ(pct.metric, threshold_metric::fail_ratio);
    EXPECT_DOUBLE_EQ(pct.limit, 0.01);
    EXPECT_EQ(pct.normalised(), "fail_ratio < 1%");
    EXPECT_DOUBLE_EQ(parse_ok("fail_ratio <= 0.05").limit, 0.05);
    const auto checks = parse_ok("checks(tag:api) >= 99.5%");
    EXPECT_EQ(checks.metric, threshold_metric::checks);
    EXPECT_DOUBLE_EQ(checks.limit, 0.995);
    EXPECT_EQ(checks.selector.what, kind::tag);
    EXPECT_EQ(checks.selector.text, "api");
    EXPECT_THAT(parse_error("fail_ratio < 5"), HasSubstr("write 5% for a percentage"));
    EXPECT_THAT(parse_error("fail_ratio < 101%"), HasSubstr("at most 100%"));
    EXPECT_THAT(parse_error("checks > 99ms"), HasSubstr("a ratio takes % or none"));
}

TEST(threshold_expr_test, rates_are_per_second_with_an_optional_unit) {
    const auto rps = parse_ok("rps > 500");
    EXPECT_EQ(rps.metric, threshold_metric::rps);
    EXPECT_DOUBLE_EQ(rps.limit, 500);
    EXPECT_EQ(rps.normalised(), "rps > 500/s");
    EXPECT_EQ(parse_ok("fail_rps(/a) < 0.5/s").normalised(), "fail_rps(/a) < 0.5/s");
    EXPECT_THAT(parse_error("rps > 5/m"), HasSubstr("a rate is per second"));
}

TEST(threshold_expr_test, counts_take_no_unit) {
    for (const auto* text : {"requests > 10", "failures == 0", "iterations >= 3",
                             "dropped_iterations == 0", "pacing_overruns != 1"}) {
        const auto t = parse_ok(text);
        EXPECT_EQ(t.normalised(), text);
    }
    EXPECT_EQ(parse_ok("failures(GET /checkout) == 0").limit, 0);
    EXPECT_THAT(parse_error("failures == 0ms"), HasSubstr("a count takes no unit"));
}

TEST(threshold_expr_test, parses_every_operator) {
    EXPECT_EQ(parse_ok("avg < 1").op, threshold_op::lt);
    EXPECT_EQ(parse_ok("avg <= 1").op, threshold_op::le);
    EXPECT_EQ(parse_ok("avg > 1").op, threshold_op::gt);
    EXPECT_EQ(parse_ok("avg >= 1").op, threshold_op::ge);
    EXPECT_EQ(parse_ok("avg == 1").op, threshold_op::eq);
    EXPECT_EQ(parse_ok("avg != 1").op, threshold_op::ne);
    EXPECT_TRUE(compare(1, threshold_op::lt, 2));
    EXPECT_FALSE(compare(2, threshold_op::lt, 2));
    EXPECT_TRUE(compare(2, threshold_op::le, 2));
    EXPECT_TRUE(compare(3, threshold_op::gt, 2));
    EXPECT_FALSE(compare(2, threshold_op::ge, 3));
    EXPECT_TRUE(compare(0, threshold_op::eq, 0));
    EXPECT_TRUE(compare(1, threshold_op::ne, 0));
    EXPECT_EQ(parse_error("avg = 1"),
              "at column 5: expected an operator (<, <=, >, >=, ==, !=), got '='");
    EXPECT_EQ(parse_error("avg"),
              "at column 4: expected an operator (<, <=, >, >=, ==, !=) and a value");
}

TEST(threshold_expr_test, parses_every_selector) {
    const auto name = parse_ok("avg(/user/signin) < 300ms");
    EXPECT_EQ(name.selector.what, kind::name);
    EXPECT_EQ(name.selector.text, "/user/signin");
    const auto spaced = parse_ok("avg( checkout page ) < 300ms");
    EXPECT_EQ(spaced.selector.what, kind::name);
    EXPECT_EQ(spaced.selector.text, "checkout page");
    const auto re = parse_ok("p99(~^/api/(a|b)) < 1s");
    EXPECT_EQ(re.selector.what, kind::regex);
    EXPECT_EQ(re.selector.text, "^/api/(a|b)");  // the selector ends at the last ')'
    ASSERT_TRUE(re.selector.regex);
    EXPECT_EQ(re.normalised(), "p99(~^/api/(a|b)) < 1s");
    const auto iter = parse_ok("p95(ITER checkout) < 2s");
    EXPECT_EQ(iter.selector.what, kind::row);
    EXPECT_EQ(iter.selector.method, "ITER");
    const auto cls = parse_ok("dropped_iterations(class:Shopper) == 0");
    EXPECT_EQ(cls.selector.what, kind::user_class);
    EXPECT_EQ(cls.selector.text, "Shopper");
    const auto post = parse_ok("requests(POST /login) >= 1");
    EXPECT_EQ(post.selector.method, "POST");
    EXPECT_EQ(parse_ok("rps>1").selector.what, kind::aggregate);
}

TEST(threshold_expr_test, checks_which_metric_takes_which_selector) {
    EXPECT_EQ(parse_error("iterations(GET /a) > 1"),
              "at column 12: iterations counts a user class's iterations: select one with "
              "class:NAME (or none for every class)");
    EXPECT_THAT(parse_error("p95(class:Shopper) < 1s"),
                HasSubstr("at column 5: class: only selects for iterations"));
    EXPECT_THAT(parse_error("p95(class:) < 1s"), HasSubstr("'class:' needs a name"));
    EXPECT_THAT(parse_error("p95(~) < 1s"), HasSubstr("'~' needs a regular expression"));
    EXPECT_THAT(parse_error("p95(~a(b) < 1s"), HasSubstr("invalid regular expression"));
    EXPECT_EQ(parse_error("p95() < 1s"),
              "at column 4: empty selector: write p95 for every request");
    EXPECT_EQ(parse_error("p95(GET /a < 1s"), "at column 4: '(' has no closing ')'");
}

TEST(threshold_expr_test, names_the_column_of_a_bad_number) {
    EXPECT_EQ(parse_error("p95(GET /about) < 2OOms"),
              "at column 20: unknown unit 'OOms': a time takes us, ms, s or m (a bare number is "
              "ms)");
    EXPECT_EQ(parse_error("p95(GET /about) < ms"), "at column 19: expected a number after '<'");
    EXPECT_EQ(parse_error("p95 < -1ms"), "at column 7: expected a number after '<'");
}

TEST(threshold_expr_test, suggests_the_metric_meant) {
    EXPECT_THAT(parse_error("p95x < 1"), HasSubstr("not a percentile"));
    EXPECT_THAT(parse_error("fail_ration < 1%"),
                HasSubstr("at column 1: unknown metric 'fail_ration', did you mean 'fail_ratio'?"));
    EXPECT_THAT(parse_error("avrg < 1"), HasSubstr("did you mean 'avg'?"));
    EXPECT_EQ(parse_error(""), "at column 1: expected a metric such as p95, avg or fail_ratio");
    EXPECT_EQ(parse_error("  < 1"),
              "at column 3: expected a metric such as p95, avg or fail_ratio");
}

TEST(threshold_expr_test, the_normalised_form_parses_to_itself) {
    // The fuzz target (tests/fuzz/fuzz_scenario.cpp, mode 3) holds this for any input.
    for (const auto* text : {"p95(GET  /about)<200", "p095 < 1.", "med( a)b ) >= 0.5s",
                             "avg(~ x;y) != 3us", "fail_ratio<50 %", "checks(tag: api) > 0.999",
                             "rps>1", "requests(ITER t)==0", "pacing_overruns(class:\tA) <= 7"}) {
        const auto once = parse_ok(text).normalised();
        const auto twice = parse_threshold(once);
        ASSERT_TRUE(twice) << text << " -> " << once;
        EXPECT_EQ(twice->normalised(), once) << text;
    }
    EXPECT_EQ(parse_ok("p95(GET  /about)<200").normalised(), "p95(GET /about) < 200ms");
    EXPECT_EQ(parse_ok("med( a)b ) >= 0.5s").normalised(), "med(a)b) >= 0.5s");
}

TEST(threshold_option_test, reads_abort_on_fail_and_delay) {
    auto plain = parse_threshold_option("  p95 < 200ms ");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->expression, "p95 < 200ms");
    EXPECT_FALSE(plain->abort_on_fail);
    EXPECT_EQ(plain->delay.count(), 0);
    auto full = parse_threshold_option("fail_ratio < 1%; abort_on_fail; delay=10s");
    ASSERT_TRUE(full);
    EXPECT_EQ(full->expression, "fail_ratio < 1%");
    EXPECT_TRUE(full->abort_on_fail);
    EXPECT_EQ(full->delay, std::chrono::seconds(10));
    auto regex = parse_threshold_option("p95(~a;b) < 1s;delay = 500ms");
    ASSERT_TRUE(regex);
    EXPECT_EQ(regex->expression, "p95(~a;b) < 1s");
    EXPECT_EQ(regex->delay, std::chrono::milliseconds(500));
    EXPECT_EQ(parse_threshold_option("p95 < 1s; delay=soon").error().message,
              "'delay=soon': expected a duration such as 10s or 500ms");
    EXPECT_EQ(parse_threshold_option("p95 < 1s; abort_on_fial").error().message,
              "unknown option 'abort_on_fial', did you mean 'abort_on_fail'?: expected "
              "abort_on_fail or delay=DURATION");
    EXPECT_THAT(parse_threshold_option("p95 < 1x; abort_on_fail").error().message,
                HasSubstr("at column 8: unknown unit 'x'"));
}

constexpr const char* base = R"y(host: http://127.0.0.1:1
users:
  Shopper:
    tasks:
      browse:
        tags: [api]
        steps:
          - get: /about
          - post: /login
      other: {get: /other}
)y";

TEST(thresholds_key_test, loads_strings_and_maps_in_order) {
    auto r = compile_text(std::string(base) + R"y(thresholds:
  - p95(GET /about) < 200ms
  - expression: fail_ratio < 1%
    abort_on_fail: true
    delay: 30s
  - dropped_iterations(class:Shopper) == 0
  - checks(tag:api) > 99%
)y");
    ASSERT_TRUE(r.result) << error_lines(r).front();
    EXPECT_THAT(warning_lines(r), IsEmpty());
    const auto& t = r.result->thresholds;
    ASSERT_EQ(t.size(), 4u);
    EXPECT_EQ(t[0].expression, "p95(GET /about) < 200ms");
    EXPECT_FALSE(t[0].abort_on_fail);
    EXPECT_EQ(t[0].where.line, 12);
    EXPECT_EQ(t[0].where.column, 5);
    EXPECT_EQ(t[1].expression, "fail_ratio < 1%");
    EXPECT_TRUE(t[1].abort_on_fail);
    EXPECT_EQ(t[1].delay, std::chrono::seconds(30));
    EXPECT_EQ(t[3].expression, "checks(tag:api) > 99%");
}

TEST(thresholds_key_test, reports_a_bad_expression_with_its_place) {
    auto r = compile_text(std::string(base) + R"y(thresholds:
  - p95 < 1s
  - p95(GET /about) < 2OOms
  - {expression: avrg < 1, abort_on_fial: true}
  - {abort_on_fail: true}
  - [p95]
)y");
    EXPECT_THAT(
        error_lines(r),
        ElementsAre("13:5: thresholds[1]: p95(GET /about) < 2OOms: at column 20: unknown unit "
                    "'OOms': a time takes us, ms, s or m (a bare number is ms)",
                    "14:18: thresholds[2]: avrg < 1: at column 1: unknown metric 'avrg', did "
                    "you mean 'avg'? (p95, avg, min, max, med, fail_ratio, checks, rps, "
                    "fail_rps, requests, failures, iterations, dropped_iterations, "
                    "pacing_overruns)",
                    "14:28: thresholds[2]: unknown key 'abort_on_fial', did you mean "
                    "'abort_on_fail'?",
                    "15:5: thresholds[3]: a threshold needs `expression:`, e.g. expression: p95 "
                    "< 200ms",
                    "16:5: thresholds[4]: a threshold is an expression such as 'p95 < 200ms' or "
                    "a map with expression, abort_on_fail and delay"));
}

TEST(thresholds_key_test, an_unknown_class_or_tag_is_an_error) {
    auto r = compile_text(std::string(base) + R"y(thresholds:
  - iterations(class:Shoper) > 1
  - p95(tag:ap) < 1s
)y");
    EXPECT_THAT(error_lines(r),
                ElementsAre("12:5: thresholds[0]: iterations(class:Shoper) > 1: no user class "
                            "'Shoper', did you mean 'Shopper'?",
                            "13:5: thresholds[1]: p95(tag:ap) < 1s: no task has the tag 'ap', "
                            "did you mean 'api'?"));
}

TEST(thresholds_key_test, a_request_no_step_names_is_a_warning) {
    auto r = compile_text(std::string(base) + R"y(thresholds:
  - p95(GET /abot) < 1s
  - failures(/logn) == 0
  - p95(POST /about) < 1s
  - p95(/other) < 1s
  - p95(ITER browse) < 1s
)y");
    ASSERT_TRUE(r.result);
    EXPECT_EQ(r.result->thresholds.size(), 5u);
    EXPECT_THAT(
        warning_lines(r),
        ElementsAre("12:5: thresholds[0]: p95(GET /abot) < 1s: no request of the scenario is "
                    "named 'GET /abot', did you mean 'GET /about'? (a templated name may still "
                    "match at run time)",
                    "13:5: thresholds[1]: failures(/logn) == 0: no request of the scenario is "
                    "named '/logn', did you mean '/login'? (a templated name may still match at "
                    "run time)",
                    "14:5: thresholds[2]: p95(POST /about) < 1s: no request of the scenario is "
                    "named 'POST /about', did you mean 'GET /about'? (a templated name may "
                    "still match at run time)"));
}

TEST(thresholds_key_test, must_be_a_list) {
    auto r = compile_text(std::string(base) + "thresholds: p95 < 1s\n");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].path, "thresholds");
    EXPECT_THAT(r.errors[0].message, HasSubstr("expected a list"));
}

TEST(plan_request_rows_test, lists_every_request_or_those_of_a_tag) {
    auto r = compile_text(std::string(base));
    ASSERT_TRUE(r.result);
    EXPECT_THAT(plan_request_rows(*r.result),
                ElementsAre(request_row{"GET", "/about"}, request_row{"POST", "/login"},
                            request_row{"GET", "/other"}));
    EXPECT_THAT(plan_request_rows(*r.result, "api"),
                ElementsAre(request_row{"GET", "/about"}, request_row{"POST", "/login"}));
    EXPECT_THAT(plan_request_rows(*r.result, "none"), IsEmpty());
}

}  // namespace
}  // namespace swarm::scenario
