// The plain parts of the web UI: POST /swarm's form, Basic auth, base paths,
// Locust's percentile keys.
#include <gmock/gmock.h>

#include <fstream>
#include <limits>

#include "common/scenario/stages_text.hpp"
#include "master/web/auth.hpp"
#include "master/web/server.hpp"
#include "master/web/start_form.hpp"
#include "master/web/start_limits.hpp"
#include "master/web/stats_json.hpp"

namespace swarm::master::web {
namespace {

using namespace std::chrono_literals;
constexpr const char* form = "application/x-www-form-urlencoded";

TEST(web_form_test, form_fields_override_the_defaults) {
    start_defaults d{3, 2.0, "http://default", 60'000ms, 500};
    const auto r = parse_start_form(
        form, "user_count=10&spawn_rate=2.5&host=http%3A%2F%2Fx%3A1&run_time=1m30s", d);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->spec.users, 10);
    EXPECT_DOUBLE_EQ(r->spec.spawn_rate, 2.5);
    EXPECT_EQ(r->spec.host_override, "http://x:1");
    EXPECT_EQ(r->run_time, 90'000ms);
    EXPECT_EQ(r->spec.stop_timeout_ms, 500);
}

TEST(web_form_test, missing_fields_keep_the_defaults_and_an_empty_run_time_means_none) {
    start_defaults d{3, 2.0, "", 60'000ms, 0};
    auto r = parse_start_form(form, "", d);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->spec.users, 3);
    EXPECT_EQ(r->run_time, 60'000ms);
    r = parse_start_form(form, "run_time=&host=", d);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->run_time);
    EXPECT_EQ(r->spec.host_override, "");
}

TEST(web_form_test, json_bodies_use_the_same_names) {
    const auto r = parse_start_form(
        "application/json", R"({"user_count": 7, "spawn_rate": 0.5, "run_time": "10s"})", {});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->spec.users, 7);
    EXPECT_DOUBLE_EQ(r->spec.spawn_rate, 0.5);
    EXPECT_EQ(r->run_time, 10'000ms);
    EXPECT_FALSE(parse_start_form("application/json", "[1]", {}));
    EXPECT_FALSE(parse_start_form("application/json", R"({"user_count": [1]})", {}));
}

TEST(web_form_test, a_whole_float_user_count_is_accepted_as_locust_scripts_send_it) {
    for (const auto& [type, body] : std::vector<std::pair<std::string, std::string>>{
             {form, "user_count=5.0"},
             {form, "user_count=5e0"},
             {"application/json", R"({"user_count": 5.0})"},
             {"application/json", R"({"user_count": "5.00"})"}}) {
        const auto r = parse_start_form(type, body, {});
        ASSERT_TRUE(r) << body << " -> " << r.error().message;
        EXPECT_EQ(r->spec.users, 5) << body;
    }
    const auto zero = parse_start_form("application/json", R"({"user_count": 0.0})", {});
    ASSERT_TRUE(zero) << zero.error().message;
    EXPECT_EQ(zero->spec.users, 0);
}

TEST(web_form_test, fractional_negative_nan_and_huge_user_counts_are_refused) {
    for (const auto& [type, body] : std::vector<std::pair<std::string, std::string>>{
             {form, "user_count=5.5"},
             {form, "user_count=-1"},
             {form, "user_count=-1.0"},
             {form, "user_count=nan"},
             {form, "user_count=NaN"},
             {form, "user_count=inf"},
             {form, "user_count=1e300"},
             {form, "user_count=100000001"},
             {form, "user_count=5.0abc"},
             {"application/json", R"({"user_count": 5.5})"},
             {"application/json", R"({"user_count": -3})"},
             {"application/json", R"({"user_count": 1e300})"},
             {"application/json", R"({"user_count": "NaN"})"}}) {
        const auto r = parse_start_form(type, body, {});
        ASSERT_FALSE(r) << body;
        EXPECT_EQ(r.error().message.rfind(
                      "user_count: expected a whole number from 0 to 100000000, got '", 0),
                  0u)
            << body << " -> " << r.error().message;
    }
}

TEST(web_form_test, bad_values_name_their_field) {
    for (const auto& [body, field] :
         std::vector<std::pair<std::string, std::string>>{{"user_count=1.5", "user_count"},
                                                          {"user_count=200000000", "user_count"},
                                                          {"user_count=", "user_count"},
                                                          {"spawn_rate=-1", "spawn_rate"},
                                                          {"spawn_rate=inf", "spawn_rate"},
                                                          {"host=example.com", "host"},
                                                          {"run_time=0s", "run_time"},
                                                          {"run_time=5+minutes", "run_time"}}) {
        const auto r = parse_start_form(form, body, {});
        ASSERT_FALSE(r) << body;
        EXPECT_EQ(r.error().message.rfind(field + ": ", 0), 0u)
            << body << " -> " << r.error().message;
    }
}

// Found by fuzz_web_request: "1us" passed the > 0 check in microseconds and
// became a run time of 0 ms, a test that stops as it starts.
TEST(web_form_test, a_run_time_under_a_millisecond_is_refused) {
    for (const std::string body : {"run_time=1us", "run_time=999us", "run_time=0.0001s"}) {
        const auto r = parse_start_form(form, body, {});
        ASSERT_FALSE(r) << body;
        EXPECT_EQ(r.error().message.rfind("run_time: ", 0), 0u)
            << body << " -> " << r.error().message;
    }
    const auto r = parse_start_form(form, "run_time=1ms", {});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->run_time, 1ms);
}

// Before: 1e308 passed (> 0 and finite) and overflowed in the worker's ramp.
TEST(web_limits_test, spawn_rates_are_finite_positive_and_at_most_a_hundred_million) {
    for (const std::string text : {"1e308", "100000001", "nan", "inf", "-1", "0", "1e-400", "x"}) {
        const auto r = parse_spawn_rate(text);
        ASSERT_FALSE(r) << text;
        EXPECT_EQ(r.error().message.rfind("expected a number > 0 and at most 100000000, got '", 0),
                  0u)
            << r.error().message;
    }
    EXPECT_EQ(*parse_spawn_rate("100000000"), 1e8);
    EXPECT_EQ(*parse_spawn_rate("0.5"), 0.5);
    EXPECT_FALSE(check_spawn_rate(std::numeric_limits<double>::quiet_NaN()));
}

TEST(web_limits_test, users_fit_a_million_per_worker) {
    EXPECT_TRUE(check_users_fit(1'000'000, 1));
    EXPECT_TRUE(check_users_fit(0, 0));
    EXPECT_TRUE(check_users_fit(100'000'000, 100));
    const auto r = check_users_fit(100'000'000, 1);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message.rfind("100000000 users need 100 workers (at most 1000000 users per "
                                      "worker",
                                      0),
              0u)
        << r.error().message;
    EXPECT_THAT(check_users_fit(1'000'001, 1).error().message,
                ::testing::StartsWith("1000001 users need 2 workers"));
    EXPECT_THAT(check_users_fit(1, 0).error().message,
                ::testing::StartsWith("1 users need 1 worker ("));
}

TEST(web_limits_test, hosts_need_a_scheme_a_name_and_no_control_bytes) {
    for (const std::string ok : {"http://127.0.0.1:8080", "https://example.com", "http://[::1]:80",
                                 "http://example.com/base", "http://a.example:1"}) {
        const auto r = check_target_host(ok);
        ASSERT_TRUE(r) << ok << ": " << r.error().message;
        EXPECT_EQ(*r, ok);
    }
    const std::pair<std::string, std::string> bad[] = {
        {"http://", "'http://' has no host name"},
        {"http://:80", "'http://:80' has no host name"},
        {std::string("http://\0", 8), "'http://\\x00' holds a control character \\x00"},
        {"http://%00", "'http://%00': the host name holds a control character \\x00"},
        {"http://a%2Fb", "'http://a%2Fb': the host name holds '/'"},
        {"http://ex ample", "'http://ex ample' holds a space"},
        {"http://b\xc3\xbc"
         "cher.de",
         "holds a non-ASCII byte \\xc3"},
        {"http://x:65536", "the port must be a number from 1 to 65535"},
        {"http://x:0", "the port must be a number from 1 to 65535"},
        {"ftp://x", "expected http://... or https://..., got 'ftp://x'"},
        {"example.com", "expected http://... or https://..."},
    };
    for (const auto& [host, message] : bad) {
        const auto r = check_target_host(host);
        ASSERT_FALSE(r) << message;
        EXPECT_THAT(r.error().message, ::testing::HasSubstr(message));
    }
}

TEST(web_auth_test, basic_auth_accepts_exactly_the_configured_pairs) {
    auto a = basic_auth::from_pair("aladdin:open sesame");
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->check("Basic YWxhZGRpbjpvcGVuIHNlc2FtZQ=="));  // RFC 7617's example
    EXPECT_FALSE(a->check("Basic YWxhZGRpbjpvcGVuIHNlc2FtZR=="));
    EXPECT_FALSE(a->check(""));
    EXPECT_FALSE(a->check("Bearer YWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
    // The scheme in any case, and more than one space after it (RFC 9110).
    EXPECT_TRUE(a->check("basic YWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
    EXPECT_TRUE(a->check("BASIC   YWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
    EXPECT_FALSE(a->check("basicYWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
    EXPECT_FALSE(a->check("basic "));
    EXPECT_FALSE(a->check("Basic yWxhZGRpbjpvcGVuIHNlc2FtZQ=="));  // the credentials are not
    EXPECT_EQ(basic_auth::from_pair("nocolon").error().message, "expected USER:PASSWORD");
    EXPECT_EQ(basic_auth::from_pair(":pw").error().message, "expected USER:PASSWORD");
    EXPECT_TRUE(basic_auth().check("anything"));  // not enabled
    EXPECT_EQ(base64_encode("a"), "YQ==");
    EXPECT_EQ(base64_encode("ab"), "YWI=");
    EXPECT_EQ(base64_encode("abc"), "YWJj");
}

TEST(web_auth_test, auth_file_errors_name_the_line) {
    const auto path = ::testing::TempDir() + "/web_auth_bad.txt";
    std::ofstream(path) << "a:b\nbroken\n";
    const auto bad = basic_auth::from_file(path);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, path + ":2: expected USER:PASSWORD");
    const auto missing = basic_auth::from_file(path + ".missing");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message, path + ".missing: cannot read");
}

TEST(web_paths_test, base_paths_are_normalized_and_checked) {
    EXPECT_EQ(normalize_base_path("").value(), "");
    EXPECT_EQ(normalize_base_path("/").value(), "");
    EXPECT_EQ(normalize_base_path("swarm/").value(), "/swarm");
    EXPECT_EQ(normalize_base_path("/a/b").value(), "/a/b");
    EXPECT_EQ(normalize_base_path("/a?b").error().message,
              "--web-base-path: '/a?b' holds '?'; use letters, digits, '/', '-', '_', '.', '~'");
    EXPECT_FALSE(normalize_base_path("/<x>"));
}

TEST(web_paths_test, percentile_keys_are_locusts) {
    EXPECT_EQ(percentile_key(50), "response_time_percentile_0.5");
    EXPECT_EQ(percentile_key(95), "response_time_percentile_0.95");
    EXPECT_EQ(percentile_key(99.9), "response_time_percentile_0.999");
    EXPECT_EQ(percentile_key(99.99), "response_time_percentile_0.9999");
    EXPECT_EQ(percentile_key(100), "response_time_percentile_1.0");
}

TEST(web_form_test, stages_and_iterations_make_a_profile_test) {
    const auto r = parse_start_form(form,
                                    "user_count=5&stages=30s%3A100%4010%2C1m%3A500%4050%2C30s%3A0&"
                                    "iterations=1000",
                                    {});
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->stages.size(), 3u);
    EXPECT_EQ(r->stages[0].length, 30s);
    EXPECT_EQ(r->stages[0].users, 100);
    EXPECT_DOUBLE_EQ(r->stages[0].rate, 10);
    EXPECT_EQ(r->stages[1].length, 60s);
    EXPECT_EQ(r->stages[1].users, 500);
    EXPECT_EQ(r->stages[2].users, 0);
    EXPECT_EQ(r->iterations, 1000);
    const auto j =
        parse_start_form("application/json", R"({"stages": "10s:3", "iterations": 7})", {});
    ASSERT_TRUE(j) << j.error().message;
    EXPECT_EQ(j->stages.size(), 1u);
    EXPECT_EQ(j->iterations, 7);
    // Empty or absent: no profile, no limit (Locust's fields alone).
    const auto none = parse_start_form(form, "user_count=5&stages=&iterations=", {});
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->stages.empty());
    EXPECT_FALSE(none->iterations);
}

TEST(web_form_test, a_bad_stage_or_iteration_count_names_the_field_and_the_stage) {
    auto r = parse_start_form(form, "stages=30s%3A100%2Cxx%3A5", {});
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, ::testing::StartsWith("stages: stage 2: duration 'xx'"));
    r = parse_start_form(form, "stages=30s%3A100%40-1", {});
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, ::testing::StartsWith("stages: stage 1: rate"));
    for (const char* bad : {"0", "1.5", "-3", "x", "2000000000000"}) {
        r = parse_start_form(form, std::string("iterations=") + bad, {});
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().message, std::string("iterations: expected a whole number from 1 to "
                                                 "1000000000000, got '") +
                                         bad + "'");
    }
}

TEST(web_form_test, stage_at_counts_from_one_and_past_the_end) {
    const auto stages = scenario::parse_stages("30s:100@10,1m:500,30s:0");
    ASSERT_TRUE(stages);
    EXPECT_EQ(stage_at(*stages, 0s), 1u);
    EXPECT_EQ(stage_at(*stages, 29'999ms), 1u);
    EXPECT_EQ(stage_at(*stages, 30s), 2u);
    EXPECT_EQ(stage_at(*stages, 119s), 3u);
    EXPECT_EQ(stage_at(*stages, 120s), 4u);  // done
    // A last stage of length 0 holds until the test ends.
    std::vector<scenario::load_stage> hold = *stages;
    hold.back().length = {};
    EXPECT_EQ(stage_at(hold, 3600s), 3u);
}

gates::threshold_verdict judged(gates::verdict_status status, bool final, bool aborted = false) {
    gates::threshold_verdict v;
    v.expression = "rps > 1";
    v.status = status;
    v.final = final;
    v.aborted = aborted;
    return v;
}

TEST(web_form_test, thresholds_passed_is_null_until_all_are_final_and_false_once_one_failed) {
    using gates::verdict_status;
    EXPECT_EQ(thresholds_passed({}), std::nullopt);  // no thresholds: no verdict
    // Live verdicts, passing or failing, decide nothing yet.
    EXPECT_EQ(thresholds_passed(
                  {judged(verdict_status::passing, false), judged(verdict_status::failing, false)}),
              std::nullopt);
    EXPECT_EQ(thresholds_passed(
                  {judged(verdict_status::passing, true), judged(verdict_status::pending, false)}),
              std::nullopt);
    EXPECT_EQ(thresholds_passed(
                  {judged(verdict_status::passing, true), judged(verdict_status::passing, true)}),
              std::optional<bool>(true));
    EXPECT_EQ(thresholds_passed(
                  {judged(verdict_status::passing, true), judged(verdict_status::failing, true)}),
              std::optional<bool>(false));
    // An abort is a failure for good, before the end's judgement.
    EXPECT_EQ(thresholds_passed({judged(verdict_status::pending, false),
                                 judged(verdict_status::failing, false, true)}),
              std::optional<bool>(false));
}

}  // namespace
}  // namespace swarm::master::web
