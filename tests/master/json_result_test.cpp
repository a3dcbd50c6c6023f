// The JSON result: its shape, its numbers, and histograms a reader can rebuild.
#include "master/report/json_result.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "tests/master/stats_fixture.hpp"

namespace swarm::master::report {
namespace {

using namespace swarm::master::testing;
namespace json = boost::json;

run_metadata known_meta() {
    run_metadata meta;
    meta.scenario_name = "website";
    meta.scenario_hash = "abc123";
    meta.users = 10;
    meta.spawn_rate = 2.5;
    meta.host = "http://127.0.0.1:8080";
    meta.workers = {"w1"};
    meta.exit_status = 1;
    return meta;
}

TEST(json_result_test, run_metadata_and_scheme) {
    // Through text and back, as a reader would get it.
    const json::value doc =
        json::parse(json::serialize(json_result(known_run(true), known_meta())));
    EXPECT_EQ(doc.at("format"), "swarm-result");
    EXPECT_EQ(doc.at("version").to_number<int>(), 1);
    const json::object& run = doc.at("run").as_object();
    EXPECT_EQ(run.at("scenario"), "website");
    EXPECT_EQ(run.at("scenario_hash"), "abc123");
    EXPECT_EQ(run.at("start_unix_ms").to_number<std::int64_t>(), wall0_ms);
    EXPECT_EQ(run.at("end_unix_ms").to_number<std::int64_t>(), wall0_ms + 2000);
    EXPECT_DOUBLE_EQ(run.at("duration_s").to_number<double>(), 2.0);
    EXPECT_DOUBLE_EQ(run.at("stats_seconds").to_number<double>(), 2.0);
    EXPECT_EQ(run.at("users").to_number<int>(), 10);
    EXPECT_DOUBLE_EQ(run.at("spawn_rate").to_number<double>(), 2.5);
    EXPECT_EQ(run.at("host"), "http://127.0.0.1:8080");
    EXPECT_EQ(run.at("workers").as_array().size(), 1u);
    EXPECT_EQ(run.at("exit_status").to_number<int>(), 1);
    const json::object& scheme = doc.at("histogram_scheme").as_object();
    EXPECT_EQ(scheme.at("sub_bucket_bits").to_number<int>(), 6);
    EXPECT_EQ(scheme.at("bucket_count").to_number<int>(), 1728);
    EXPECT_EQ(doc.at("percentiles").as_array().size(), 11u);
}

TEST(json_result_test, entries_carry_exact_numbers) {
    const json::value doc = json_result(known_run(true), known_meta());
    const json::array& entries = doc.at("entries").as_array();
    ASSERT_EQ(entries.size(), 2u);
    const json::object& a = entries[0].as_object();
    EXPECT_EQ(a.at("method"), "GET");
    EXPECT_EQ(a.at("name"), "/a");
    EXPECT_EQ(a.at("requests").to_number<int>(), 3);
    EXPECT_EQ(a.at("failures").to_number<int>(), 1);
    EXPECT_EQ(a.at("min_us").to_number<int>(), 10'000);
    EXPECT_EQ(a.at("max_us").to_number<int>(), 30'000);
    EXPECT_DOUBLE_EQ(a.at("avg_us").to_number<double>(), 20'000.0);
    EXPECT_EQ(a.at("median_us").to_number<int>(), 20'096);  // bucket midpoint
    EXPECT_EQ(a.at("percentiles_us").at("99.9").to_number<int>(), 30'000);
    EXPECT_EQ(a.at("percentiles_us").at("50").to_number<int>(), 20'096);
    EXPECT_DOUBLE_EQ(a.at("rps").to_number<double>(), 1.5);
    EXPECT_DOUBLE_EQ(a.at("failures_per_s").to_number<double>(), 0.5);
    EXPECT_EQ(a.at("response_bytes").to_number<int>(), 300);
    EXPECT_EQ(a.at("latency_sum_us").to_number<int>(), 60'000);
    const json::object& total = doc.at("total").as_object();
    EXPECT_EQ(total.at("name"), "Aggregated");
    EXPECT_EQ(total.at("method"), "");
    EXPECT_EQ(total.at("requests").to_number<int>(), 4);
}

TEST(json_result_test, histograms_rebuild_exactly) {
    const run_stats run = known_run(true);
    const json::value doc = json::parse(json::serialize(json_result(run, known_meta())));
    const json::array& buckets = doc.at("entries").at(0).at("histogram").at("buckets").as_array();
    EXPECT_EQ(buckets.size(), 3u);  // sparse: one [index, count] per occupied bucket
    EXPECT_EQ(buckets[0].as_array().size(), 2u);
    EXPECT_EQ(histogram_from_json(doc.at("entries").at(0).at("histogram")),
              run.requests().find("GET", "/a")->latency());
    EXPECT_EQ(histogram_from_json(doc.at("total").at("histogram")), run.total().latency());
    json::value broken = doc.at("total").at("histogram");
    broken.as_object()["count"] = 99;
    EXPECT_THROW(histogram_from_json(broken), std::invalid_argument);
}

TEST(json_result_test, errors_and_history) {
    const json::value doc = json_result(known_run(true), known_meta());
    const json::array& errors = doc.at("errors").as_array();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].at("message"), "HTTP 500");
    EXPECT_EQ(errors[0].at("occurrences").to_number<int>(), 1);
    EXPECT_EQ(errors[0].at("first_seen_unix_ms").to_number<std::int64_t>(), wall0_ms + 100);
    EXPECT_EQ(doc.at("errors_overflow").to_number<int>(), 0);
    const json::object& history = doc.at("history").as_object();
    ASSERT_EQ(history.at("names").as_array().size(), 2u);
    const json::array& points = history.at("points").as_array();
    ASSERT_EQ(points.size(), 2u);
    const json::object& p0 = points[0].as_object();
    EXPECT_EQ(p0.at("unix_s").to_number<std::int64_t>(), 1'700'000'000);
    EXPECT_EQ(p0.at("users").to_number<int>(), 10);
    EXPECT_EQ(p0.at("requests").to_number<int>(), 4);
    EXPECT_EQ(p0.at("failures").to_number<int>(), 1);
    EXPECT_EQ(p0.at("percentiles_us").as_array().size(), 11u);
    EXPECT_EQ(p0.at("total").at("requests").to_number<int>(), 4);
    const json::array& e0 = p0.at("entries").at(0).as_array();
    ASSERT_EQ(e0.size(), 6u);
    const json::array& name = history.at("names").at(e0[0].to_number<std::size_t>()).as_array();
    EXPECT_EQ(name[1], "/a");
    EXPECT_EQ(e0[1].to_number<int>(), 3);       // requests
    EXPECT_EQ(e0[2].to_number<int>(), 1);       // failures
    EXPECT_EQ(e0[3].to_number<int>(), 20'096);  // p50
    EXPECT_EQ(points[1].at("requests").to_number<int>(), 0);
}

TEST(json_result_test, open_classes_iter_rows_classes_and_history_fields) {
    const json::value doc =
        json::parse(json::serialize(json_result(known_open_run(true), known_meta())));
    const json::array& entries = doc.at("entries").as_array();
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[2].at("method"), "ITER");
    EXPECT_EQ(entries[2].at("name"), "checkout");
    EXPECT_EQ(entries[2].at("requests").to_number<int>(), 2);
    EXPECT_EQ(entries[2].at("max_us").to_number<int>(), 400'000);
    EXPECT_EQ(doc.at("total").at("requests").to_number<int>(), 4);  // not 6
    EXPECT_EQ(doc.at("total").at("max_us").to_number<int>(), 30'000);
    EXPECT_EQ(doc.at("classes"), json::parse(R"([
        {"name": "Shopper", "iterations": 2, "dropped_iterations": 3, "pacing_overruns": 0},
        {"name": "Browser", "iterations": 7, "dropped_iterations": 0, "pacing_overruns": 1}])"));
    const json::array& points = doc.at("history").at("points").as_array();
    ASSERT_EQ(points.size(), 2u);
    EXPECT_EQ(points[0].at("requests").to_number<int>(), 4);
    EXPECT_EQ(points[0].at("planned_users").to_number<int>(), 12);
    EXPECT_EQ(points[0].at("dropped_iterations").to_number<int>(), 3);
    EXPECT_EQ(points[1].at("dropped_iterations").to_number<int>(), 0);
    // Without a profile: null.
    const json::value closed = json::parse(json::serialize(json_result(known_run(true), {})));
    EXPECT_TRUE(closed.at("history").at("points").at(0).at("planned_users").is_null());
    EXPECT_EQ(closed.at("classes"), json::array{});
}

TEST(json_result_test, the_run_says_why_it_stopped_and_what_was_planned) {
    run_metadata meta = known_meta();
    meta.stop_reason = "interrupted";
    meta.planned_run_time_ms = 90'500;
    meta.profile = "30s:100@10,1m:0@50";
    meta.iterations = 250;
    const json::value doc = json::parse(json::serialize(json_result(known_run(true), meta)));
    const json::object& run = doc.at("run").as_object();
    EXPECT_EQ(run.at("stop_reason"), "interrupted");
    EXPECT_DOUBLE_EQ(run.at("planned_run_time_s").to_number<double>(), 90.5);
    EXPECT_EQ(run.at("profile"), "30s:100@10,1m:0@50");
    EXPECT_EQ(run.at("iterations").to_number<int>(), 250);
    EXPECT_DOUBLE_EQ(run.at("duration_s").to_number<double>(), 2.0);

    // Unbounded, no profile, no iteration target, not stopped (yet).
    const json::value open = json::parse(json::serialize(json_result(known_run(true), {})));
    EXPECT_EQ(open.at("run").at("stop_reason"), "none");
    EXPECT_TRUE(open.at("run").at("planned_run_time_s").is_null());
    EXPECT_EQ(open.at("run").at("profile"), "");
    EXPECT_TRUE(open.at("run").at("iterations").is_null());
}

TEST(json_result_test, a_running_run_has_no_end) {
    run_stats run(t0, wall0_ms);
    run.tick(at_ms(1500), wall0_ms + 1500, 3);
    const json::value doc = json_result(run, {});
    EXPECT_TRUE(doc.at("run").at("end_unix_ms").is_null());
    EXPECT_DOUBLE_EQ(doc.at("run").at("duration_s").to_number<double>(), 1.5);
}

TEST(json_result_test, thresholds_carry_each_final_verdict_in_order) {
    run_metadata meta = known_meta();
    gates::threshold_verdict passed;
    passed.expression = "p95(GET /a) < 200ms";
    passed.status = gates::verdict_status::passing;
    passed.final = true;
    passed.value = 183.25;
    passed.unit = "ms";
    passed.value_text = "183.2 ms";
    gates::threshold_verdict aborted;
    aborted.expression = "fail_ratio < 1%";
    aborted.status = gates::verdict_status::failing;
    aborted.final = true;
    aborted.aborted = true;
    aborted.abort_on_fail = true;
    aborted.delay = std::chrono::milliseconds(30'000);
    aborted.value = 2.5;
    aborted.unit = "%";
    aborted.value_text = "2.5 %";
    aborted.detail = "above 1 %";
    gates::threshold_verdict none;
    none.expression = "p99(GET /x) < 1s";
    none.detail = "no requests matched";
    meta.thresholds = {passed, aborted, none};
    const json::value doc = json::parse(json::serialize(json_result(known_run(true), meta)));
    const json::array& t = doc.at("thresholds").as_array();
    ASSERT_EQ(t.size(), 3u);
    const json::object& a = t[0].as_object();
    EXPECT_EQ(a.size(), 10u);
    EXPECT_EQ(a.at("expression"), "p95(GET /a) < 200ms");
    EXPECT_EQ(a.at("status"), "passing");
    EXPECT_EQ(a.at("final"), true);
    EXPECT_EQ(a.at("aborted"), false);
    EXPECT_EQ(a.at("abort_on_fail"), false);
    EXPECT_EQ(a.at("delay_ms").to_number<int>(), 0);
    EXPECT_DOUBLE_EQ(a.at("value").to_number<double>(), 183.25);
    EXPECT_EQ(a.at("unit"), "ms");
    EXPECT_EQ(a.at("value_text"), "183.2 ms");
    EXPECT_EQ(a.at("detail"), "");
    const json::object& b = t[1].as_object();
    EXPECT_EQ(b.at("status"), "failing");
    EXPECT_EQ(b.at("aborted"), true);
    EXPECT_EQ(b.at("abort_on_fail"), true);
    EXPECT_EQ(b.at("delay_ms").to_number<int>(), 30'000);
    EXPECT_DOUBLE_EQ(b.at("value").to_number<double>(), 2.5);
    EXPECT_EQ(b.at("value_text"), "2.5 %");
    EXPECT_EQ(b.at("detail"), "above 1 %");
    const json::object& c = t[2].as_object();
    EXPECT_EQ(c.at("status"), "pending");
    EXPECT_EQ(c.at("final"), false);
    EXPECT_TRUE(c.at("value").is_null());
    EXPECT_EQ(c.at("value_text"), "");
    EXPECT_EQ(c.at("detail"), "no requests matched");
    // Without thresholds: an empty list, so a reader need not test for the key.
    EXPECT_EQ(json_result(known_run(true), known_meta()).at("thresholds").as_array().size(), 0u);
}

}  // namespace
}  // namespace swarm::master::report
