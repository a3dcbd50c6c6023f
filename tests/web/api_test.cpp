// The REST API of `swarm run`'s web UI against `swarm target`: every endpoint,
// its status codes and JSON shape, the CSVs from the same writers as --csv,
// and a test started and stopped over REST whose counts equal the target's.
#include <gmock/gmock.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <csignal>
#include <fstream>
#include <set>
#include <thread>

#include "master/report/csv.hpp"
#include "master/web/stats_json.hpp"
#include "tests/integration/run_support.hpp"
#include "tests/support/files.hpp"
#include "tests/web/web_support.hpp"

namespace swarm::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
namespace json = boost::json;
using namespace std::chrono_literals;

std::string header_line(const std::vector<std::string>& columns) {
    std::string out;
    for (const auto& c : columns) out += (out.empty() ? "" : ",") + master::report::csv_field(c);
    return out + "\r\n";
}

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n') + 1);
}

class web_api_test : public ::testing::Test {
  protected:
    void SetUp() override {
        target_ = start_target({"--threads", "1"});
        ui_ = start_ui(simple_scenario(), {"-H", target_.url});
        client_ = std::make_unique<http_client>(ui_.origin);
        // Ready once the in-process worker joined.
        const auto ready = poll_json(
            *client_, "/readyz",
            [](const json::value& d) { return d.is_object() && d.at("ready").as_bool(); }, 20s);
        ASSERT_TRUE(ready.at("ready").as_bool()) << json::serialize(ready);
    }

    http_response post(const std::string& target, const std::string& body,
                       const std::string& type = "application/x-www-form-urlencoded") {
        return client_->request({"POST", target, body, type, "", {}});
    }

    // Starts `users` over REST and waits until they sent at least `requests` requests.
    void run_until(int users, std::int64_t requests) {
        const auto r = post("/swarm", "user_count=" + std::to_string(users) + "&spawn_rate=50");
        ASSERT_EQ(r.status, 200) << r.body;
        const auto doc = poll_json(
            *client_, "/stats/requests",
            [&](const json::value& d) {
                return aggregated(d).at("num_requests").to_number<std::int64_t>() >= requests;
            },
            20s);
        ASSERT_GE(aggregated(doc).at("num_requests").to_number<std::int64_t>(), requests);
    }

    json::value stop_and_wait() { return test::stop_and_wait(*client_); }

    running_target target_;
    running_ui ui_;
    std::unique_ptr<http_client> client_;
};

TEST_F(web_api_test, a_test_started_and_stopped_over_rest_counts_what_the_target_saw) {
    EXPECT_EQ(json_of(client_->get("/stats/requests")).at("state").as_string(), "ready");
    run_until(4, 100);
    const auto doc = stop_and_wait();
    ASSERT_EQ(doc.at("state").as_string(), "stopped") << json::serialize(doc);
    const auto seen = read_target_stats(target_.url);
    EXPECT_EQ(aggregated(doc).at("num_requests").to_number<std::int64_t>(), seen.total);
    std::int64_t named = 0;
    for (const auto& e : doc.at("stats").as_array()) {
        if (e.at("name").as_string() == "home")
            named += e.at("num_requests").to_number<std::int64_t>();
    }
    EXPECT_EQ(named, seen.requests.at("GET /"));
    // Stopped: nothing is sent now, and the test's average is there instead.
    EXPECT_EQ(doc.at("total_rps").to_number<double>(), 0.0);
    EXPECT_EQ(aggregated(doc).at("current_rps").to_number<double>(), 0.0);
    EXPECT_GT(doc.at("average_rps").to_number<double>(), 0.0);
}

