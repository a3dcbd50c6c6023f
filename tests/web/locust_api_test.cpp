// Locust's API as swarm serves it, against `swarm target` (issue 15): numbers
// never in exponent notation anywhere in the REST API and the WebSocket,
// Locust's key names and int/float types in /stats/requests, safe_name
// escaped as Locust does, /tasks from the scenario's weights, /exceptions,
// POST /swarm right after GET /stop, Locust's download names, /stats/reset's
// answer, the full-history CSV's per-name rows, and --csv-full-history.
// (tests/web/locust_compat_test.cpp compares all this with Locust itself.)
#include <gmock/gmock.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <regex>
#include <sstream>

#include "master/web/json_text.hpp"
#include "tests/integration/run_support.hpp"
#include "tests/support/files.hpp"
#include "tests/web/web_support.hpp"

namespace swarm::test {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
namespace json = boost::json;
using namespace std::chrono_literals;

// Two classes 3:1; names with html's special characters.
std::string two_class_scenario() {
    return write_scenario("locust_api", R"y(
users:
  Reader:
    weight: 3
    wait: {constant: 20ms}
    tasks:
      home: {weight: 1, get: /, name: "home <&> page"}
      about: {weight: 1, get: /about, name: about}
  Writer:
    weight: 1
    wait: {constant: 20ms}
    tasks:
      post: {get: /, name: post}
)y");
}

// A number token written with an exponent ("0E0", "6.25e-1") outside strings.
std::string exponent_in(const std::string& text) {
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        if ((c == 'e' || c == 'E') && i > 0 &&
            (std::isdigit(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '.'))
            return text.substr(i > 10 ? i - 10 : 0, 20);
    }
    return "";
}

const json::object& entry(const json::value& doc, const std::string& name) {
    for (const auto& e : doc.at("stats").as_array())
        if (e.at("name").as_string() == name) return e.as_object();
    throw std::runtime_error("no entry " + name);
}

class locust_api_test : public ::testing::Test {
  protected:
    void SetUp() override { start({}); }

    void start(const std::vector<std::string>& extra_args) {
        target_ = start_target({"--threads", "1"});
        std::vector<std::string> args{"-H", target_.url};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        ui_ = start_ui(two_class_scenario(), args);
        client_ = std::make_unique<http_client>(ui_.origin);
        poll_json(
            *client_, "/readyz",
            [](const json::value& d) { return d.is_object() && d.at("ready").as_bool(); }, 20s);
    }

    http_response post(const std::string& target, const std::string& body) {
        return client_->request(
            {"POST", target, body, "application/x-www-form-urlencoded", "", {}});
    }

    json::value run_until(std::int64_t requests) {
        const auto r = post("/swarm", "user_count=4&spawn_rate=50");
        EXPECT_EQ(r.status, 200) << r.body;
        return poll_json(
            *client_, "/stats/requests",
            [&](const json::value& d) {
                return aggregated(d).at("num_requests").to_number<std::int64_t>() >= requests &&
                       !d.at("current_response_time_percentile_50").is_null();
            },
            20s);
    }

    running_target target_;
    running_ui ui_;
    std::unique_ptr<http_client> client_;
};

TEST(json_text, doubles_are_fixed_decimals_with_a_point_and_never_exponents) {
    using master::web::json_number;
    EXPECT_EQ(json_number(0.0), "0.0");
    EXPECT_EQ(json_number(-0.0), "0.0");
    EXPECT_EQ(json_number(0.625), "0.625");
    EXPECT_EQ(json_number(1234.0), "1234.0");
    EXPECT_EQ(json_number(1e-7), "0.0000001");
    EXPECT_EQ(json_number(1e21), "1000000000000000000000.0");
    EXPECT_EQ(json_number(1.0 / 3.0), "0.3333333333333333");
    EXPECT_EQ(json_number(std::numeric_limits<double>::quiet_NaN()), "null");
    EXPECT_EQ(json_number(std::numeric_limits<double>::infinity()), "null");
    const json::value v = {{"a", 0.0}, {"b", json::array{1, 2.5, "x\"y"}}, {"c", nullptr}};
    EXPECT_EQ(master::web::json_text(v), R"({"a":0.0,"b":[1,2.5,"x\"y"],"c":null})");
    EXPECT_EQ(master::web::json_text(v),
              master::web::json_text(json::parse(master::web::json_text(v))));
}

