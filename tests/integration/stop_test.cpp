// A test stops on time (issue 12): `swarm run` against a target that hangs
// (`swarm target`'s /slow, or a server of the test's own that reads requests
// and never answers) ends within the stop timeout + 1 s of its run time, on
// Ctrl-C, and over the web API; what was in flight is cancelled and counted
// once as "cancelled: test stopped"; on_stop runs at the end of a test; and a
// second Ctrl-C cancels everything at once yet still writes every report.
// Truth is the servers' own counters.
#include <gmock/gmock.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <csignal>
#include <filesystem>
#include <thread>

#include "tests/integration/run_support.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/files.hpp"
#include "tests/support/hostile_server.hpp"
#include "tests/support/target_process.hpp"
#include "tests/web/web_support.hpp"

namespace swarm::test {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;
namespace json = boost::json;

constexpr auto cancelled = "cancelled: test stopped";

// Reads each request and never answers: the connection stays until the
// client closes it (or the server stops).
hostile_server silent_server() {
    return hostile_server([](hostile_connection& c) {
        while (c.read_request()) {
        }
    });
}

// Users with no think time on one hung request; on_stop (when given) after it.
std::string hung_scenario(const std::string& name, const std::string& path,
                          const std::string& on_stop = "") {
    std::string yaml = "users:\n  U:\n    wait: {constant: 0s}\n";
    if (!on_stop.empty()) yaml += "    on_stop: [{get: \"" + on_stop + "\"}]\n";
    yaml += "    tasks:\n      t: {get: \"" + path + "\"}\n";
    return write_scenario(name + ".yaml", yaml);
}

double seconds_since(steady::time_point t) {
    return std::chrono::duration<double>(steady::now() - t).count();
}

// Totals and errors of a result, for a failure message (not its history).
std::string summary(const json::value& result) {
    std::string out = "requests " + std::to_string(total_requests(result)) + ", failures " +
                      std::to_string(total_failures(result)) + ", errors:";
    for (const auto& [message, n] : error_messages(result))
        out += " [" + message + "] x" + std::to_string(n);
    return out;
}

// `swarm run SCENARIO --headless ARGS...` as a child, timed from its start.
struct timed_child {
    std::string json_file;
    std::unique_ptr<child_process> process;
    steady::time_point started;