TEST_F(web_api_test, stats_requests_has_locusts_shape_with_aggregated_last) {
    run_until(2, 20);
    const auto doc = json_of(client_->get("/stats/requests"));
    stop_and_wait();
    ASSERT_TRUE(doc.is_object());
    for (const char* key :
         {"stats", "errors", "total_rps", "fail_ratio", "user_count", "state", "workers"}) {
        EXPECT_TRUE(doc.as_object().contains(key)) << key;
    }
    const auto& stats = doc.at("stats").as_array();
    ASSERT_EQ(stats.size(), 3u);  // about, home, Aggregated
    EXPECT_EQ(stats[0].at("name").as_string(), "about");
    EXPECT_EQ(stats[1].at("name").as_string(), "home");
    EXPECT_EQ(stats[2].at("name").as_string(), "Aggregated");
    for (const char* key :
         {"method", "name", "num_requests", "num_failures", "median_response_time",
          "avg_response_time", "min_response_time", "max_response_time", "current_rps",
          "current_fail_per_sec", "avg_content_length", "response_time_percentile_0.5",
          "response_time_percentile_0.95", "response_time_percentile_0.99"}) {
        EXPECT_TRUE(stats[1].as_object().contains(key)) << key;
    }
    EXPECT_EQ(stats[1].at("method").as_string(), "GET");
    EXPECT_EQ(stats[0].at("num_requests").to_number<std::int64_t>() +
                  stats[1].at("num_requests").to_number<std::int64_t>(),
              stats[2].at("num_requests").to_number<std::int64_t>());
    const auto& workers = doc.at("workers").as_array();
    ASSERT_EQ(workers.size(), 1u);
    EXPECT_EQ(workers[0].at("id").as_string(), "local");
    EXPECT_EQ(doc.at("user_count").to_number<std::int64_t>(), 2);
    // Losses, as in the JSON result (issue 12): none in a clean run.
    ASSERT_TRUE(doc.as_object().contains("workers_lost"));
    EXPECT_TRUE(doc.at("workers_lost").as_array().empty());
    EXPECT_EQ(doc.at("lost_reports").to_number<std::int64_t>(), 0);
}

TEST_F(web_api_test, csv_endpoints_serve_the_same_writers_as_csv_option) {
    run_until(2, 20);
    stop_and_wait();
    const auto stats = client_->get("/stats/requests/csv");
    EXPECT_EQ(stats.status, 200);
    EXPECT_THAT(stats.header("Content-Type"), StartsWith("text/csv"));
    EXPECT_THAT(stats.header("Content-Disposition"), HasSubstr("attachment"));
    EXPECT_EQ(first_line(stats.body), header_line(master::report::stats_csv_columns()));
    EXPECT_THAT(stats.body, HasSubstr("\r\nGET,home,"));
    EXPECT_THAT(stats.body, HasSubstr("\r\n,Aggregated,"));
    const auto history = client_->get("/stats/requests_full_history/csv");
    EXPECT_EQ(history.status, 200);
    EXPECT_EQ(first_line(history.body), header_line(master::report::stats_history_csv_columns()));
    const auto failures = client_->get("/stats/failures/csv");
    EXPECT_EQ(failures.status, 200);
    EXPECT_EQ(failures.body,
              header_line(master::report::failures_csv_columns()));  // nothing failed
}

TEST_F(web_api_test, reset_clears_the_counts) {
    run_until(2, 20);
    stop_and_wait();
    EXPECT_EQ(client_->get("/stats/reset").status, 200);
    const auto doc = poll_json(
        *client_, "/stats/requests",
        [](const json::value& d) {
            return aggregated(d).at("num_requests").to_number<std::int64_t>() == 0;
        },
        5s);
    EXPECT_EQ(aggregated(doc).at("num_requests").to_number<std::int64_t>(), 0);
}

// Locust's edit: POST /swarm without spawn_rate while running keeps the
// running test's rate; a new test without one gets the default (-r, 1).
TEST_F(web_api_test, an_edit_without_spawn_rate_keeps_the_running_rate) {
    run_until(2, 10);  // at 50 users/s
    const auto rate_of = [](const http_response& r) {
        return json::parse(r.body).at("spawn_rate").to_number<double>();
    };
    auto r = post("/swarm", "user_count=4");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(rate_of(r), 50);
    r = post("/swarm", R"({"user_count": 3})", "application/json");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(rate_of(r), 50);
    r = post("/swarm", "user_count=3&spawn_rate=7");
    EXPECT_EQ(rate_of(r), 7);
    r = post("/swarm", "user_count=2");
    EXPECT_EQ(rate_of(r), 7);
    stop_and_wait();
    r = post("/swarm", "user_count=1&run_time=1");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(rate_of(r), 1);
    stop_and_wait();
}