TEST_F(locust_api_test,
       no_rest_or_websocket_json_has_an_exponent_and_locusts_keys_are_typed_as_locust) {
    const auto started = run_until(60);
    std::map<std::string, std::string> bodies;
    for (const char* target :
         {"/stats/requests", "/workers", "/thresholds", "/tasks", "/exceptions", "/readyz",
          "/healthz", "/stats/result.json", "/stats/entry_history?method=GET&name=about",
          "/no/such/path", "/stats/entry_history?method=GET"}) {
        bodies[target] = client_->get(target).body;
    }
    bodies["POST /swarm (400)"] = post("/swarm", "user_count=x").body;
    const auto port = ui_.origin.substr(ui_.origin.rfind(':') + 1);
    ws_client ws("127.0.0.1", port, "/ws");
    bodies["ws hello"] = ws.read();
    bodies["ws snapshot"] = ws.read();
    bodies["GET /stop"] = client_->get("/stop").body;
    for (const auto& [what, body] : bodies) {
        EXPECT_FALSE(body.empty()) << what;
        EXPECT_EQ(exponent_in(body), "") << what << ": " << body.substr(0, 300);
        EXPECT_TRUE(json_of(http_response{200, {}, body}).is_object() || what.rfind("ws", 0) == 0)
            << what;
    }
    // Zero floats as Python writes them, where Boost.JSON wrote 0E0.
    EXPECT_THAT(bodies["/stats/requests"], HasSubstr("\"fail_ratio\":0.0,"));
    EXPECT_THAT(bodies["/stats/requests"], HasSubstr("\"current_fail_per_sec\":0.0,"));

    const auto doc = json::parse(bodies["/stats/requests"]);
    for (const auto& e : doc.at("stats").as_array()) {
        const auto& o = e.as_object();
        for (const char* k : {"median_response_time", "ninetieth_response_time",
                              "ninety_ninth_response_time", "num_requests", "num_failures"})
            EXPECT_TRUE(o.at(k).is_int64() || o.at(k).is_uint64()) << k;
        for (const char* k :
             {"avg_response_time", "min_response_time", "max_response_time", "current_rps",
              "current_fail_per_sec", "avg_content_length", "median_response_time_precise"})
            EXPECT_TRUE(o.at(k).is_double()) << k;
        // Whole ms of the precise figures, rounded half up.
        const double p99 = o.at("response_time_percentile_0.99").as_double();
        EXPECT_EQ(o.at("ninety_ninth_response_time").to_number<std::int64_t>(), std::llround(p99));
        const double median = o.at("median_response_time_precise").as_double();
        EXPECT_EQ(o.at("median_response_time").to_number<std::int64_t>(), std::llround(median));
    }
    EXPECT_EQ(entry(doc, "home <&> page").at("safe_name").as_string(), "home &lt;&amp;&gt; page");
    EXPECT_EQ(entry(doc, "about").at("safe_name").as_string(), "about");
    EXPECT_TRUE(doc.at("current_response_time_percentile_50").is_int64());
    EXPECT_TRUE(doc.at("current_response_time_percentile_95").is_int64());
    const auto& current = doc.at("current_response_time_percentiles").as_object();
    EXPECT_EQ(current.at("response_time_percentile_0.5"),
              doc.at("current_response_time_percentile_50"));
    EXPECT_EQ(current.at("response_time_percentile_0.95"),
              doc.at("current_response_time_percentile_95"));
    EXPECT_GE(doc.at("current_response_time_percentile_95").as_int64(),
              doc.at("current_response_time_percentile_50").as_int64());
    EXPECT_GE(aggregated(started).at("num_requests").to_number<std::int64_t>(), 60);
}

TEST_F(locust_api_test, tasks_and_exceptions_have_locusts_shapes) {
    const auto tasks = json_of(client_->get("/tasks"));
    const auto& per_class = tasks.at("per_class");
    EXPECT_DOUBLE_EQ(per_class.at("Reader").at("ratio").as_double(), 0.75);
    EXPECT_DOUBLE_EQ(per_class.at("Writer").at("ratio").as_double(), 0.25);
    EXPECT_DOUBLE_EQ(per_class.at("Reader").at("tasks").at("home").at("ratio").as_double(), 0.5);
    EXPECT_DOUBLE_EQ(per_class.at("Writer").at("tasks").at("post").at("ratio").as_double(), 1.0);
    const auto& total = tasks.at("total");
    EXPECT_DOUBLE_EQ(total.at("Reader").at("tasks").at("home").at("ratio").as_double(), 0.375);
    EXPECT_DOUBLE_EQ(total.at("Reader").at("tasks").at("about").at("ratio").as_double(), 0.375);
    EXPECT_DOUBLE_EQ(total.at("Writer").at("tasks").at("post").at("ratio").as_double(), 0.25);

    EXPECT_EQ(json::serialize(json_of(client_->get("/exceptions"))), R"({"exceptions":[]})");
    const auto csv = client_->get("/exceptions/csv");
    EXPECT_EQ(csv.status, 200);
    EXPECT_EQ(csv.body, "Count,Message,Traceback,Nodes\r\n");
    EXPECT_THAT(csv.header("Content-Disposition"),
                MatchesRegex("attachment;filename=exceptions_[0-9]+(\\.[0-9]+)?\\.csv"));
}

