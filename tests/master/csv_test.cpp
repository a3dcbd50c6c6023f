// Locust-compatible CSV: header rows exactly Locust's, data rows value by
// value, Python csv quoting and float formatting.
#include "master/report/csv.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "master/report/history_file.hpp"
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

std::vector<std::string> cells_of(const std::string& line) {
    std::vector<std::string> cells{""};
    for (char c : line) {
        if (c == ',') {
            cells.emplace_back();
        } else {
            cells.back().push_back(c);
        }
    }
    return cells;
}

// A run whose closed seconds' --csv-full-history rows go to `out`, as the
// history file gets them.
run_stats listened_run(std::ostringstream& out) {
    run_stats run(t0, wall0_ms);
    run.set_second_listener(
        [&out](const run_stats& r, const history_point& p, const stats::table& second) {
            write_full_history_second(out, r, p, second);
        });
    return run;
}

// --csv-full-history: as each second closes, one row per name (sorted as
// the stats file) then Aggregated; every column real: that second's rates
// and percentiles, the name's cumulative totals.
TEST(csv_test, full_history_rows_value_by_value_as_seconds_close) {
    std::ostringstream out;
    run_stats run = listened_run(out);
    stats::delta d = delta_of("GET", "/a", {10'000, 20'000, 30'000}, 1);
    d.requests.record("POST", "/b", 6'000, 100, false);
    run.apply("w1", d, at_ms(100));
    run.tick(at_ms(1500), wall0_ms + 1500, 10);  // second 0 closes
    const std::vector<std::string> first = csv_lines(out.str());
    ASSERT_EQ(first.size(), 3u) << "written when the second closed";
    // GET /a: 3 requests (1 failed) at 10, 20, 30 ms; percentiles of that
    // second (20 ms = the bucket midpoint 20.096 rounded), totals as the stats file's.
    EXPECT_EQ(first[0],
              "1700000000,10,GET,/a,3.000000,1.000000,20,20,30,30,30,30,30,30,30,30,30,"
              "3,1,20,20.0,10.0,30.0,100.0,,");
    EXPECT_EQ(first[1],
              "1700000000,10,POST,/b,1.000000,0.000000,6,6,6,6,6,6,6,6,6,6,6,"
              "1,0,6,6.0,6.0,6.0,100.0,,");
    EXPECT_EQ(first[2].substr(0, 37), "1700000000,10,,Aggregated,4.000000,1.");

    // Second 1: /a once at 40 ms; /b idle (percentiles 0 as Locust's
    // current ones with nothing in the window, its totals kept).
    run.apply("w1", delta_of("GET", "/a", {40'000}), at_ms(1600));
    run.tick(at_ms(2500), wall0_ms + 2500, 12);
    run.stop(at_ms(2600), wall0_ms + 2600);
    const std::vector<std::string> lines = csv_lines(out.str());
    ASSERT_EQ(lines.size(), 6u);
    const auto a = cells_of(lines[3]);
    ASSERT_EQ(a.size(), 26u);
    EXPECT_EQ(lines[3].substr(0, 42), "1700000001,12,GET,/a,1.000000,0.000000,40,");
    for (std::size_t i = 6; i <= 16; ++i) EXPECT_EQ(a[i], "40") << "percentile column " << i;
    EXPECT_EQ(lines[4],
              "1700000001,12,POST,/b,0.000000,0.000000,0,0,0,0,0,0,0,0,0,0,0,"
              "1,0,6,6.0,6.0,6.0,100.0,,");
    EXPECT_EQ(lines[5].substr(0, 26), "1700000001,12,,Aggregated,");
    // The last rows' totals are the stats file's figures (count, failures,
    // median, average, min, max, average size).
    std::ostringstream stats_file;
    write_stats_csv(stats_file, run);
    const auto stats_lines = csv_lines(stats_file.str());
    ASSERT_EQ(stats_lines.size(), 4u);
    for (const auto& [history, stats_row] :
         {std::pair{lines[3], stats_lines[1]}, std::pair{lines[4], stats_lines[2]}}) {
        const auto h = cells_of(history);
        const auto st = cells_of(stats_row);
        for (std::size_t i = 0; i < 7; ++i) EXPECT_EQ(h[17 + i], st[2 + i]) << history;
    }
    EXPECT_EQ(cells_of(lines[3])[17], "4");
    EXPECT_EQ(cells_of(lines[3])[20], "25.0");  // (10 + 20 + 30 + 40) / 4
    EXPECT_EQ(cells_of(lines[3])[22], "40.0");
    // The history itself keeps its usual per-name figures only.
    ASSERT_EQ(run.history().size(), 2u);
    EXPECT_EQ(run.history()[1].entries.size(), 1u);
}

TEST(csv_test, full_history_totals_restart_at_a_stats_reset) {
    std::ostringstream out;
    run_stats run = listened_run(out);
    run.apply("w1", delta_n("GET", "/a", 5), at_ms(100));
    run.tick(at_ms(1500), wall0_ms + 1500, 1);
    run.reset(at_ms(1600));
    run.apply("w1", delta_n("GET", "/a", 2), at_ms(1700));
    run.tick(at_ms(2500), wall0_ms + 2500, 1);
    const std::vector<std::string> lines = csv_lines(out.str());
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(cells_of(lines[0]).at(17), "5");  // /a, second 0
    EXPECT_EQ(cells_of(lines[1]).at(17), "5");  // Aggregated, second 0
    EXPECT_EQ(cells_of(lines[2]).at(17), "2");  // /a after the reset
    EXPECT_EQ(cells_of(lines[3]).at(17), "2");
}

std::string file_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The file is written as seconds close (readable during the run), and a new
// test starts it again; finish() leaves a header-only file for a test that
// closed no second, and names the file when it cannot be written.
TEST(csv_test, history_file_is_written_live_and_restarts_per_test) {
    const std::string path =
        ::testing::TempDir() + "/history_file_" + std::to_string(::getpid()) + ".csv";
    history_file file;
    const auto listen = [&](run_stats& run) {
        run.set_second_listener(
            [&](const run_stats& r, const history_point& p, const stats::table& second) {
                file.write_second(path, r, p, second);
            });
    };
    run_stats first(t0, wall0_ms);
    listen(first);
    first.apply("w1", delta_n("GET", "/a", 3), at_ms(100));
    first.tick(at_ms(1500), wall0_ms + 1500, 1);
    auto lines = csv_lines(file_text(path));
    ASSERT_EQ(lines.size(), 3u) << "header, /a, Aggregated before the run ends";
    EXPECT_EQ(lines[0], joined(stats_history_csv_columns()));
    first.tick(at_ms(2500), wall0_ms + 2500, 1);
    first.stop(at_ms(2600), wall0_ms + 2600);
    ASSERT_TRUE(file.finish(path, first));
    EXPECT_EQ(csv_lines(file_text(path)).size(), 5u);

    run_stats second(t0 + 10s, wall0_ms + 10'000);
    listen(second);
    second.stop(t0 + 10s + 200ms, wall0_ms + 10'200);  // closes no second
    ASSERT_TRUE(file.finish(path, second));
    EXPECT_EQ(csv_lines(file_text(path)).size(), 1u) << "the new test's header only";
    std::remove(path.c_str());

    history_file broken;
    const auto failed = broken.finish("/nonexistent-dir/x_stats_history.csv", second);
    ASSERT_FALSE(failed);
    EXPECT_NE(failed.error().message.find("/nonexistent-dir/x_stats_history.csv"),
              std::string::npos);
}

// Without --csv-full-history: the Aggregated rows the history keeps.
TEST(csv_test, history_file_without_full_history_has_aggregated_rows_only) {
    std::ostringstream out;
    write_stats_history_csv(out, known_run(true));
    const std::vector<std::string> lines = csv_lines(out.str());
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[1].substr(0, 26), "1700000000,10,,Aggregated,");
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
