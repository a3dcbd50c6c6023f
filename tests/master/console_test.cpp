// Console tables for known stats: numbers in the right columns, the
// Aggregated row, widths and name truncation.
#include "master/report/console.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tests/master/stats_fixture.hpp"

namespace swarm::master::report {
namespace {

using namespace swarm::master::testing;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

std::vector<std::string> words_of(const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

// The right edge of `label` in the header line.
std::size_t right_edge(const std::string& header, const std::string& label) {
    const std::size_t at = header.find(label);
    EXPECT_NE(at, std::string::npos) << label;
    return at + label.size();
}

// `value` ends exactly at `edge` in `line` (right-aligned under its title).
void expect_at(const std::string& line, std::size_t edge, const std::string& value) {
    ASSERT_GE(edge, value.size());
    EXPECT_EQ(line.substr(edge - value.size(), value.size()), value) << line;
}

TEST(console_test, loss_warnings_name_the_lost_workers_and_count_lost_reports) {
    EXPECT_EQ(loss_warnings({}, 0), "") << "a clean run says nothing";
    EXPECT_EQ(loss_warnings({"w1", "w3"}, 2),
              "warning: 2 workers dropped out of the test (w1, w3): requests of their last "
              "unreported second may be missing\n"
              "warning: 2 stats reports from workers were lost (workers that died or went "
              "missing)\n");
    EXPECT_EQ(lines_of(loss_warnings({"w1"}, 0)).size(), 1u);
}

TEST(console_test, iter_rows_are_shown_but_not_aggregated_and_classes_follow) {
    const run_stats run = known_open_run(true);
    const std::vector<std::string> lines = lines_of(stats_table(run, rate_basis::total));
    // header, rule, /a, /b, checkout, rule, Aggregated, "", Classes, header, rule, 2 classes
    ASSERT_EQ(lines.size(), 13u) << stats_table(run, rate_basis::total);
    EXPECT_EQ(words_of(lines[4]),
              (std::vector<std::string>{"ITER", "checkout", "2", "0(0.00%)", "|", "325", "250",
                                        "400", "250", "400", "400", "|", "1.00", "0.00"}));
    // Aggregated is /a and /b only: 4 requests, the slowest 30 ms.
    EXPECT_EQ(words_of(lines[6]),
              (std::vector<std::string>{"Aggregated", "4", "1(25.00%)", "|", "16.5", "6.00", "30.0",
                                        "10.0", "30.0", "30.0", "|", "2.00", "0.50"}));
    EXPECT_EQ(lines[7], "");
    EXPECT_EQ(lines[8], "Classes");
    const std::string& header = lines[9];
    EXPECT_EQ(words_of(header),
              (std::vector<std::string>{"Class", "iterations", "dropped", "pacing", "overruns"}));
    EXPECT_EQ(words_of(lines[11]), (std::vector<std::string>{"Shopper", "2", "3", "0"}));
    EXPECT_EQ(words_of(lines[12]), (std::vector<std::string>{"Browser", "7", "0", "1"}));
    expect_at(lines[11], right_edge(header, "dropped"), "3");
    expect_at(lines[12], right_edge(header, "pacing overruns"), "1");
}

TEST(console_test, classes_table_only_when_it_says_something) {
    // Closed classes that neither dropped nor overran: the table as before.
    run_stats run = known_run(false);
    stats::delta d;
    d.classes.at("Browser") = {7, 0, 0};
    run.apply("w1", d, at_ms(1600));
    EXPECT_EQ(classes_table(run), "");
    EXPECT_EQ(lines_of(stats_table(run, rate_basis::current)).size(), 6u);
    d.classes.at("Browser") = {1, 0, 1};  // an overrun
    run.apply("w1", d, at_ms(2600));
    EXPECT_EQ(lines_of(classes_table(run)).size(), 4u);
}

TEST(console_test, live_table_puts_each_number_in_its_column) {
    const run_stats run = known_run(false);
    const std::vector<std::string> lines = lines_of(stats_table(run, rate_basis::current));
    ASSERT_EQ(lines.size(), 6u);  // header, rule, /a, /b, rule, Aggregated
    const std::string& header = lines[0];
    EXPECT_EQ(words_of(header), (std::vector<std::string>{"Type", "Name", "#", "reqs", "#", "fails",
                                                          "|", "Avg", "Min", "Max", "Med", "95%",
                                                          "99%", "|", "req/s", "failures/s"}));
    // The median's bucket midpoint: 20 ms lies in [19.968, 20.224) ms.
    EXPECT_EQ(words_of(lines[2]),
              (std::vector<std::string>{"GET", "/a", "3", "1(33.33%)", "|", "20.0", "10.0", "30.0",
                                        "20.1", "30.0", "30.0", "|", "3.00", "1.00"}));
    EXPECT_EQ(words_of(lines[3]),
              (std::vector<std::string>{"POST", "/b", "1", "0(0.00%)", "|", "6.00", "6.00", "6.00",
                                        "6.00", "6.00", "6.00", "|", "1.00", "0.00"}));
    EXPECT_EQ(words_of(lines[5]),
              (std::vector<std::string>{"Aggregated", "4", "1(25.00%)", "|", "16.5", "6.00", "30.0",
                                        "10.0", "30.0", "30.0", "|", "4.00", "1.00"}));
    EXPECT_EQ(lines[5].substr(0, 9), std::string(9, ' '));  // empty Type
    expect_at(lines[2], right_edge(header, "# reqs"), "3");
    expect_at(lines[2], right_edge(header, "# fails"), "1(33.33%)");
    expect_at(lines[2], right_edge(header, "Avg"), "20.0");
    expect_at(lines[2], right_edge(header, "Med"), "20.1");
    expect_at(lines[2], right_edge(header, "99%"), "30.0");
    expect_at(lines[5], right_edge(header, "req/s"), "4.00");
    expect_at(lines[5], right_edge(header, "failures/s"), "1.00");
    EXPECT_EQ(lines[1].size(), 120u);
    EXPECT_EQ(lines[1].substr(0, 10), "--------|-");
    EXPECT_EQ(lines[1], lines[4]);
}

TEST(console_test, final_table_shows_rates_over_the_whole_run) {
    run_stats run = known_run(false);
    run.tick(at_ms(3000), wall0_ms + 3000, 10);  // two idle seconds
    run.stop(at_ms(4000), wall0_ms + 4000);
    const std::vector<std::string> lines = lines_of(stats_table(run, rate_basis::total));
    const std::vector<std::string> agg = words_of(lines[5]);
    EXPECT_EQ(agg[agg.size() - 2], "1.00");  // 4 requests in 4 s
    EXPECT_EQ(agg.back(), "0.25");
    const std::vector<std::string> live =
        words_of(lines_of(stats_table(run, rate_basis::current))[5]);
    EXPECT_EQ(live[live.size() - 2], "0.00");  // the last 3 s were idle
}

TEST(console_test, long_names_are_shortened_to_fit_the_width) {
    run_stats run(t0, wall0_ms);
    const std::string name = "/api/v1/" + std::string(150, 'x') + "/item/42";
    run.apply("w1", delta_of("GET", name, {1000}), at_ms(100));
    for (std::size_t width : {120u, 160u}) {
        console_options options;
        options.width = width;
        for (const std::string& line : lines_of(stats_table(run, rate_basis::current, options))) {
            EXPECT_LE(line.size(), width) << line;
        }
        const std::string row = lines_of(stats_table(run, rate_basis::current, options))[2];
        const std::vector<std::string> w = words_of(row);
        EXPECT_EQ(w[1].size(), width - 95);
        EXPECT_EQ(w[1].substr(0, 8), "/api/v1/");
        EXPECT_NE(w[1].find("..."), std::string::npos);
        EXPECT_EQ(w[1].substr(w[1].size() - 8), "/item/42");
        EXPECT_EQ(w[2], "1");
    }
    console_options narrow;
    narrow.width = 60;  // too narrow: the name keeps a minimum of 10 columns
    EXPECT_EQ(words_of(lines_of(stats_table(run, rate_basis::current, narrow))[2])[1].size(), 10u);
}

TEST(console_test, fit_width_cuts_whole_utf8_characters) {
    EXPECT_EQ(fit_width("/short", 10), "/short");
    EXPECT_EQ(fit_width("abcdefghijkl", 9), "abc...jkl");
    EXPECT_EQ(fit_width("abcdefghijkl", 10), "abcd...jkl");
    EXPECT_EQ(fit_width("abcdef", 2), "ab");
    // Eight 2-byte characters into 7 columns: 2 + "..." + 2 characters.
    EXPECT_EQ(fit_width("éééééééé", 7), "éé...éé");
    EXPECT_EQ(fit_width("éééé", 4), "éééé");
}

TEST(console_test, format_ms_keeps_decimals_where_they_matter) {
    EXPECT_EQ(format_ms(420), "0.42");
    EXPECT_EQ(format_ms(9'990), "9.99");
    EXPECT_EQ(format_ms(12'500), "12.5");
    EXPECT_EQ(format_ms(99'940), "99.9");
    EXPECT_EQ(format_ms(1'234'400), "1234");
}

TEST(console_test, percentile_table_lists_locust_percentiles) {
    const std::vector<std::string> lines = lines_of(percentile_table(known_run(false)));
    ASSERT_EQ(lines.size(), 7u);
    EXPECT_EQ(lines[0], "Response time percentiles (approximated)");
    EXPECT_EQ(words_of(lines[1]),
              (std::vector<std::string>{"Type", "Name", "50%", "66%", "75%", "80%", "90%", "95%",
                                        "98%", "99%", "99.9%", "99.99%", "100%", "#", "reqs"}));
    EXPECT_EQ(words_of(lines[3]),
              (std::vector<std::string>{"GET", "/a", "20.1", "20.1", "30.0", "30.0", "30.0", "30.0",
                                        "30.0", "30.0", "30.0", "30.0", "30.0", "3"}));
    EXPECT_EQ(words_of(lines[6])[0], "Aggregated");
    EXPECT_EQ(words_of(lines[6]).back(), "4");
    expect_at(lines[3], right_edge(lines[1], "50%"), "20.1");
    expect_at(lines[3], right_edge(lines[1], "100%"), "30.0");
    expect_at(lines[6], right_edge(lines[1], "# reqs"), "4");
    EXPECT_EQ(lines[2].size(), 120u);
}

TEST(console_test, error_report_lists_occurrences_and_request) {
    const std::vector<std::string> lines = lines_of(error_report(known_run(false)));
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(lines[0], "Error report");
    EXPECT_EQ(words_of(lines[1]), (std::vector<std::string>{"#", "occurrences", "Error"}));
    EXPECT_EQ(lines[2].substr(0, 20), std::string(18, '-') + "|-");
    EXPECT_EQ(lines[3], "1                  GET /a: HTTP 500");
    EXPECT_EQ(error_report(run_stats(t0, wall0_ms)), "");
}

TEST(console_test, final_summary_has_all_three_parts) {
    const std::string s = final_summary(known_run(false));
    EXPECT_NE(s.find("Aggregated"), std::string::npos);
    EXPECT_NE(s.find("Response time percentiles (approximated)"), std::string::npos);
    EXPECT_NE(s.find("Error report"), std::string::npos);
}

TEST(console_test, spawn_progress_line) {
    EXPECT_EQ(spawn_progress_line(340, 1000), "spawning 340/1000 users (34%)");
    EXPECT_EQ(spawn_progress_line(1000, 1000), "all 1000 users spawned");
    EXPECT_EQ(spawn_progress_line(700, 500), "stopping users: 700 running, target 500");
}

gates::threshold_verdict verdict(std::string expression, gates::verdict_status status,
                                 std::string value_text) {
    gates::threshold_verdict v;
    v.expression = std::move(expression);
    v.status = status;
    v.value_text = std::move(value_text);
    return v;
}

TEST(console_test, thresholds_block_has_a_line_per_verdict_with_its_value) {
    auto aborted = verdict("fail_ratio < 1%", gates::verdict_status::failing, "2.3 %");
    aborted.aborted = true;
    aborted.abort_on_fail = true;
    auto pending = verdict("p99(GET /) < 500ms", gates::verdict_status::pending, "");
    pending.delay = std::chrono::seconds(30);
    const std::vector<std::string> lines = lines_of(thresholds_block(
        {verdict("p95(GET /about) < 200ms", gates::verdict_status::passing, "183.2 ms"), aborted,
         pending}));
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0], "Thresholds: 1 passing, 1 failing, 1 pending");
    // The values start in one column: after the longest expression and two blanks.
    EXPECT_EQ(lines[1], "\u2713 p95(GET /about) < 200ms  183.2 ms");
    EXPECT_EQ(lines[2], "\u2717 fail_ratio < 1%          2.3 %  (aborted)");
    EXPECT_EQ(lines[3], "\u2026 p99(GET /) < 500ms       pending (delay 30s)");
}

TEST(console_test, thresholds_block_is_empty_without_thresholds) {
    EXPECT_EQ(thresholds_block({}), "");
}

TEST(console_test, thresholds_block_shows_the_detail_and_no_delay_once_final) {
    auto none = verdict("p95(GET /x) < 1s", gates::verdict_status::pending, "");
    none.delay = std::chrono::seconds(5);
    none.final = true;
    none.detail = "no requests\nmatched";  // a newline would break the block's lines
    auto failing = verdict("rps > 100", gates::verdict_status::failing, "");
    const std::vector<std::string> lines = lines_of(thresholds_block({none, failing}));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0], "Thresholds: 0 passing, 1 failing, 1 pending");
    EXPECT_EQ(lines[1], "\u2026 p95(GET /x) < 1s  pending  (no requests matched)");
    EXPECT_EQ(lines[2], "\u2717 rps > 100         -");
}

TEST(console_test, thresholds_block_shortens_long_expressions_to_fit_the_width) {
    const std::string long_expression = "p95(GET /" + std::string(200, 'a') + ") < 200ms";
    const auto text = thresholds_block(
        {verdict(long_expression, gates::verdict_status::passing, "12.0 ms")}, {80});
    const std::vector<std::string> lines = lines_of(text);
    ASSERT_EQ(lines.size(), 2u);
    // mark (1 character, 3 bytes) + blank + 50 + two blanks + value.
    EXPECT_EQ(lines[1].size(), 3u + 1 + 50 + 2 + 7);
    EXPECT_EQ(lines[1].substr(lines[1].size() - 9), "  12.0 ms");
    EXPECT_NE(lines[1].find("..."), std::string::npos);
    EXPECT_NE(lines[1].find(") < 200ms"), std::string::npos);
}

}  // namespace
}  // namespace swarm::master::report