TEST_F(locust_api_test, a_start_right_after_stop_starts_and_downloads_and_reset_answer_as_locust) {
    run_until(20);
    ASSERT_EQ(client_->get("/stop").status, 200);
    const auto again = post("/swarm", "user_count=2&spawn_rate=50");  // at once, "stopping"
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(json_of(again).at("message").as_string(), "Swarming started");
    auto doc = poll_json(
        *client_, "/stats/requests",
        [](const json::value& d) {
            return d.at("state").as_string() == "running" && d.at("user_count").as_int64() == 2;
        },
        10s);
    EXPECT_EQ(doc.at("tests_started").to_number<std::int64_t>(), 2);
    EXPECT_EQ(doc.at("state").as_string(), "running");

    const auto report = client_->get("/stats/report?download=1");
    EXPECT_EQ(report.status, 200);
    EXPECT_THAT(report.header("Content-Disposition"),
                MatchesRegex("attachment;filename=report_[0-9]+(\\.[0-9]+)?\\.html"));
    EXPECT_EQ(client_->get("/stats/report").header("Content-Disposition"), "");
    EXPECT_THAT(client_->get("/stats/requests/csv").header("Content-Disposition"),
                MatchesRegex("attachment;filename=requests_[0-9]+(\\.[0-9]+)?\\.csv"));

    const auto reset = client_->get("/stats/reset");
    EXPECT_EQ(reset.status, 200);
    EXPECT_EQ(reset.body, "ok");
    EXPECT_THAT(reset.header("Content-Type"), ::testing::StartsWith("text/html"));
    stop_and_wait(*client_);
}

// A start queued behind a stop (GET /stop, then POST /swarm at once) used to
// run within the same pump as the stop's end: the UI mode never saw the first
// test stopped, so its --json result was never written and its verdicts were
// reset unrecorded. The test's end is now a callback from the core.
TEST(locust_api_ui, a_start_queued_behind_a_stop_still_records_the_first_test) {
    const auto target = start_target({"--threads", "1"});
    const auto result_path =
        ::testing::TempDir() + "/queued_start_" + std::to_string(::getpid()) + ".json";
    std::remove(result_path.c_str());
    const auto ui = start_ui(two_class_scenario(), {"-H", target.url, "--json", result_path});
    http_client client(ui.origin);
    poll_json(
        client, "/readyz",
        [](const json::value& d) { return d.is_object() && d.at("ready").as_bool(); }, 20s);
    const auto form = [&](const std::string& body) {
        return client.request(
            {"POST", "/swarm", body, "application/x-www-form-urlencoded", "", {}});
    };
    ASSERT_EQ(form("user_count=4&spawn_rate=50").status, 200);
    poll_json(
        client, "/stats/requests",
        [](const json::value& d) {
            return aggregated(d).at("num_requests").to_number<std::int64_t>() >= 20;
        },
        20s);
    ASSERT_EQ(client.get("/stop").status, 200);
    const auto again = form("user_count=2&spawn_rate=50");
    ASSERT_EQ(again.status, 200) << again.body;
    poll_json(
        client, "/stats/requests",
        [](const json::value& d) { return d.at("tests_started").to_number<std::int64_t>() == 2; },
        10s);
    // The first test's result, written when it ended (before the second began).
    const auto first = read_json_file(result_path);
    ASSERT_TRUE(first.is_object()) << "no --json result for the first test";
    EXPECT_EQ(first.at("run").at("stop_reason").as_string(), "stopped");
    EXPECT_GE(first.at("total").at("requests").to_number<std::int64_t>(), 20);
    stop_and_wait(client);
    std::remove(result_path.c_str());
}

// The master started with --csv-full-history: the UI's download serves its file.
class locust_full_history_test : public locust_api_test {
  protected:
    void SetUp() override {
        prefix_ = ::testing::TempDir() + "/ui_full_history_" + std::to_string(::getpid());
        start({"--csv", prefix_, "--csv-full-history"});
    }
    void TearDown() override {
        for (const char* f : {"_stats.csv", "_stats_history.csv", "_failures.csv", "_classes.csv"})
            std::remove((prefix_ + f).c_str());
    }
    std::string prefix_;
};

std::vector<std::vector<std::string>> csv_rows(const std::string& body) {
    std::istringstream in(body);
    std::string line;
    std::vector<std::vector<std::string>> rows;
    while (std::getline(in, line)) {
        std::vector<std::string> cells{""};
        for (char c : line) {
            if (c == ',') cells.emplace_back();
            else if (c != '\r') cells.back().push_back(c);
        }
        rows.push_back(std::move(cells));
    }
    return rows;
}

