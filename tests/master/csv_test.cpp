// Locust-compatible CSV: header rows exactly Locust's, data rows value by
// value, Python csv quoting and float formatting.
#include "master/report/csv.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tests/master/stats_fixture.hpp"

namespace swarm::master::report {
namespace {

using namespace swarm::master::testing;

std::string joined(const std::vector<std::string>& columns) {
    std::string out;
    for (const std::string& c : columns) out += (out.empty() ? "" : ",") + c;
    return out;
}

std::vector<std::string> csv_lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    for (std::size_t end; (end = text.find("\r\n", at)) != std::string::npos; at = end + 2) {
        out.push_back(text.substr(at, end - at));
    }
    EXPECT_EQ(at, text.size()) << "every line ends in \\r\\n";
    return out;
}

// Locust's columns in Locust's order; the history file's two of ours come last.
TEST(csv_test, headers_are_exactly_locusts) {
    EXPECT_EQ(joined(stats_csv_columns()),
              "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
              "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
              "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%");
    EXPECT_EQ(joined(stats_history_csv_columns()),
              "Timestamp,User Count,Type,Name,Requests/s,Failures/s,"
              "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,"
              "Total Request Count,Total Failure Count,Total Median Response Time,"
              "Total Average Response Time,Total Min Response Time,Total Max Response Time,"
              "Total Average Content Size,Planned Users,Dropped Iterations/s");
    EXPECT_EQ(joined(failures_csv_columns()), "Method,Name,Error,Occurrences");
}

TEST(csv_test, stats_rows_value_by_value_with_aggregated_last) {
    std::ostringstream out;
    write_stats_csv(out, known_run(true));
    const std::vector<std::string> lines = csv_lines(out.str());
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0], joined(stats_csv_columns()));
    // Median 20 ms (bucket midpoint 20.096 rounded), avg/min/max as floats,
    // 1.5 req/s over the 2 s run.
    EXPECT_EQ(lines[1],
              "GET,/a,3,1,20,20.0,10.0,30.0,100.0,1.5,0.5,20,20,30,30,30,30,30,30,30,30,30");
    EXPECT_EQ(lines[2], "POST,/b,1,0,6,6.0,6.0,6.0,100.0,0.5,0.0,6,6,6,6,6,6,6,6,6,6,6");
    EXPECT_EQ(lines[3],
              ",Aggregated,4,1,10,16.5,6.0,30.0,100.0,2.0,0.5,10,20,20,30,30,30,30,30,30,30,30");
}

TEST(csv_test, rows_without_requests_write_zero_and_na) {
    std::ostringstream out;
    write_stats_csv(out, run_stats(t0, wall0_ms));
    const std::vector<std::string> lines = csv_lines(out.str());
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[1],
              ",Aggregated,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A");
}

TEST(csv_test, names_with_commas_quotes_and_newlines_are_quoted) {
    run_stats run(t0, wall0_ms);
    stats::delta d = delta_of("GET", "/search?q=a,b", {1000});
    d.requests.record("GET", "say \"hi\"", 1000, 0, false);
    d.errors.record("GET", "/x", "line one\nline \"two\"", wall0_ms);
    run.apply("w1", d, at_ms(10));
    std::ostringstream stats_out;
    write_stats_csv(stats_out, run);
    EXPECT_NE(stats_out.str().find("\r\nGET,\"/search?q=a,b\",1,0,"), std::string::npos);
    EXPECT_NE(stats_out.str().find("\r\nGET,\"say \"\"hi\"\"\",1,0,"), std::string::npos);
    std::ostringstream failures_out;
    write_failures_csv(failures_out, run);
    EXPECT_EQ(failures_out.str(),
              "Method,Name,Error,Occurrences\r\nGET,/x,\"line one\nline \"\"two\"\"\",1\r\n");
    EXPECT_EQ(csv_field("plain text"), "plain text");
    EXPECT_EQ(csv_field("a\rb"), "\"a\rb\"");
    EXPECT_EQ(csv_field(""), "");
}

