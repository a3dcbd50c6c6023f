// GET /metrics scraped by a real Prometheus server (Debian's `prometheus`,
// scripts/install-deps): `swarm run` in UI mode against `swarm target`, a
// 5 s test started over the REST API, Prometheus scraping every second. The
// UI-mode master stays up after the test, so Prometheus scrapes the final
// figures (a headless master exits at the end); once a scrape has seen the
// test stopped, Prometheus' query API must give the same totals as swarm's
// JSON result and the target's own counters. Also: the headless master
// serves /metrics on its probe port while it runs.
#include <gmock/gmock.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "tests/integration/run_support.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/target_process.hpp"
#include "tests/web/web_support.hpp"

namespace swarm::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

std::string url_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : s) {
        if (std::isalnum(c) != 0 || c == '_' || c == '-' || c == '.') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// A Prometheus server scraping `target` (host:port) at `path` every second.
struct prometheus_server {
    prometheus_server(const std::string& target, const std::string& path) {
        dir = std::filesystem::path(::testing::TempDir()) /
              ("prometheus_test." + std::to_string(::getpid()));
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir / "data");
        std::ofstream(dir / "prometheus.yml") << "global:\n"
                                                 "  scrape_interval: 1s\n"
                                                 "  scrape_timeout: 1s\n"
                                                 "scrape_configs:\n"
                                                 "  - job_name: swarm\n"
                                                 "    metrics_path: "
                                              << path << "\n    static_configs:\n"
                                              << "      - targets: ['" << target << "']\n";
        const auto port = std::to_string(free_port());
        url = "http://127.0.0.1:" + port;
        process = std::make_unique<child_process>(std::vector<std::string>{
            "prometheus", "--config.file=" + (dir / "prometheus.yml").string(),
            "--storage.tsdb.path=" + (dir / "data").string(),
            "--web.listen-address=127.0.0.1:" + port, "--log.level=warn"});
        client = std::make_unique<http_client>(url, 5s);
    }
    ~prometheus_server() {
        client.reset();
        process.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    bool ready() {
        try {
            return http_get(url + "/-/ready").status == 200;  // a fresh connection each time
        } catch (const std::exception&) {
            return false;
        }
    }
    // An instant query's single value at `time` (Prometheus' "now" when empty); nullopt: none.
    std::optional<std::pair<double, double>> query(const std::string& expr,
                                                   const std::string& time = "") {
        auto target = "/api/v1/query?query=" + url_encode(expr);
        if (!time.empty()) target += "&time=" + time;
        const auto r = client->get(target);
        if (r.status != 200) throw std::runtime_error("query " + expr + ": " + r.body);
        const auto doc = json::parse(r.body);
        const auto& result = doc.at("data").at("result").as_array();
        if (result.empty()) return std::nullopt;
        const auto& v = result.at(0).at("value").as_array();
        return std::pair{v.at(0).to_number<double>(), std::stod(std::string(v.at(1).as_string()))};
    }

    std::filesystem::path dir;
    std::string url;
    std::unique_ptr<child_process> process;
    std::unique_ptr<http_client> client;
};

std::string scenario() {
    return write_scenario("prometheus.yaml", R"y(
users:
  Browser:
    wait: {constant: 10ms}
    tasks:
      home: {weight: 3, get: /, name: home}
      about: {weight: 1, get: /about, name: about}
)y");
}

TEST(prometheus, scrapes_the_same_totals_as_the_json_result_and_the_target) {
    if (std::system("command -v prometheus >/dev/null 2>&1") != 0)
        GTEST_SKIP() << "prometheus is missing: run scripts/install-deps";
    const auto target = start_target();
    auto ui = start_ui(scenario(), {"-H", target.url});
    const auto hostport = ui.origin.substr(ui.origin.find("//") + 2);
    prometheus_server prom(hostport, ui.base + "/metrics");
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (!prom.ready() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(100ms);
    ASSERT_TRUE(prom.ready()) << "Prometheus did not come up at " << prom.url;
    // Its first scrape comes up to 5 s after the start (target discovery
    // updates are throttled to one per 5 s): the test starts after it, so
    // every second of it is scraped.
    while (!prom.query("up == 1") && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(200ms);
    ASSERT_TRUE(prom.query("up == 1")) << "Prometheus did not scrape " << hostport;

    http_client client(ui.origin);
    const auto started =
        client.post_form(ui.base + "/swarm", "user_count=4&spawn_rate=100&run_time=5s");
    ASSERT_EQ(started.status, 200) << started.body;
    const auto stopped = poll_json(
        client, ui.base + "/stats/requests",
        [](const json::value& d) { return d.at("state") == "stopped"; }, 15s);
    ASSERT_EQ(stopped.at("state"), "stopped");

    const auto result = json_of(client.get(ui.base + "/stats/result.json"));
    const auto total = total_requests(result);
    const auto target_total = read_target_stats(target.url).total;
    EXPECT_GT(total, 100);
    EXPECT_EQ(total, target_total);

    // The first scrape that saw the test stopped holds its final figures.
    std::optional<std::pair<double, double>> seen;
    const auto scraped_by = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < scraped_by) {
        seen = prom.query(R"(swarm_test_state{state="stopped"} == 1)");
        if (seen) break;
        std::this_thread::sleep_for(200ms);
    }
    ASSERT_TRUE(seen) << "no scrape saw the test stopped";
    const auto at = std::to_string(seen->first);
    const auto sum = prom.query("sum(swarm_requests_total)", at);
    ASSERT_TRUE(sum);
    EXPECT_EQ(static_cast<std::int64_t>(sum->second), total);
    std::cout << "prometheus: sum(swarm_requests_total) = " << sum->second << ", JSON result "
              << total << ", target " << target_total << std::endl;
    EXPECT_EQ(prom.query("sum(swarm_request_duration_seconds_count)", at)->second, sum->second);
    EXPECT_EQ(prom.query(R"(sum(swarm_request_duration_seconds_bucket{le="+Inf"}))", at)->second,
              sum->second);
    EXPECT_EQ(prom.query("sum(swarm_request_failures_total)", at)->second, total_failures(result));
    const auto by_name = requests_by_entry(result);
    EXPECT_EQ(prom.query(R"(swarm_requests_total{method="GET",name="home"})", at)->second,
              by_name.at("GET home"));
    // A p95 from the buckets, as a dashboard draws it: some finite latency.
    const auto p95 = prom.query(
        "histogram_quantile(0.95, sum by (le) (swarm_request_duration_seconds_bucket))", at);
    ASSERT_TRUE(p95);
    EXPECT_GT(p95->second, 0);
    EXPECT_LT(p95->second, 1);

    // Every query of deploy/grafana's dashboard is valid PromQL over these
    // series (Grafana's variables replaced as Grafana would).
    std::ifstream file(std::string(SWARM_SOURCE_DIR) + "/deploy/grafana/swarm-dashboard.json");
    const std::string text((std::istreambuf_iterator<char>(file)), {});
    const auto dashboard = json::parse(text);
    int queries = 0;
    int with_data = 0;
    for (const auto& panel : dashboard.at("panels").as_array()) {
        for (const auto& t : panel.at("targets").as_array()) {
            auto expr = std::string(t.at("expr").as_string());
            for (const auto& [from, to] :
                 {std::pair<std::string, std::string>{"$job", ".*"}, {"$__rate_interval", "4s"}}) {
                for (auto at_ = expr.find(from); at_ != std::string::npos; at_ = expr.find(from))
                    expr.replace(at_, from.size(), to);
            }
            ++queries;
            std::optional<std::pair<double, double>> v;
            EXPECT_NO_THROW(v = prom.query(expr, at)) << expr;
            with_data += v ? 1 : 0;
            if (!v) std::cout << "prometheus: no data: " << expr << std::endl;
        }
    }
    EXPECT_GE(queries, 10);
    // All but the thresholds' (the scenario has none).
    EXPECT_EQ(with_data, queries - 1);
    std::cout << "prometheus: " << queries << " dashboard queries evaluated, " << with_data
              << " with data" << std::endl;
}

TEST(prometheus, headless_master_serves_metrics_on_its_probe_port) {
    const auto target = start_target();
    child_process run({swarm_binary(), "run", scenario(), "--headless", "-H", target.url, "-u", "2",
                       "-r", "100", "-t", "3s", "--threads", "1", "--web-host", "127.0.0.1",
                       "--web-port", "0"});
    const auto line = run.wait_for_line("swarm: health probes at ", 20s);
    ASSERT_TRUE(line);
    auto url = line->substr(std::string("swarm: health probes at ").size());
    url = url.substr(0, url.size() - std::string("healthz").size());  // ".../"
    const auto parts = parse_url(url);
    http_client client("http://" + parts.host + ":" + parts.port);
    double requests = 0;
    bool running = false;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline && !(running && requests > 0)) {
        const auto r = client.get(parts.target + "metrics");
        ASSERT_EQ(r.status, 200) << r.body;
        running = r.body.find("swarm_test_state{state=\"running\"} 1\n") != std::string::npos;
        const auto at = r.body.find("swarm_requests_total{method=\"GET\",name=\"home\"} ");
        if (at != std::string::npos) requests = std::stod(r.body.substr(r.body.find(' ', at) + 1));
        std::this_thread::sleep_for(200ms);
    }
    EXPECT_TRUE(running);
    EXPECT_GT(requests, 0);
    EXPECT_EQ(client.get(parts.target + "stats/requests").status, 404);  // probes and metrics only
    EXPECT_EQ(run.wait_exit(20s), 0);
}

}  // namespace
}  // namespace swarm::test