// Every second has a row per name, then Aggregated, every column a number:
// the names' percentiles that second, their totals the stats table's, which
// the target saw.
TEST_F(locust_full_history_test, download_has_a_full_row_per_name_and_second) {
    run_until(100);
    std::this_thread::sleep_for(1500ms);  // a few closed seconds
    stop_and_wait(*client_);
    const auto body = client_->get("/stats/requests_full_history/csv").body;
    const auto rows = csv_rows(body);
    ASSERT_GE(rows.size(), 2u);
    std::map<std::string, std::vector<std::string>> names_by_second;
    std::map<std::string, std::vector<std::string>> last;  // name -> its last row
    const std::regex whole("[0-9]+");
    const std::regex python_float("[0-9]+\\.[0-9]+");
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const auto& cells = rows[i];
        ASSERT_EQ(cells.size(), 26u) << body;
        names_by_second[cells[0]].push_back(cells[3]);
        last[cells[3]] = cells;
    }
    ASSERT_GE(names_by_second.size(), 3u);
    const std::vector<std::string> full{"about", "home <&> page", "post", "Aggregated"};
    EXPECT_EQ(names_by_second.rbegin()->second, full);
    // A name's row in a second it had requests in: every column a number.
    bool busy_row = false;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const auto& cells = rows[i];
        if (cells[3] == "Aggregated" || cells[4] == "0.000000") continue;
        busy_row = true;
        for (std::size_t c = 6; c <= 19; ++c)
            EXPECT_TRUE(std::regex_match(cells[c], whole)) << c << ": " << cells[c];
        for (std::size_t c = 20; c <= 23; ++c)
            EXPECT_TRUE(std::regex_match(cells[c], python_float)) << c << ": " << cells[c];
        // Percentiles rise with the rank.
        for (std::size_t c = 7; c <= 16; ++c)
            EXPECT_LE(std::stoll(cells[c - 1]), std::stoll(cells[c]));
    }
    EXPECT_TRUE(busy_row);
    // The last rows' totals are the stats table's.
    const auto stats = client_->get("/stats/requests");
    const auto doc = json::parse(stats.body);
    for (const auto& e : doc.at("stats").as_array()) {
        const std::string name(e.at("name").as_string());
        ASSERT_TRUE(last.count(name)) << name;
        EXPECT_EQ(std::stoll(last[name][17]), e.at("num_requests").to_number<std::int64_t>())
            << name;
        EXPECT_EQ(std::stoll(last[name][18]), e.at("num_failures").to_number<std::int64_t>())
            << name;
        EXPECT_NEAR(std::stod(last[name][21]), e.at("min_response_time").to_number<double>(), 0.001)
            << name;
        EXPECT_NEAR(std::stod(last[name][22]), e.at("max_response_time").to_number<double>(), 0.001)
            << name;
    }
    EXPECT_EQ(std::stoll(last["about"][17]) + std::stoll(last["home <&> page"][17]) +
                  std::stoll(last["post"][17]),
              std::stoll(last["Aggregated"][17]));
    EXPECT_EQ(std::stoll(last["Aggregated"][17]), read_target_stats(target_.url).total);
    // The download is the file --csv-full-history writes.
    EXPECT_EQ(body, read_whole_file(prefix_ + "_stats_history.csv"));
}

// Without --csv-full-history the download is the Aggregated rows the
// history keeps (Locust: 404), so the UI's link always works.
TEST_F(locust_api_test, full_history_download_without_the_option_has_aggregated_rows) {
    run_until(50);
    std::this_thread::sleep_for(1500ms);
    stop_and_wait(*client_);
    const auto r = client_->get("/stats/requests_full_history/csv");
    EXPECT_EQ(r.status, 200);
    const auto rows = csv_rows(r.body);
    ASSERT_GE(rows.size(), 2u);
    for (std::size_t i = 1; i < rows.size(); ++i) EXPECT_EQ(rows[i].at(3), "Aggregated");
}

TEST(locust_api_cli, csv_full_history_writes_name_rows_and_needs_csv) {
    auto target = start_target({"--threads", "1"});
    const auto prefix = ::testing::TempDir() + "/full_history_" + std::to_string(::getpid());
    const auto run =
        run_swarm(two_class_scenario(), {"-u", "4", "-r", "50", "-t", "2s", "-H", target.url,
                                         "--csv", prefix, "--csv-full-history"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const auto history = read_whole_file(prefix + "_stats_history.csv");
    EXPECT_THAT(history, HasSubstr(",GET,about,"));
    EXPECT_THAT(history, HasSubstr(",GET,post,"));
    EXPECT_THAT(history, HasSubstr(",,Aggregated,"));
    const auto bad = run_swarm(two_class_scenario(),
                               {"-u", "1", "-t", "1s", "-H", target.url, "--csv-full-history"});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_THAT(bad.output, HasSubstr("--csv-full-history needs --csv PREFIX"));
}

}  // namespace
}  // namespace swarm::test