TEST_F(web_api_test, edit_while_running_changes_the_users_and_a_new_test_starts_after_stop) {
    run_until(2, 10);
    ASSERT_EQ(post("/swarm", "user_count=5&spawn_rate=50").status, 200);
    auto doc = poll_json(
        *client_, "/stats/requests",
        [](const json::value& d) { return d.at("user_count").to_number<std::int64_t>() == 5; },
        10s);
    EXPECT_EQ(doc.at("user_count").to_number<std::int64_t>(), 5);
    EXPECT_EQ(doc.at("tests_started").to_number<std::int64_t>(), 1);
    stop_and_wait();
    // JSON works too; a run_time ends the new test by itself.
    const auto r = post("/swarm", R"({"user_count": 1, "spawn_rate": 10, "run_time": "1s"})",
                        "application/json");
    ASSERT_EQ(r.status, 200) << r.body;
    doc = poll_json(
        *client_, "/stats/requests",
        [](const json::value& d) {
            return d.at("tests_started").to_number<std::int64_t>() == 2 &&
                   d.at("state").as_string() == "stopped";
        },
        20s);
    EXPECT_EQ(doc.at("state").as_string(), "stopped");
}

TEST_F(web_api_test, bad_start_forms_get_400_naming_the_field) {
    const std::pair<const char*, const char*> cases[] = {
        {"user_count=abc&spawn_rate=1", "user_count"}, {"user_count=-1&spawn_rate=1", "user_count"},
        {"user_count=1&spawn_rate=0", "spawn_rate"},   {"user_count=1&spawn_rate=x", "spawn_rate"},
        {"user_count=1&host=ftp://x", "host"},         {"user_count=1&run_time=soon", "run_time"},
    };
    for (const auto& [body, field] : cases) {
        const auto r = post("/swarm", body);
        EXPECT_EQ(r.status, 400) << body;
        EXPECT_THAT(json_of(r).at("message").as_string().c_str(),
                    StartsWith(std::string(field) + ":"))
            << body;
    }
    EXPECT_EQ(post("/swarm", "{not json", "application/json").status, 400);
    EXPECT_EQ(json_of(client_->get("/stats/requests")).at("state").as_string(),
              "ready");  // nothing started
}

TEST_F(web_api_test, a_float_user_count_as_locust_scripts_send_it_starts_that_many_users) {
    for (const char* body :
         {"user_count=2.5", "user_count=-2.0", "user_count=nan", "user_count=1e300"}) {
        const auto r = post("/swarm", body);
        EXPECT_EQ(r.status, 400) << body;
        EXPECT_THAT(json_of(r).at("message").as_string().c_str(),
                    StartsWith("user_count: expected a whole number from 0 to"))
            << body;
    }
    EXPECT_EQ(post("/swarm", R"({"user_count": 2.5})", "application/json").status, 400);
    const auto r = post("/swarm", R"({"user_count": 3.0, "spawn_rate": 50.0})", "application/json");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json_of(r).at("user_count").to_number<std::int64_t>(), 3);
    const auto doc = poll_json(
        *client_, "/stats/requests",
        [](const json::value& d) { return d.at("user_count").to_number<std::int64_t>() == 3; },
        10s);
    EXPECT_EQ(doc.at("user_count").to_number<std::int64_t>(), 3);
    EXPECT_EQ(doc.at("target_user_count").to_number<std::int64_t>(), 3);
    stop_and_wait();
}