TEST(csv_test, failures_rows) {
    std::ostringstream out;
    write_failures_csv(out, known_run(true));
    EXPECT_EQ(out.str(), "Method,Name,Error,Occurrences\r\nGET,/a,HTTP 500,1\r\n");
}

TEST(csv_test, history_rows_per_second_with_cumulative_totals) {
    const run_stats run = known_run(true);
    std::ostringstream out;
    write_stats_history_csv(out, run);
    const std::vector<std::string> lines = csv_lines(out.str());
    ASSERT_EQ(lines.size(), 3u);  // header, second 0, idle second 1
    EXPECT_EQ(lines[0], joined(stats_history_csv_columns()));
    EXPECT_EQ(lines[1],
              "1700000000,10,,Aggregated,4.000000,1.000000,10,20,20,30,30,30,30,30,30,30,30,"
              "4,1,10,16.5,6.0,30.0,100.0,,0.000000");
    EXPECT_EQ(lines[2],
              "1700000001,10,,Aggregated,0.000000,0.000000,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,"
              "N/A,4,1,10,16.5,6.0,30.0,100.0,,0.000000");
}

TEST(csv_test, open_classes_iter_rows_classes_file_and_history_columns) {
    const run_stats run = known_open_run(true);
    std::ostringstream stats_out;
    write_stats_csv(stats_out, run);
    const std::vector<std::string> rows = csv_lines(stats_out.str());
    ASSERT_EQ(rows.size(), 5u);  // header, /a, /b, checkout, Aggregated
    EXPECT_EQ(rows[3].substr(0, 34), "ITER,checkout,2,0,250,325.0,250.0,");
    EXPECT_EQ(rows[4].substr(0, 19), ",Aggregated,4,1,10,");  // requests only

    std::ostringstream classes_out;
    write_classes_csv(classes_out, run);
    EXPECT_EQ(csv_lines(classes_out.str()),
              (std::vector<std::string>{
                  "Class,Iterations,Dropped Iterations,Pacing Overruns",
                  "Shopper,2,3,0",
                  "Browser,7,0,1",
              }));

    std::ostringstream history_out;
    write_stats_history_csv(history_out, run);
    const std::vector<std::string> history = csv_lines(history_out.str());
    ASSERT_EQ(history.size(), 3u);
    const std::string tail = ",Planned Users,Dropped Iterations/s";
    EXPECT_EQ(history[0].substr(history[0].size() - tail.size()), tail);
    // Second 0: 4 requests (not 6), 12 users planned, 3 dropped.
    EXPECT_EQ(history[1].substr(0, 37), "1700000000,10,,Aggregated,4.000000,1.");
    const std::string second0 = ",4,1,10,16.5,6.0,30.0,100.0,12,3.000000";
    EXPECT_EQ(history[1].substr(history[1].size() - second0.size()), second0);
    // The cut last second (stop at 2 s, nothing in it) keeps the plan, drops none.
    EXPECT_EQ(history[2].substr(history[2].size() - 12), ",12,0.000000");
}

TEST(csv_test, history_rows_can_be_appended_incrementally) {
    run_stats run(t0, wall0_ms);
    std::ostringstream out;
    write_stats_history_header(out);
    run.apply("w1", delta_n("GET", "/a", 2), at_ms(100));
    run.tick(at_ms(1500), wall0_ms + 1500, 1);
    std::uint64_t next = write_stats_history_rows(out, run, 0);
    EXPECT_EQ(next, 1u);
    next = write_stats_history_rows(out, run, next);  // nothing new
    EXPECT_EQ(next, 1u);
    run.tick(at_ms(3500), wall0_ms + 3500, 1);
    next = write_stats_history_rows(out, run, next);
    EXPECT_EQ(next, 3u);
    const std::vector<std::string> lines = csv_lines(out.str());
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[1].substr(0, 11), "1700000000,");
    EXPECT_EQ(lines[2].substr(0, 11), "1700000001,");
    EXPECT_EQ(lines[3].substr(0, 11), "1700000002,");
}

