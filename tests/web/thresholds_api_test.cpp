// The thresholds' verdicts over REST and the WebSocket (issue 14): a master
// with the web UI run in this process (run_interactive, as `swarm run` does,
// with an in-process worker over inproc://) so that its thresholds can be
// given through headless_options::thresholds (the scenario's `thresholds:`
// and --threshold end up there); the load goes to a real `swarm target`.
// What is checked: the expressions in order, their options, "pending" while
// their delay runs, the final judgement over the whole run once stopped (the
// delay only holds back live judging), and the same objects in
// /stats/requests, /thresholds, the snapshot, the JSON result and the HTML
// report; and a headless master (run_headless) printing
// the console's Thresholds block under each table and the final summary.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <thread>
#include <zmq.hpp>

#include "common/scenario/loader.hpp"
#include "master/headless.hpp"
#include "master/interactive.hpp"
#include "tests/integration/run_support.hpp"
#include "tests/support/free_port.hpp"
#include "tests/web/web_support.hpp"
#include "worker/node.hpp"

namespace swarm::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

std::vector<scenario::threshold_spec> two_thresholds() {
    scenario::threshold_spec latency;
    latency.expression = "p95(GET home) < 2s";
    // Long enough to stay pending through this test, judged or not.
    latency.delay = 60s;
    scenario::threshold_spec errors;
    errors.expression = "fail_ratio < 50%";
    errors.abort_on_fail = true;
    errors.delay = 90s;
    return {latency, errors};
}

struct loaded {
    scenario::bundle bundle;
    std::shared_ptr<const scenario::plan> plan;
};

// simple_scenario() aimed at `target_url` (as -H would).
loaded load_simple(const std::string& target_url) {
    auto bundle = scenario::read_bundle(simple_scenario());
    if (!bundle.result) throw std::runtime_error("the scenario does not read");
    scenario::compile_options compile;
    compile.host_override = target_url;
    auto plan = scenario::compile(*bundle.result, compile);
    if (!plan.result) throw std::runtime_error("the scenario does not compile");
    return {*bundle.result, plan.result};
}

worker::node_options local_worker(const std::string& bind) {
    worker::node_options w;
    w.master = bind;
    w.name = "local";
    w.engine.threads = 1;
    return w;
}

// The master (run_interactive) and its worker, each on its own thread.
class in_process_master {
  public:
    explicit in_process_master(const std::string& target_url) {
        auto scenario = load_simple(target_url);
        master::interactive_options o;
        o.test.bind = "inproc://thresholds-api-" + std::to_string(::getpid());
        o.test.host_override = target_url;
        o.test.expect_workers = 1;
        o.test.thresholds = two_thresholds();
        o.web.port = free_port();
        origin_ = "http://127.0.0.1:" + std::to_string(o.web.port);
        master_ = std::thread([this, o, w = local_worker(o.test.bind), s = std::move(scenario)] {
            code_ = master::run_interactive(zmq_, s.bundle, s.plan, o, interrupted_, [this, w] {
                worker_ = std::thread([this, w] { worker::run_node(zmq_, w, worker_stop_); });
            });
        });
    }
    in_process_master(const in_process_master&) = delete;
    in_process_master& operator=(const in_process_master&) = delete;
    ~in_process_master() {
        interrupted_ = true;
        if (master_.joinable()) master_.join();
        worker_stop_ = true;
        if (worker_.joinable()) worker_.join();
    }
    const std::string& origin() const { return origin_; }

  private:
    zmq::context_t zmq_;
    std::atomic<bool> interrupted_{false};
    std::atomic<bool> worker_stop_{false};
    std::string origin_;
    int code_ = -1;
    std::thread worker_;
    std::thread master_;  // last: joined first, uses everything above
};