TEST_F(web_api_test, entry_history_gives_one_names_seconds_for_its_chart) {
    run_until(2, 60);
    // Wait until a few seconds closed with requests of "home" in them.
    const auto doc = poll_json(
        *client_, "/stats/entry_history?method=GET&name=home",
        // Until "home" has a request the answer is a 404 with a message, no points.
        [](const json::value& d) {
            return d.is_object() && d.as_object().contains("points") &&
                   d.at("points").as_array().size() >= 2;
        },
        10s);
    const auto all = json_of(client_->get("/stats/requests"));
    stop_and_wait();
    ASSERT_TRUE(doc.is_object());
    EXPECT_EQ(doc.at("name").as_string(), "home");
    const auto& points = doc.at("points").as_array();
    ASSERT_GE(points.size(), 2u);
    std::int64_t requests = 0;
    std::int64_t previous_t = 0;
    for (const auto& p : points) {
        const auto t = p.at("t").to_number<std::int64_t>();
        EXPECT_GT(t, previous_t);
        previous_t = t;
        const auto n = p.at("requests").to_number<std::int64_t>();
        requests += n;
        if (n > 0) {
            EXPECT_GT(p.at("p99").to_number<double>(), 0);
            EXPECT_GE(p.at("p99").to_number<double>(), p.at("p50").to_number<double>());
        } else {
            EXPECT_TRUE(p.at("p50").is_null());
        }
    }
    EXPECT_GT(requests, 0);
    std::int64_t home = 0;
    for (const auto& e : all.at("stats").as_array()) {
        if (e.at("name").as_string() == "home")
            home = e.at("num_requests").to_number<std::int64_t>();
    }
    EXPECT_LE(requests, home);  // closed seconds only, read before /stats/requests
    // since=T: only the seconds after T.
    const auto t1 = points[points.size() - 2].at("t").to_number<std::int64_t>();
    const auto tail = json_of(
        client_->get("/stats/entry_history?method=GET&name=home&since=" + std::to_string(t1)));
    ASSERT_FALSE(tail.at("points").as_array().empty());
    for (const auto& p : tail.at("points").as_array())
        EXPECT_GT(p.at("t").to_number<std::int64_t>(), t1);
    EXPECT_EQ(client_->get("/stats/entry_history?method=GET&name=nothing").status, 404);
    EXPECT_EQ(client_->get("/stats/entry_history?method=GET").status, 400);
    EXPECT_EQ(client_->get("/stats/entry_history?name=home&since=yesterday").status, 400);
}

TEST_F(web_api_test, wrong_methods_unknown_paths_and_oversized_bodies_get_4xx) {
    const auto get_swarm = client_->get("/swarm");
    EXPECT_EQ(get_swarm.status, 405);
    EXPECT_EQ(get_swarm.header("Allow"), "POST");
    EXPECT_EQ(post("/stop", "").status, 405);
    EXPECT_EQ(post("/healthz", "").status, 405);
    EXPECT_EQ(client_->get("/no/such/page").status, 404);
    EXPECT_EQ(post("/swarm", std::string(100 * 1024, 'x')).status, 413);
    const auto port = ui_.origin.substr(ui_.origin.rfind(':') + 1);
    EXPECT_THAT(raw_exchange("127.0.0.1", port, "NOT HTTP AT ALL\r\n\r\n"),
                StartsWith("HTTP/1.1 400"));
    EXPECT_THAT(raw_exchange("127.0.0.1", port,
                             "GET / HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n"),
                StartsWith("HTTP/1.1 431"));
    http_client fresh(ui_.origin);
    EXPECT_EQ(fresh.get("/healthz").status, 200);  // still serving
}

