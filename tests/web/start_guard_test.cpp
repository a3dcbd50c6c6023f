// POST /swarm from a stale view, and a host sent to a running test, against a
// real `swarm run` and `swarm target`: a form made for another test is
// refused 409 (a Locust script that sends no test id edits as before), an
// edit says what it changes, and a running test's host is never changed nor
// recorded falsely.
#include <gmock/gmock.h>

#include <boost/json/serialize.hpp>

#include <csignal>
#include <cstdio>
#include <thread>

#include "tests/integration/run_support.hpp"
#include "tests/support/files.hpp"
#include "tests/web/web_support.hpp"

namespace swarm::test {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;
using namespace std::chrono_literals;

class start_guard_test : public ::testing::Test {
  protected:
    void SetUp() override {
        target_ = start_target({"--threads", "1"});
        result_ = ::testing::TempDir() + "/start_guard.json";
        std::remove(result_.c_str());
        ui_ = start_ui(simple_scenario(), {"-H", target_.url, "--json", result_});
        client_ = std::make_unique<http_client>(ui_.origin);
        const auto ready = poll_json(
            *client_, "/readyz",
            [](const json::value& d) { return d.is_object() && d.at("ready").as_bool(); }, 20s);
        ASSERT_TRUE(ready.at("ready").as_bool()) << json::serialize(ready);
    }

    http_response post(const std::string& body,
                       const std::string& type = "application/x-www-form-urlencoded") {
        return client_->request({"POST", "/swarm", body, type, "", {}});
    }

    std::int64_t users_when_spawned(std::int64_t users) {
        const auto doc = poll_json(
            *client_, "/stats/requests",
            [&](const json::value& d) {
                return d.at("user_count").to_number<std::int64_t>() == users &&
                       d.at("state").as_string() == "running";
            },
            10s);
        return doc.at("user_count").to_number<std::int64_t>();
    }

    running_target target_;
    std::string result_;
    running_ui ui_;
    std::unique_ptr<http_client> client_;
};

TEST_F(start_guard_test, a_form_made_for_another_test_is_refused_and_changes_nothing) {
    // The dialog was opened when no test had run (tests_started 0).
    auto r = post("user_count=4&spawn_rate=50&run_time=30s&tests_started=0");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json_of(r).at("tests_started").to_number<std::int64_t>(), 1);
    ASSERT_EQ(users_when_spawned(4), 4);

    // Another dialog, opened before that start, still shows test 0.
    r = post("user_count=1&spawn_rate=50&tests_started=0");
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_THAT(r.body, HasSubstr("made for test 0, but test 1 is the current one"));
    r = post(R"({"user_count": 1, "spawn_rate": 50, "tests_started": 0})", "application/json");
    EXPECT_EQ(r.status, 409) << r.body;
    std::this_thread::sleep_for(1500ms);
    EXPECT_EQ(users_when_spawned(4), 4);  // still the running test's users

    // The current test's id edits, and says what it changed.
    r = post("user_count=2&spawn_rate=50&tests_started=1");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_THAT(json_of(r).at("message").as_string().c_str(), HasSubstr("users 4 \u2192 2"));
    EXPECT_EQ(users_when_spawned(2), 2);
    // No id (a Locust script): edits as before; no run_time keeps the 30s.
    r = post("user_count=3&spawn_rate=50");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json_of(r).at("changes").as_string(), "users 2 \u2192 3");
    EXPECT_EQ(users_when_spawned(3), 3);
    EXPECT_EQ(post("user_count=3&tests_started=x").status, 400);
    stop_and_wait(*client_);
}

TEST_F(start_guard_test, a_running_tests_host_is_neither_changed_nor_recorded_falsely) {
    ASSERT_EQ(post("user_count=2&spawn_rate=50").status, 200);
    ASSERT_EQ(users_when_spawned(2), 2);
    auto r = post("user_count=2&spawn_rate=50&host=http%3A%2F%2F127.0.0.1%3A9");
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_THAT(r.body, HasSubstr("host: the running test sends to " + target_.url));
    r = post(R"({"user_count": 3, "host": "http://127.0.0.1:9"})", "application/json");
    EXPECT_EQ(r.status, 409) << r.body;
    // The same host is no change; no host keeps the running one.
    r = post(R"({"user_count": 3, "spawn_rate": 50, "host": ")" + target_.url + R"("})",
             "application/json");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json_of(r).at("host").as_string(), target_.url);
    EXPECT_EQ(users_when_spawned(3), 3);
    stop_and_wait(*client_);

    ui_.process->send_signal(SIGINT);
    ASSERT_EQ(ui_.process->wait_exit(30s), 0);
    const auto result = read_json_file(result_);
    EXPECT_EQ(result.at("run").at("host").as_string(), target_.url);
    // Every request went to the target: none to the refused host.
    EXPECT_EQ(total_requests(result), read_target_stats(target_.url).total);
}

}  // namespace
}  // namespace swarm::test