// The two thresholds as two_thresholds() gave them, whatever judged them.
void expect_the_two(const json::value& thresholds) {
    const json::array& t = thresholds.as_array();
    ASSERT_EQ(t.size(), 2u) << json::serialize(thresholds);
    EXPECT_EQ(t[0].at("expression"), "p95(GET home) < 2s");
    EXPECT_EQ(t[0].at("abort_on_fail"), false);
    EXPECT_EQ(t[0].at("delay_ms").to_number<std::int64_t>(), 60'000);
    EXPECT_EQ(t[1].at("expression"), "fail_ratio < 50%");
    EXPECT_EQ(t[1].at("abort_on_fail"), true);
    EXPECT_EQ(t[1].at("delay_ms").to_number<std::int64_t>(), 90'000);
    for (const auto& v : t) {
        EXPECT_EQ(v.as_object().size(), 10u) << json::serialize(v);
        EXPECT_EQ(v.at("aborted"), false);
    }
}

TEST(web_thresholds_test, verdicts_show_in_rest_the_snapshot_the_result_and_the_report) {
    const auto target = start_target({"--threads", "1"});
    in_process_master master(target.url);
    // The server starts on the master's thread: until then, connections are
    // refused (and a client that failed to connect is spent).
    for (int i = 0; i < 200; ++i) {
        try {
            if (http_client(master.origin()).get("/healthz").status == 200) break;
        } catch (const std::exception&) {
            std::this_thread::sleep_for(50ms);
        }
    }
    http_client client(master.origin());
    const auto ready = poll_json(
        client, "/readyz",
        [](const json::value& d) { return d.is_object() && d.at("ready").as_bool(); }, 20s);
    ASSERT_TRUE(ready.is_object() && ready.at("ready").as_bool()) << json::serialize(ready);

    // Before a test: no verdicts yet, and no overall answer.
    auto doc = json_of(client.get("/thresholds"));
    ASSERT_TRUE(doc.is_object()) << json::serialize(doc);
    EXPECT_EQ(doc.at("thresholds").as_array().size(), 0u);
    EXPECT_TRUE(doc.at("passed").is_null());
    EXPECT_EQ(json_of(client.get("/stats/requests")).at("thresholds").as_array().size(), 0u);

    const auto started = client.post_form("/swarm", "user_count=2&spawn_rate=10");
    ASSERT_EQ(started.status, 200) << started.body;
    doc = poll_json(
        client, "/stats/requests",
        [](const json::value& d) {
            return aggregated(d).at("num_requests").to_number<std::int64_t>() > 0;
        },
        10s);
    // Every key Locust's scripts read is still there, beside "thresholds".
    for (const char* key : {"stats", "errors", "total_rps", "fail_ratio", "user_count", "state"})
        EXPECT_TRUE(doc.as_object().contains(key)) << key;
    expect_the_two(doc.at("thresholds"));
    for (const auto& v : doc.at("thresholds").as_array()) {
        EXPECT_EQ(v.at("status"), "pending");  // within their delay
        EXPECT_EQ(v.at("final"), false);
    }
    doc = json_of(client.get("/thresholds"));
    expect_the_two(doc.at("thresholds"));
    EXPECT_TRUE(doc.at("passed").is_null());  // live: no verdict yet

    // The UI's feed carries the same objects.
    const auto port = master.origin().substr(master.origin().rfind(':') + 1);
    ws_client ws("127.0.0.1", port, "/ws");
    EXPECT_EQ(json::parse(ws.read()).at("type"), "hello");
    const auto snap = json::parse(ws.read());
    EXPECT_EQ(snap.at("type"), "snapshot");
    expect_the_two(snap.at("thresholds"));

    doc = stop_and_wait(client);
    expect_the_two(doc.at("thresholds"));
    // Judged once more at the end, the delay notwithstanding: nothing failed
    // and the target answers in well under 2 s.
    for (const auto& v : doc.at("thresholds").as_array()) {
        EXPECT_EQ(v.at("status"), "passing") << json::serialize(v);
        EXPECT_EQ(v.at("final"), true);
        EXPECT_FALSE(v.at("value_text").as_string().empty());
    }
    EXPECT_EQ(json_of(client.get("/thresholds")).at("passed"), true);
    const auto result = json_of(client.get("/stats/result.json"));
    expect_the_two(result.at("thresholds"));
    EXPECT_EQ(json::serialize(result.at("thresholds")), json::serialize(doc.at("thresholds")));
    // The HTML report inlines them for its Thresholds section.
    const auto report = client.get("/stats/report");
    EXPECT_EQ(report.status, 200);
    EXPECT_NE(report.body.find(R"("expression":"p95(GET home) < 2s")"), std::string::npos);
    EXPECT_NE(report.body.find("thresholds-section"), std::string::npos);
    EXPECT_GT(read_target_stats(target.url).total, 0);
}

// std::cout into a string while alive (run_headless prints there, on this thread only).
class captured_stdout {
  public:
    captured_stdout() : old_(std::cout.rdbuf(text_.rdbuf())) {}
    captured_stdout(const captured_stdout&) = delete;
    captured_stdout& operator=(const captured_stdout&) = delete;
    ~captured_stdout() { std::cout.rdbuf(old_); }
    std::string text() const { return text_.str(); }

  private:
    std::ostringstream text_;
    std::streambuf* old_;
};

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

TEST(web_thresholds_test, headless_prints_the_thresholds_under_each_table_and_the_summary) {
    const auto target = start_target({"--threads", "1"});
    const auto scenario = load_simple(target.url);
    master::headless_options o;
    o.bind = "inproc://thresholds-headless-" + std::to_string(::getpid());
    o.users = 2;
    o.spawn_rate = 10;
    o.run_time = 2500ms;
    o.host_override = target.url;
    o.table_interval = 500ms;
    o.thresholds = two_thresholds();
    o.json_file =
        ::testing::TempDir() + "/thresholds_headless_" + std::to_string(::getpid()) + ".json";
    zmq::context_t zmq;
    std::atomic<bool> interrupted{false};
    std::atomic<bool> worker_stop{false};
    std::thread worker;
    int code = -1;
    std::string out;
    {
        captured_stdout capture;
        code = master::run_headless(zmq, scenario.bundle, scenario.plan, o, interrupted, [&] {
            worker = std::thread(
                [&, w = local_worker(o.bind)] { worker::run_node(zmq, w, worker_stop); });
        });
        out = capture.text();
    }
    worker_stop = true;
    if (worker.joinable()) worker.join();
    EXPECT_EQ(code, 0) << out;  // nothing failed (pending or passing thresholds)
    // Under every live table (one each 500 ms of a 2.5 s run) and the summary.
    const std::size_t tables = count_of(out, "# fails |");  // the stats tables' header
    EXPECT_GE(tables, 3u) << out;
    EXPECT_EQ(count_of(out, "Thresholds: "), tables) << out;
    EXPECT_EQ(count_of(out, " p95(GET home) < 2s  "), tables) << out;
    EXPECT_EQ(count_of(out, " fail_ratio < 50%    "), tables) << out;
    // The summary's block is the last thing about the run.
    const auto summary = out.rfind("Response time percentiles");
    ASSERT_NE(summary, std::string::npos);
    EXPECT_NE(out.find("Thresholds: ", summary), std::string::npos);
    // --json: the same verdicts.
    std::ifstream file(o.json_file);
    const std::string text((std::istreambuf_iterator<char>(file)),
                           std::istreambuf_iterator<char>());
    const auto result = json::parse(text);
    expect_the_two(result.at("thresholds"));
    for (const auto& v : result.at("thresholds").as_array()) {
        EXPECT_EQ(v.at("status"), "passing") << json::serialize(v);
        EXPECT_EQ(v.at("final"), true);
    }
    std::remove(o.json_file.c_str());
}

}  // namespace
}  // namespace swarm::test
