// The last point of a run's history against a real `swarm target`: the run
// ends a few ms into its last second, whose final deltas each cover up to a
// whole second of their worker's time; its rate must be the steady rate, not
// those requests divided by the cut (run_stats.hpp, "The last second").
#include <gmock/gmock.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/run_support.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {
namespace {

double median_of(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

// The Requests/s column of the history CSV's rows, oldest first.
std::vector<double> csv_history_rates(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);  // header
    std::vector<double> rates;
    while (std::getline(in, line)) {
        std::vector<std::string> cells;
        std::stringstream row(line);
        for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
        if (cells.size() > 4 && cells[3] == "Aggregated") rates.push_back(std::stod(cells[4]));
    }
    return rates;
}

// requests * 1000 / duration_ms of the JSON result's history points.
std::vector<double> json_history_rates(const boost::json::value& result) {
    std::vector<double> rates;
    for (const auto& p : result.at("history").at("points").as_array()) {
        const auto ms = static_cast<double>(p.at("duration_ms").to_number<std::int64_t>());
        rates.push_back(static_cast<double>(p.at("requests").to_number<std::int64_t>()) * 1000.0 /
                        std::max(ms, 1.0));
    }
    return rates;
}

// The HTML report's chart data: the object the page assigns to
// window.SWARM_REPORT, and in it the points report.js draws its
// "Requests per second" chart from (hello.history[].rps, as col("rps")).
std::vector<double> report_chart_rates(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    const std::string page{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const std::string marker = "window.SWARM_REPORT = ";
    const auto at = page.find(marker);
    if (at == std::string::npos) {
        ADD_FAILURE() << "no " << marker << "in " << path;
        return {};
    }
    // The JSON text ends where the parser stops ("<\/" is a JSON escape).
    boost::json::parser parser;
    boost::system::error_code ec;
    parser.write_some(std::string_view(page).substr(at + marker.size()), ec);
    if (ec) {
        ADD_FAILURE() << "the report's data is not JSON: " << ec.message();
        return {};
    }
    const boost::json::value data = parser.release();
    std::vector<double> rates;
    for (const auto& p : data.at("hello").at("history").as_array())
        rates.push_back(p.at("rps").to_number<double>());
    return rates;
}

TEST(history_rate_test, the_last_second_of_a_run_shows_the_steady_rate) {
    auto target = start_target();
    const auto prefix = ::testing::TempDir() + "/last_second";
    const auto path = write_scenario(
        "steady.yaml", "users: {U: {wait: {constant: 20ms}, tasks: {t: {get: /}}}}\n");
    const auto run = run_swarm(path, {"-H", target.url, "-u", "10", "-r", "100", "-t", "4s",
                                      "--csv", prefix, "--html", prefix + "_report.html"});
    ASSERT_EQ(run.exit_code, 0) << run.output;

    const std::vector<double> csv = csv_history_rates(prefix + "_stats_history.csv");
    ASSERT_GE(csv.size(), 4u);
    const double csv_steady = median_of({csv.begin(), csv.end() - 1});
    EXPECT_GT(csv_steady, 100.0);  // 10 users, one request per ~20 ms each
    EXPECT_LE(csv.back(), 1.2 * csv_steady) << "the history CSV's last Requests/s";
    EXPECT_GE(csv.back(), 0.8 * csv_steady) << "the history CSV's last Requests/s";

    const std::vector<double> json = json_history_rates(run.result);
    ASSERT_EQ(json.size(), csv.size());
    const double json_steady = median_of({json.begin(), json.end() - 1});
    EXPECT_LE(json.back(), 1.2 * json_steady) << "the JSON result's last history point";
    EXPECT_GE(json.back(), 0.8 * json_steady) << "the JSON result's last history point";

    // The report's chart: the same points, the last one at the steady rate.
    const std::vector<double> chart = report_chart_rates(prefix + "_report.html");
    ASSERT_EQ(chart.size(), csv.size());
    const double chart_steady = median_of({chart.begin(), chart.end() - 1});
    EXPECT_GT(chart_steady, 100.0);
    EXPECT_LE(chart.back(), 1.2 * chart_steady) << "the HTML report chart's last point";
    EXPECT_GE(chart.back(), 0.8 * chart_steady) << "the HTML report chart's last point";
}

}  // namespace
}  // namespace swarm::test