TEST_F(web_api_test, pages_assets_workers_and_report_are_served) {
    const auto index = client_->get("/");
    EXPECT_EQ(index.status, 200);
    EXPECT_THAT(index.header("Content-Type"), StartsWith("text/html"));
    EXPECT_THAT(index.body, HasSubstr("app.js"));
    EXPECT_THAT(client_->get("/app.js").header("Content-Type"), StartsWith("text/javascript"));
    EXPECT_THAT(client_->get("/uPlot.iife.min.js").body, HasSubstr("uPlot"));
    EXPECT_EQ(client_->get("/report.js").status, 404);  // only inside the report
    const auto workers = json_of(client_->get("/workers"));
    ASSERT_EQ(workers.at("workers").as_array().size(), 1u);
    EXPECT_EQ(workers.at("workers").as_array()[0].at("state").as_string(), "ready");
    run_until(1, 5);
    stop_and_wait();
    const auto report = client_->get("/stats/report");
    EXPECT_EQ(report.status, 200);
    EXPECT_THAT(report.body, HasSubstr("window.SWARM_REPORT = {"));
    EXPECT_THAT(report.body, HasSubstr("\"name\":\"home\""));
    EXPECT_THAT(report.body, Not(HasSubstr("/*SWARM_")));  // every marker filled
    const auto result = json_of(client_->get("/stats/result.json"));
    EXPECT_EQ(result.at("format").as_string(), "swarm-result");
}

TEST_F(web_api_test, websocket_says_hello_with_history_then_pushes_a_snapshot_each_second) {
    run_until(2, 20);
    // A second of history closes 1.5 s into the run (run_stats.hpp).
    poll_json(
        *client_, "/stats/entry_history?method=GET&name=home",
        [](const json::value& d) {
            return d.is_object() && d.as_object().contains("points") &&
                   !d.at("points").as_array().empty();
        },
        10s);
    const auto port = ui_.origin.substr(ui_.origin.rfind(':') + 1);
    ws_client ws("127.0.0.1", port, "/ws");
    const auto hello = json::parse(ws.read());
    EXPECT_EQ(hello.at("type").as_string(), "hello");
    EXPECT_EQ(hello.at("host").as_string(), target_.url);
    EXPECT_FALSE(hello.at("history")
                     .as_array()
                     .empty());  // the seconds already run: charts survive a reload
    EXPECT_EQ(hello.at("ratio").as_array().at(0).at("name").as_string(), "Browser");
    std::set<std::int64_t> seconds;  // what a chart fed by hello and the pushes has
    for (const auto& p : hello.at("history").as_array())
        seconds.insert(p.at("t").to_number<std::int64_t>());
    std::int64_t previous = -1;
    for (int i = 0; i < 3; ++i) {
        const auto snap = json::parse(ws.read());
        EXPECT_EQ(snap.at("type").as_string(), "snapshot");
        const auto n = aggregated(snap).at("num_requests").to_number<std::int64_t>();
        EXPECT_GE(n, previous);
        previous = n;
        const auto& points = snap.at("points").as_array();
        ASSERT_FALSE(points.empty());
        EXPECT_LE(points.size(), master::web::snapshot_points);
        for (const auto& p : points) seconds.insert(p.at("t").to_number<std::int64_t>());
    }
    EXPECT_GT(previous, 0);
    // No second missing from the chart, however the pushes fell against the seconds.
    ASSERT_GE(seconds.size(), 2u);
    EXPECT_EQ(*seconds.rbegin() - *seconds.begin() + 1, static_cast<std::int64_t>(seconds.size()));
    stop_and_wait();
    EXPECT_EQ(client_->get("/ws").status, 426);  // not an upgrade
}

TEST(web_api_probes, headless_run_serves_only_the_probes_and_writes_the_html_report) {
    auto target = start_target({"--threads", "1"});
    const auto html = ::testing::TempDir() + "/web_report.html";
    std::remove(html.c_str());
    child_process p({swarm_binary(), "run", simple_scenario(), "--headless", "-H", target.url, "-u",
                     "2", "-r", "10", "-t", "3s", "--web-port", "0", "--threads", "1", "--html",
                     html});
    const std::string prefix = "swarm: health probes at ";
    const auto line = p.wait_for_line(prefix, 20s);
    ASSERT_TRUE(line);
    const auto url = line->substr(prefix.size());
    http_client client(url.substr(0, url.find('/', 8)));
    EXPECT_EQ(client.get("/healthz").status, 200);
    const auto ready = poll_json(
        client, "/readyz", [](const json::value& d) { return d.at("ready").as_bool(); }, 10s);
    EXPECT_TRUE(ready.at("ready").as_bool());
    EXPECT_EQ(client.get("/stats/requests").status, 404);
    EXPECT_EQ(p.wait_exit(30s), 0);
    const std::string page = test::read_whole_file(html);
    EXPECT_THAT(page, HasSubstr("window.SWARM_REPORT = {"));
    EXPECT_THAT(page, HasSubstr("\"name\":\"home\""));
    EXPECT_THAT(page, Not(HasSubstr("src=\"http")));  // nothing fetched from outside
}

