// /readyz in its two modes, on a real `swarm master` with real workers: with
// the UI it is 200 as soon as the UI serves (a Kubernetes Service routes to
// it, so the UI can be opened before any worker arrives) and its body says
// whether the workers joined; headless it stays 503 until --expect-workers
// workers joined.
#include <gmock/gmock.h>

#include <boost/json/serialize.hpp>

#include <thread>

#include "tests/integration/cluster_support.hpp"
#include "tests/web/web_support.hpp"

namespace swarm::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

// The line's text after `prefix`, up to `end` (npos: to the end of the line).
std::string after(const std::optional<std::string>& line, const std::string& prefix, char end) {
    if (!line) throw std::runtime_error("swarm master did not print \"" + prefix + "\"");
    const auto from = line->find(prefix) + prefix.size();
    return line->substr(from, line->find(end, from) - from);
}

// "http://127.0.0.1:PORT" of a URL that goes on with a path.
std::string origin_of(const std::string& url) {
    return url.substr(0, url.find('/', url.find("://") + 3));
}

TEST(web_probes, with_the_ui_readyz_is_200_before_any_worker_and_its_body_says_who_joined) {
    auto target = start_target({"--threads", "1"});
    child_process master({swarm_binary(), "master", simple_scenario(), "-H", target.url, "--bind",
                          "127.0.0.1:0", "--web-host", "127.0.0.1", "--web-port", "0"});
    const auto zmq = after(master.wait_for_line("listening for workers on tcp://", 20s),
                           "listening for workers on tcp://", ';');
    http_client client(origin_of(
        after(master.wait_for_line("swarm: web UI at ", 20s), "swarm: web UI at ", '\n')));
    const auto alone = client.get("/readyz");
    EXPECT_EQ(alone.status, 200) << alone.body;
    const auto doc = json_of(alone);
    ASSERT_TRUE(doc.is_object()) << alone.body;
    EXPECT_FALSE(doc.at("ready").as_bool());
    EXPECT_EQ(doc.at("workers").to_number<int>(), 0);

    auto worker = start_worker(zmq, "probe-worker");
    const auto joined = poll_json(
        client, "/readyz", [](const json::value& d) { return d.at("ready").as_bool(); }, 20s);
    EXPECT_TRUE(joined.at("ready").as_bool()) << json::serialize(joined);
    EXPECT_EQ(client.get("/readyz").status, 200);
}

TEST(web_probes, headless_readyz_is_503_until_the_expected_workers_joined) {
    auto target = start_target({"--threads", "1"});
    child_process master({swarm_binary(),
                          "master",
                          simple_scenario(),
                          "--headless",
                          "-H",
                          target.url,
                          "--bind",
                          "127.0.0.1:0",
                          "--web-host",
                          "127.0.0.1",
                          "--web-port",
                          "0",
                          "--expect-workers",
                          "1",
                          "--expect-workers-max-wait",
                          "30s",
                          "-u",
                          "1",
                          "-r",
                          "10",
                          "-t",
                          "2s"});
    const auto zmq = after(master.wait_for_line("listening for workers on tcp://", 20s),
                           "listening for workers on tcp://", ';');
    http_client client(origin_of(after(master.wait_for_line("swarm: health probes at ", 20s),
                                       "swarm: health probes at ", '\n')));
    const auto waiting = client.get("/readyz");
    EXPECT_EQ(waiting.status, 503) << waiting.body;
    EXPECT_FALSE(json_of(waiting).at("ready").as_bool());

    auto worker = start_worker(zmq, "probe-worker");
    bool ready = false;
    for (int i = 0; i < 200 && !ready; ++i) {
        ready = client.get("/readyz").status == 200;
        if (!ready) std::this_thread::sleep_for(50ms);
    }
    EXPECT_TRUE(ready) << "/readyz never turned 200 once the worker joined";
    EXPECT_EQ(master.wait_exit(30s), 0);
}

}  // namespace
}  // namespace swarm::test
