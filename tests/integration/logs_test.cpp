// Logs and progress (issue 14) with real processes: --log-format json makes
// every stderr line a JSON object of the run's time, --loglevel drops lines,
// --progress-interval logs progress lines whose counts grow up to the final
// total, a worker's and the target's lines are timestamped, and usage errors
// stay plain.
#include <gmock/gmock.h>

#include <sys/wait.h>
#include <boost/json/parse.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <regex>
#include <sstream>
#include <thread>

#include "common/log/log.hpp"
#include "tests/integration/cluster_support.hpp"
#include "tests/integration/run_support.hpp"
#include "tests/support/files.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

std::string quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string temp_path(const std::string& name) {
    static int counter = 0;
    return ::testing::TempDir() + "/logs_" + std::to_string(getpid()) + "_" +
           std::to_string(++counter) + "_" + name;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) {
        if (!l.empty()) out.push_back(l);
    }
    return out;
}

struct split_run {
    int exit_code = -1;
    std::string out;               // stdout
    std::vector<std::string> err;  // stderr lines
    boost::json::value result;     // --json
};

// `swarm ARGS...` with stdout and stderr apart (bounded by `timeout_s`).
split_run run_split(const std::vector<std::string>& args, int timeout_s = 30) {
    const auto err_path = temp_path("stderr.txt");
    std::string cmd = "timeout -s KILL " + std::to_string(timeout_s) + " " + quoted(swarm_binary());
    for (const auto& a : args) cmd += " " + quoted(a);
    cmd += " 2>" + quoted(err_path);
    split_run r;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[4096];
    while (auto n = std::fread(buf, 1, sizeof buf, p)) r.out.append(buf, n);
    const int status = pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.err = lines_of(read_whole_file(err_path));
    return r;
}

// A headless `swarm run` of `users` users each GETting / every 50 ms.
split_run run_paced(const std::string& target_url, const std::vector<std::string>& extra) {
    const auto scenario = write_scenario("paced.yaml", R"y(
users:
  Pacer:
    wait: {constant: 50ms}
    tasks:
      index: {get: /}
)y");
    const auto json = temp_path("result.json");
    std::vector<std::string> args{"run", scenario,   "--headless", "--json", json,
                                  "-H",  target_url, "--threads",  "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_split(args);
    r.result = read_json_file(json);
    return r;
}

const std::regex text_line(
    R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO |WARN |ERROR) swarm[a-z ]*: .+)");