    timed_child(const std::string& scenario, const std::string& name,
                std::vector<std::string> args) {
        json_file = ::testing::TempDir() + "/stop_" + name + ".json";
        std::remove(json_file.c_str());
        std::vector<std::string> argv{swarm_binary(), "run",     scenario,        "--headless",
                                      "--json",       json_file, "--threads",     "1",
                                      "-r",           "20",      "--only-summary"};
        argv.insert(argv.end(), args.begin(), args.end());
        started = steady::now();
        process = std::make_unique<child_process>(argv);
    }
    // Waits for the exit (bounded); the exit code, or nullopt when still running.
    std::optional<int> wait(std::chrono::milliseconds bound) { return process->wait_exit(bound); }
    std::string output() const {
        std::string out;
        for (const auto& l : process->lines()) out += l + "\n";
        return out;
    }
};

// 1. The run time ends the test: the hung requests are cancelled (stop
// timeout 0: after 0.5 s), counted once each. Main: 21.2 s (the requests ran out).
TEST(stop, hung_requests_are_cancelled_at_the_run_time) {
    auto target = start_target({"--threads", "1"});
    timed_child run(hung_scenario("hung", "/slow?ms=20000"), "hung",
                    {"-H", target.url, "-u", "2", "-t", "3s"});
    const auto code = run.wait(30s);
    const double took = seconds_since(run.started);
    ASSERT_TRUE(code.has_value()) << run.output();
    // 3 s of run time + start-up (a worker joining, under ASan) + the stop
    // (a request in flight gets 0.5 s before it is cancelled).
    EXPECT_LT(took, 5.5) << run.output();
    const auto result = test::read_json_file(run.json_file);
    ASSERT_TRUE(result.is_object()) << run.output();
    EXPECT_EQ(total_requests(result), 2) << summary(result);
    EXPECT_EQ(error_messages(result)[cancelled], 2) << summary(result);
}

// 2. A target that never answers, with the default request timeout (60 s):
// the test still ends by its run time, and every request the server read is
// in the report exactly once. Main: 60.7 s (the request timeout).
TEST(stop, silent_target_ends_at_the_run_time_and_counts_each_request_once) {
    auto server = silent_server();
    timed_child run(hung_scenario("silent", "/"), "silent",
                    {"-H", server.url(""), "-u", "3", "-t", "4s"});
    const auto code = run.wait(70s);
    const double took = seconds_since(run.started);
    ASSERT_TRUE(code.has_value()) << run.output();
    EXPECT_LT(took, 6.5) << run.output();
    const auto result = test::read_json_file(run.json_file);
    ASSERT_TRUE(result.is_object()) << run.output();
    EXPECT_EQ(server.requests(), 3);
    EXPECT_EQ(total_requests(result), server.requests()) << summary(result);
    EXPECT_EQ(error_messages(result)[cancelled], server.requests()) << summary(result);
}

// 3. --stop-timeout gives what is in flight its time, then cancels it.
// Main: 20.9 s.
TEST(stop, stop_timeout_gives_in_flight_requests_their_time_then_cancels) {
    auto target = start_target({"--threads", "1"});
    timed_child run(hung_scenario("grace", "/slow?ms=20000"), "grace",
                    {"-H", target.url, "-u", "2", "-t", "2s", "--stop-timeout", "2s"});
    const auto code = run.wait(40s);
    const double took = seconds_since(run.started);
    ASSERT_TRUE(code.has_value()) << run.output();
    EXPECT_GE(took, 4.0) << run.output();  // the 2 s of grace were given
    EXPECT_LT(took, 6.0) << run.output();
    const auto result = test::read_json_file(run.json_file);
    ASSERT_TRUE(result.is_object()) << run.output();
    EXPECT_EQ(error_messages(result)[cancelled], 2) << summary(result);
}

// 4. Ctrl-C at 2 s ends the test within about a second. Main: not ended 40 s later.
TEST(stop, sigint_ends_a_hung_test_within_a_second) {
    auto server = silent_server();
    timed_child run(hung_scenario("sigint", "/"), "sigint",
                    {"-H", server.url(""), "-u", "2", "-t", "30s"});
    std::this_thread::sleep_for(2s);
    ASSERT_FALSE(run.wait(0ms).has_value()) << run.output();
    run.process->send_signal(SIGINT);
    const auto signalled = steady::now();
    const auto code = run.wait(40s);
    ASSERT_TRUE(code.has_value()) << run.output();
    EXPECT_LT(seconds_since(signalled), 1.5) << run.output();
    const auto result = test::read_json_file(run.json_file);
    ASSERT_TRUE(result.is_object()) << run.output();
    EXPECT_EQ(server.requests(), 2);
    EXPECT_EQ(total_requests(result), server.requests()) << summary(result);
    EXPECT_EQ(error_messages(result)[cancelled], server.requests()) << summary(result);
}

// 5. on_stop runs at the end of a test, after the request in flight was
// cancelled, and its requests are counted. Main: on_stop skipped (0 of 3), 21.3 s.
TEST(stop, on_stop_runs_at_the_end_of_a_test) {
    auto target = start_target({"--threads", "1"});
    timed_child run(hung_scenario("on_stop", "/slow?ms=20000", "/status/204"), "on_stop",
                    {"-H", target.url, "-u", "3", "-t", "2s"});
    const auto code = run.wait(40s);
    const double took = seconds_since(run.started);
    ASSERT_TRUE(code.has_value()) << run.output();
    EXPECT_LT(took, 5.0) << run.output();
    const auto result = test::read_json_file(run.json_file);
    ASSERT_TRUE(result.is_object()) << run.output();
    EXPECT_EQ(read_target_stats(target.url).requests["GET /status/204"], 3);
    EXPECT_EQ(requests_by_entry(result)["GET /status/204"], 3) << summary(result);
    EXPECT_EQ(error_messages(result)[cancelled], 3) << summary(result);
}

// 6. A second Ctrl-C cancels everything at once (in-flight requests and a
// hung on_stop, with a long --stop-timeout) and still writes every report.
// Main: exit 130 at once, no report.
TEST(stop, second_sigint_cancels_everything_and_still_writes_every_report) {
    auto server = silent_server();
    const auto csv = ::testing::TempDir() + "/stop_twice";
    std::filesystem::remove(csv + "_stats.csv");
    timed_child run(
        hung_scenario("twice", "/", "/logout"), "twice",
        {"-H", server.url(""), "-u", "2", "-t", "30s", "--stop-timeout", "10s", "--csv", csv});
    std::this_thread::sleep_for(2s);
    run.process->send_signal(SIGINT);
    std::this_thread::sleep_for(500ms);
    ASSERT_FALSE(run.wait(0ms).has_value()) << run.output();  // the first one is graceful
    run.process->send_signal(SIGINT);
    const auto signalled = steady::now();
    const auto code = run.wait(30s);
    ASSERT_TRUE(code.has_value()) << run.output();
    EXPECT_LT(seconds_since(signalled), 3.0) << run.output();
    EXPECT_EQ(*code, 4) << run.output();  // interrupted (once or twice)
    EXPECT_TRUE(std::filesystem::exists(csv + "_stats.csv"));
    const auto result = test::read_json_file(run.json_file);
    ASSERT_TRUE(result.is_object()) << run.output();
    EXPECT_EQ(server.requests(), 2);
    EXPECT_EQ(total_requests(result), server.requests()) << summary(result);
    EXPECT_EQ(error_messages(result)[cancelled], server.requests()) << summary(result);
}

// `swarm master SCENARIO --headless --bind 127.0.0.1:0 --json FILE ARGS...`
// and one `swarm worker` joined to it.
struct cluster {
    std::string json_file;
    std::unique_ptr<child_process> master;
    std::unique_ptr<child_process> worker;