// --csv-full-history: before each second's Aggregated row, one row per name
// seen so far, sorted as the stats file, from what the history keeps per name.
TEST(csv_test, full_history_has_a_row_per_name_and_second_before_aggregated) {
    const run_stats run = known_run(true);
    std::ostringstream out;
    write_stats_history_csv(out, run, true);
    const std::vector<std::string> lines = csv_lines(out.str());
    ASSERT_EQ(lines.size(), 7u);  // header, (/a, /b, Aggregated) x 2 seconds
    EXPECT_EQ(lines[0], joined(stats_history_csv_columns()));
    // Second 0: /a 3 requests (1 failed), p50 20, p95 and p99 30 ms; /b 1 at 6 ms.
    EXPECT_EQ(lines[1],
              "1700000000,10,GET,/a,3.000000,1.000000,20,N/A,N/A,N/A,N/A,30,N/A,30,N/A,N/A,N/A,"
              "3,1,N/A,N/A,N/A,N/A,N/A,,");
    EXPECT_EQ(lines[2],
              "1700000000,10,POST,/b,1.000000,0.000000,6,N/A,N/A,N/A,N/A,6,N/A,6,N/A,N/A,N/A,"
              "1,0,N/A,N/A,N/A,N/A,N/A,,");
    EXPECT_EQ(lines[3].substr(0, 37), "1700000000,10,,Aggregated,4.000000,1.");
    // Second 1 is idle: rates 0, no percentiles, the totals kept.
    EXPECT_EQ(lines[4],
              "1700000001,10,GET,/a,0.000000,0.000000,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,"
              "3,1,N/A,N/A,N/A,N/A,N/A,,");
    EXPECT_EQ(lines[5].substr(0, 40), "1700000001,10,POST,/b,0.000000,0.000000,");
    EXPECT_EQ(lines[6].substr(0, 26), "1700000001,10,,Aggregated,");
    // Without per_name: the Aggregated rows only, as before.
    std::ostringstream aggregated_only;
    write_stats_history_csv(aggregated_only, run);
    EXPECT_EQ(csv_lines(aggregated_only.str()).size(), 3u);
}

TEST(csv_test, full_history_totals_restart_at_a_stats_reset) {
    run_stats run(t0, wall0_ms);
    run.apply("w1", delta_n("GET", "/a", 5), at_ms(100));
    run.tick(at_ms(1500), wall0_ms + 1500, 1);
    run.reset(at_ms(1600));
    run.apply("w1", delta_n("GET", "/a", 2), at_ms(1700));
    run.tick(at_ms(2500), wall0_ms + 2500, 1);
    std::ostringstream out;
    write_stats_history_csv(out, run, true);
    const std::vector<std::string> lines = csv_lines(out.str());
    ASSERT_EQ(lines.size(), 5u);
    const auto total_requests = [](const std::string& line) {
        std::vector<std::string> cells{""};
        for (char c : line) {
            if (c == ',') {
                cells.emplace_back();
            } else {
                cells.back().push_back(c);
            }
        }
        return cells.at(17);  // Total Request Count
    };
    EXPECT_EQ(total_requests(lines[1]), "5");  // /a, second 0
    EXPECT_EQ(total_requests(lines[2]), "5");  // Aggregated, second 0
    EXPECT_EQ(total_requests(lines[3]), "2");  // /a after the reset
    EXPECT_EQ(total_requests(lines[4]), "2");
}

TEST(csv_test, floats_are_written_like_python_repr) {
    EXPECT_EQ(python_float(1234.0), "1234.0");
    EXPECT_EQ(python_float(0.0), "0.0");
    EXPECT_EQ(python_float(0.1), "0.1");
    EXPECT_EQ(python_float(12.345), "12.345");
    EXPECT_EQ(python_float(1.0 / 3.0), "0.3333333333333333");
    EXPECT_EQ(python_float(1e-05), "1e-05");
    EXPECT_EQ(python_float(1e16), "1e+16");
}

}  // namespace
}  // namespace swarm::master::report