// The Aggregated request count of a --csv PREFIX_stats.csv and of a --json result.
std::int64_t csv_aggregated_count(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(",Aggregated,", 0) == 0) {
            const auto from = std::string(",Aggregated,").size();
            return std::stoll(line.substr(from, line.find(',', from) - from));
        }
    }
    return -1;
}

TEST(web_api_reports, csv_and_json_are_written_when_a_test_ends_and_again_at_exit) {
    auto target = start_target({"--threads", "1"});
    const auto prefix = ::testing::TempDir() + "/web_interactive";
    const auto result = ::testing::TempDir() + "/web_interactive.json";
    for (const auto& f : {prefix + "_stats.csv", prefix + "_stats_history.csv",
                          prefix + "_failures.csv", prefix + "_classes.csv", result})
        std::remove(f.c_str());
    auto ui = start_ui(simple_scenario(), {"-H", target.url, "--csv", prefix, "--json", result});
    http_client client(ui.origin);
    poll_json(
        client, "/readyz", [](const json::value& d) { return d.at("ready").as_bool(); }, 20s);

    // A test with a run time: the files appear when it ends, the UI still up.
    auto r = client.request({"POST",
                             "/swarm",
                             "user_count=2&spawn_rate=50&run_time=2s",
                             "application/x-www-form-urlencoded",
                             "",
                             {}});
    ASSERT_EQ(r.status, 200) << r.body;
    auto doc = poll_json(
        client, "/stats/requests",
        [](const json::value& d) { return d.at("state").as_string() == "stopped"; }, 20s);
    ASSERT_EQ(doc.at("state").as_string(), "stopped");
    const auto first = read_target_stats(target.url).total;
    ASSERT_GT(first, 0);
    // Written on the control thread right after the state changed: poll briefly.
    for (int i = 0; i < 50 && csv_aggregated_count(prefix + "_stats.csv") != first; ++i)
        std::this_thread::sleep_for(100ms);
    EXPECT_EQ(csv_aggregated_count(prefix + "_stats.csv"), first);
    EXPECT_EQ(total_requests(test::read_json_file(result)), first);
    EXPECT_EQ(std::ifstream(prefix + "_failures.csv").peek() != EOF, true);
    EXPECT_EQ(std::ifstream(prefix + "_stats_history.csv").peek() != EOF, true);
    EXPECT_EQ(std::ifstream(prefix + "_classes.csv").peek() != EOF, true);

    // A second test (stats start over) interrupted by SIGINT: the files are
    // rewritten at exit with what it counted.
    r = client.request({"POST",
                        "/swarm",
                        "user_count=2&spawn_rate=50",
                        "application/x-www-form-urlencoded",
                        "",
                        {}});
    ASSERT_EQ(r.status, 200) << r.body;
    doc = poll_json(
        client, "/stats/requests",
        [](const json::value& d) {
            return aggregated(d).at("num_requests").to_number<std::int64_t>() >= 20;
        },
        20s);
    ui.process->send_signal(SIGINT);
    EXPECT_EQ(ui.process->wait_exit(30s), 4) << "Ctrl-C stopped a running test: interrupted";
    const auto second = read_target_stats(target.url).total - first;
    ASSERT_GE(second, 20);
    EXPECT_EQ(csv_aggregated_count(prefix + "_stats.csv"), second);
    const auto final_result = test::read_json_file(result);
    EXPECT_EQ(total_requests(final_result), second);
    EXPECT_EQ(final_result.at("run").at("exit_status").to_number<std::int64_t>(), 4);
    EXPECT_EQ(final_result.at("run").at("stop_reason"), "interrupted");
}

}  // namespace
}  // namespace swarm::test