    cluster(const std::string& scenario, const std::string& name, std::vector<std::string> args) {
        json_file = ::testing::TempDir() + "/stop_" + name + ".json";
        std::remove(json_file.c_str());
        std::vector<std::string> argv{swarm_binary(), "master",      scenario,        "--headless",
                                      "--bind",       "127.0.0.1:0", "--json",        json_file,
                                      "-r",           "20",          "--only-summary"};
        argv.insert(argv.end(), args.begin(), args.end());
        master = std::make_unique<child_process>(argv);
        const auto line =
            master->wait_for_line("swarm master: listening for workers on tcp://", 20s);
        if (!line) throw std::runtime_error("swarm master did not start");
        const auto start = line->find("tcp://") + 6;
        const auto address = line->substr(start, line->find(';') - start);
        worker = std::make_unique<child_process>(std::vector<std::string>{
            swarm_binary(), "worker", "--master", address, "--threads", "1", "--name", "w"});
    }
};

// 8. `swarm master`: a second Ctrl-C tells the workers to stop now (a hung
// on_stop included, under a long --stop-timeout), waits for their last
// deltas (bounded) and still writes the report. Main: exit 130 at once, no report.
TEST(stop, master_second_sigint_stops_workers_now_and_still_reports) {
    auto server = silent_server();
    cluster c(hung_scenario("master_twice", "/", "/logout"), "master_twice",
              {"-H", server.url(""), "-u", "2", "-t", "30s", "--stop-timeout", "10s"});
    ASSERT_TRUE(c.master->wait_for_line("All users spawned", 20s));
    std::this_thread::sleep_for(500ms);
    c.master->send_signal(SIGINT);
    std::this_thread::sleep_for(500ms);
    c.master->send_signal(SIGINT);
    const auto signalled = steady::now();
    const auto code = c.master->wait_exit(30s);
    ASSERT_TRUE(code.has_value());
    EXPECT_LT(seconds_since(signalled), 3.5);
    EXPECT_EQ(*code, 4);  // interrupted (once or twice)
    const auto result = test::read_json_file(c.json_file);
    ASSERT_TRUE(result.is_object());
    EXPECT_EQ(server.requests(), 2);
    EXPECT_EQ(total_requests(result), server.requests()) << summary(result);
    EXPECT_EQ(error_messages(result)[cancelled], server.requests()) << summary(result);
}

// 9. `swarm worker`: SIGTERM stops its users (the hung request cancelled
// after 0.5 s, then on_stop, which hangs too); a second SIGTERM cancels
// on_stop, sends the last delta and quits. The master's result has every
// request the server read. Main: the second SIGTERM exits at once and the
// worker's last delta is lost.
TEST(stop, worker_second_sigterm_cancels_on_stop_and_sends_the_last_delta) {
    auto server = silent_server();
    cluster c(hung_scenario("worker_twice", "/", "/logout"), "worker_twice",
              {"-H", server.url(""), "-u", "2", "-t", "30s"});
    ASSERT_TRUE(c.master->wait_for_line("All users spawned", 20s));
    std::this_thread::sleep_for(500ms);
    c.worker->send_signal(SIGTERM);
    std::this_thread::sleep_for(1500ms);  // the cancel is done, on_stop hangs
    ASSERT_FALSE(c.worker->wait_exit(0ms).has_value()) << "on_stop has up to 10 s";
    c.worker->send_signal(SIGTERM);
    const auto signalled = steady::now();
    const auto worker_code = c.worker->wait_exit(20s);
    ASSERT_TRUE(worker_code.has_value());
    EXPECT_LT(seconds_since(signalled), 2.5);
    EXPECT_EQ(*worker_code, 0);
    std::this_thread::sleep_for(300ms);  // the master merges the last delta
    c.master->send_signal(SIGINT);
    ASSERT_TRUE(c.master->wait_exit(20s).has_value());
    const auto result = test::read_json_file(c.json_file);
    ASSERT_TRUE(result.is_object());
    EXPECT_EQ(server.requests(), 4);  // two tasks' requests, two on_stop's
    EXPECT_EQ(total_requests(result), server.requests()) << summary(result);
    EXPECT_EQ(error_messages(result)[cancelled], server.requests()) << summary(result);
}

// 7. The web API: /stop leaves "stopping" within a second and a new start
// is accepted right after. Main: still "stopping" after 5 s, the start refused (409).
TEST(stop, web_stop_ends_a_hung_test_and_a_new_one_starts) {
    auto target = start_target({"--threads", "1"});
    auto ui = start_ui(hung_scenario("web", "/slow?ms=20000"), {"-H", target.url});
    http_client client(ui.origin);
    const auto ready = poll_json(
        client, "/readyz",
        [](const json::value& d) { return d.is_object() && d.at("ready").as_bool(); }, 20s);
    ASSERT_TRUE(ready.at("ready").as_bool()) << json::serialize(ready);
    const auto start = [&] {
        return client.request({"POST",
                               "/swarm",
                               "user_count=2&spawn_rate=20",
                               "application/x-www-form-urlencoded",
                               "",
                               {}});
    };
    ASSERT_EQ(start().status, 200);
    const auto state_is = [](const char* s) {
        return [s](const json::value& d) { return d.at("state").as_string() == s; };
    };
    ASSERT_EQ(poll_json(client, "/stats/requests", state_is("running"), 10s).at("state"),
              "running");
    std::this_thread::sleep_for(500ms);  // the requests are in flight
    ASSERT_EQ(client.get("/stop").status, 200);
    const auto asked = steady::now();
    const auto doc = poll_json(client, "/stats/requests", state_is("stopped"), 5s);
    EXPECT_EQ(doc.at("state"), "stopped") << json::serialize(doc);
    EXPECT_LT(seconds_since(asked), 1.5);
    const auto again = start();
    EXPECT_EQ(again.status, 200) << again.body;
    client.get("/stop");
}

// 10. The web UI's process: a second Ctrl-C while a test stops under a long
// --stop-timeout cancels everything and the reports are still written at
// exit. Main: exit 130 at once, no report.
TEST(stop, web_ui_second_sigint_still_writes_the_reports) {
    auto server = silent_server();
    const auto json_file = ::testing::TempDir() + "/stop_web_twice.json";
    std::remove(json_file.c_str());
    auto ui = start_ui(hung_scenario("web_twice", "/"),
                       {"-H", server.url(""), "--stop-timeout", "10s", "--json", json_file});
    http_client client(ui.origin);
    const auto ready = poll_json(
        client, "/readyz",
        [](const json::value& d) { return d.is_object() && d.at("ready").as_bool(); }, 20s);
    ASSERT_TRUE(ready.at("ready").as_bool()) << json::serialize(ready);
    ASSERT_EQ(client
                  .request({"POST",
                            "/swarm",
                            "user_count=2&spawn_rate=20",
                            "application/x-www-form-urlencoded",
                            "",
                            {}})
                  .status,
              200);
    const auto running = poll_json(
        client, "/stats/requests",
        [](const json::value& d) { return d.at("state").as_string() == "running"; }, 10s);
    ASSERT_EQ(running.at("state"), "running");
    std::this_thread::sleep_for(500ms);
    ui.process->send_signal(SIGINT);
    std::this_thread::sleep_for(500ms);
    ui.process->send_signal(SIGINT);
    const auto signalled = steady::now();
    const auto code = ui.process->wait_exit(30s);
    ASSERT_TRUE(code.has_value());
    EXPECT_LT(seconds_since(signalled), 3.5);
    EXPECT_EQ(*code, 4);  // Ctrl-C stopped a running test
    const auto result = test::read_json_file(json_file);
    ASSERT_TRUE(result.is_object());
    EXPECT_EQ(server.requests(), 2);
    EXPECT_EQ(total_requests(result), server.requests()) << summary(result);
    EXPECT_EQ(error_messages(result)[cancelled], server.requests()) << summary(result);
}

}  // namespace
}  // namespace swarm::test