std::string all(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

TEST(logs_integration_test, json_format_makes_every_stderr_line_an_object_of_the_run) {
    auto target = start_target({"--threads", "1"});
    const auto before = log::format_time(std::chrono::system_clock::now());
    const auto run = run_paced(target.url, {"-u", "2", "-r", "10", "-t", "3s", "--log-format",
                                            "json", "--progress-interval", "1s"});
    const auto after = log::format_time(std::chrono::system_clock::now());
    EXPECT_EQ(run.exit_code, 0) << run.out << all(run.err);
    ASSERT_GE(run.err.size(), 2U) << all(run.err);  // the progress lines at least
    int progress = 0;
    for (const auto& line : run.err) {
        boost::system::error_code ec;
        const auto v = boost::json::parse(line, ec);
        ASSERT_FALSE(ec) << "not JSON: " << line;
        ASSERT_TRUE(v.is_object()) << line;
        const auto& o = v.as_object();
        EXPECT_EQ(o.size(), 4U) << line;
        const std::string time(o.at("time").as_string());
        EXPECT_GE(time, before) << line;
        EXPECT_LE(time, after) << line;
        EXPECT_THAT(std::string(o.at("level").as_string()),
                    ::testing::AnyOf("debug", "info", "warning", "error"));
        EXPECT_FALSE(o.at("source").as_string().empty()) << line;
        if (o.at("message").as_string().starts_with("progress: ")) ++progress;
    }
    EXPECT_GE(progress, 2) << all(run.err);
    // Events on stdout take the same form; the summary stays plain text.
    EXPECT_THAT(run.out, HasSubstr(R"("message":"All users spawned: 2 users")"));
    EXPECT_THAT(run.out, HasSubstr("Aggregated"));
}

TEST(logs_integration_test, loglevel_error_hides_info_and_warning_lines) {
    auto target = start_target({"--threads", "1"});
    const auto run = run_paced(target.url, {"-u", "1", "-r", "10", "-t", "2s", "--loglevel",
                                            "ERROR", "--progress-interval", "500ms"});
    EXPECT_EQ(run.exit_code, 0) << run.out << all(run.err);
    EXPECT_EQ(run.err.size(), 0U) << all(run.err);
    EXPECT_THAT(run.out, Not(HasSubstr("All users spawned")));
    EXPECT_THAT(run.out, Not(HasSubstr("INFO ")));
    EXPECT_THAT(run.out, HasSubstr("Aggregated"));  // the output is not a log line
    ASSERT_TRUE(run.result.is_object());
    EXPECT_GT(total_requests(run.result), 0);
}

TEST(logs_integration_test, progress_lines_grow_up_to_the_final_total) {
    auto target = start_target({"--threads", "1"});
    const auto run = run_paced(target.url, {"-u", "2", "-r", "10", "-t", "4s", "--only-summary",
                                            "--progress-interval", "1s"});
    EXPECT_EQ(run.exit_code, 0) << run.out << all(run.err);
    ASSERT_TRUE(run.result.is_object()) << run.out;
    const std::regex progress(R"(INFO  swarm master: progress: \d\d:\d\d:\d\d \w+, (\d+)/2 users, )"
                              R"((\d+) requests \((\d+\.\d) % failed\), \d+\.\d req/s, p95 )");
    std::vector<std::int64_t> counts;
    for (const auto& line : run.err) {
        std::smatch m;
        if (!std::regex_search(line, m, progress)) continue;
        EXPECT_TRUE(std::regex_match(line, text_line)) << line;
        counts.push_back(std::stoll(m[2].str()));
        EXPECT_EQ(m[3].str(), "0.0") << line;
    }
    ASSERT_GE(counts.size(), 3U) << all(run.err);
    // Never down, and growing over the run; a busy machine may merge no
    // report between two lines (equal counts), or none before the first.
    for (std::size_t i = 1; i < counts.size(); ++i) EXPECT_GE(counts[i], counts[i - 1]);
    EXPECT_GT(counts.back(), counts.front());
    EXPECT_LE(counts.back(), total_requests(run.result));
}

TEST(logs_integration_test, worker_target_and_master_events_are_timestamped) {
    const auto target_err = temp_path("target.txt");
    const auto worker_err = temp_path("worker.txt");
    auto target = std::make_unique<child_process>(std::vector<std::string>{
        "/bin/sh", "-c",
        "exec " + quoted(swarm_binary()) + " target --listen 127.0.0.1:0 --threads 1 2>" +
            quoted(target_err)});
    const auto listening = target->wait_for_line("swarm target listening on ", 20s);
    ASSERT_TRUE(listening.has_value());
    const auto url = listening->substr(listening->find("http://"));
    const auto scenario = write_scenario("paced_cluster.yaml", R"y(
users:
  Pacer:
    wait: {constant: 50ms}
    tasks:
      index: {get: /}
)y");
    auto master =
        start_master(scenario, "127.0.0.1:0",
                     {"-H", url, "-u", "1", "-r", "10", "-t", "2s", "--progress-interval", "0"});
    child_process worker({"/bin/sh", "-c",
                          "exec " + quoted(swarm_binary()) + " worker --master " + master.address +
                              " --threads 1 --name w1 --loglevel Info 2>" + quoted(worker_err)});
    const auto end = wait_for_end(master);
    EXPECT_EQ(end.code, 0) << end.output;
    EXPECT_TRUE(worker.wait_exit(10s).has_value());  // the master's quit ends it
    target.reset();                                  // SIGTERM: its "stopping" line
    // Master: the events on stdout carry time and level.
    bool spawned = false;
    for (const auto& line : lines_of(end.output)) {
        if (line.find("All users spawned: 1 users") == std::string::npos) continue;
        spawned = true;
        EXPECT_TRUE(std::regex_match(line, text_line)) << line;
        EXPECT_THAT(line, HasSubstr("INFO  swarm master: All users spawned"));
    }
    EXPECT_TRUE(spawned) << end.output;
    EXPECT_THAT(end.output, Not(HasSubstr("progress:")));  // --progress-interval 0
    const auto worker_lines = lines_of(read_whole_file(worker_err));
    ASSERT_GE(worker_lines.size(), 2U) << all(worker_lines);
    for (const auto& line : worker_lines) {
        EXPECT_TRUE(std::regex_match(line, text_line)) << line;
        EXPECT_THAT(line, HasSubstr(" swarm worker: ")) << line;
    }
    EXPECT_THAT(all(worker_lines), HasSubstr("INFO  swarm worker: joined master"));
    const auto target_lines = lines_of(read_whole_file(target_err));
    ASSERT_GE(target_lines.size(), 2U) << all(target_lines);
    for (const auto& line : target_lines) EXPECT_TRUE(std::regex_match(line, text_line)) << line;
    EXPECT_THAT(all(target_lines), HasSubstr("INFO  swarm target: serving with 1 io thread"));
    EXPECT_THAT(all(target_lines), HasSubstr("INFO  swarm target: stopping on SIGTERM"));
}

// UI mode logs the same progress lines while a test runs (a Deployment's log),
// and none before it starts.
TEST(logs_integration_test, ui_mode_logs_progress_while_a_test_runs) {
    auto target = start_target({"--threads", "1"});
    const auto scenario = write_scenario("paced_ui.yaml", R"y(
users:
  Pacer:
    wait: {constant: 50ms}
    tasks:
      index: {get: /}
)y");
    const auto err = temp_path("ui.txt");
    child_process ui({"/bin/sh", "-c",
                      "exec " + quoted(swarm_binary()) + " run " + quoted(scenario) + " -H " +
                          target.url + " --threads 1 --web-port 0 --progress-interval 500ms 2>" +
                          quoted(err)});
    const auto line = ui.wait_for_line("swarm: web UI at ", 20s);
    ASSERT_TRUE(line.has_value());
    const auto url = line->substr(std::string("swarm: web UI at ").size());
    std::this_thread::sleep_for(1200ms);  // idle: no progress
    const auto idle = lines_of(read_whole_file(err));
    http_client client(url);
    ASSERT_EQ(client.post_form("/swarm", "user_count=2&spawn_rate=10&run_time=2s").status, 200);
    std::this_thread::sleep_for(3500ms);  // the test runs 2 s (and stops)
    ui.send_signal(SIGTERM);
    EXPECT_TRUE(ui.wait_exit(10s).has_value());
    const auto lines = lines_of(read_whole_file(err));
    EXPECT_THAT(all(idle), Not(HasSubstr("progress:")));
    int progress = 0;
    for (const auto& l : lines) {
        if (l.find("INFO  swarm master: progress: ") == std::string::npos) continue;
        ++progress;
        EXPECT_TRUE(std::regex_match(l, text_line)) << l;
    }
    EXPECT_GE(progress, 2) << all(lines);
    EXPECT_LE(progress, 6) << all(lines);  // only while it ran
}

TEST(logs_integration_test, usage_errors_stay_plain_and_exit_2) {
    const auto scenario = write_scenario("plain.yaml", R"y(
host: http://127.0.0.1:1
users:
  U:
    tasks:
      index: {get: /}
)y");
    const auto bad_level = run_split({"run", scenario, "--headless", "--loglevel", "loud"});
    EXPECT_EQ(bad_level.exit_code, 2);
    EXPECT_THAT(all(bad_level.err), HasSubstr("--loglevel"));
    EXPECT_THAT(all(bad_level.err), HasSubstr("expected debug, info, warning or error"));
    const auto bad_format = run_split({"worker", "--master", "x", "--log-format", "xml"});
    EXPECT_EQ(bad_format.exit_code, 2);
    EXPECT_THAT(all(bad_format.err), HasSubstr("expected text or json"));
    // Checked after parsing, before the logs are set up: as before, plain.
    const auto bad_users =
        run_split({"run", scenario, "--headless", "--log-format", "json", "-u", "lots"});
    EXPECT_EQ(bad_users.exit_code, 2);
    ASSERT_FALSE(bad_users.err.empty());
    EXPECT_TRUE(bad_users.err.front().starts_with("swarm run: --users: ")) << all(bad_users.err);
    const auto bad_interval =
        run_split({"run", scenario, "--headless", "--progress-interval", "often"});
    EXPECT_EQ(bad_interval.exit_code, 2);
    EXPECT_THAT(all(bad_interval.err), HasSubstr("swarm run: --progress-interval: expected a "
                                                 "duration"));
}

}  // namespace
}  // namespace swarm::test
