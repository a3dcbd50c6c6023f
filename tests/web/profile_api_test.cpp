// POST /swarm with a load profile (stages) and an iteration limit, over a
// real `swarm run` against `swarm target`: what is accepted, what is refused
// (naming the field and the stage), and the workload model's fields of
// /stats/requests and the WebSocket (profile, planned users, classes,
// dropped iterations).
#include <gmock/gmock.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "tests/integration/run_support.hpp"
#include "tests/web/web_support.hpp"

namespace swarm::test {
namespace {

using ::testing::StartsWith;
namespace json = boost::json;
using namespace std::chrono_literals;

class web_profile_test : public ::testing::Test {
  protected:
    void SetUp() override {
        target_ = start_target({"--threads", "1"});
        ui_ = start_ui(simple_scenario(), {"-H", target_.url});
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

    json::value stop_and_wait() { return test::stop_and_wait(*client_); }

    running_target target_;
    running_ui ui_;
    std::unique_ptr<http_client> client_;
};

TEST_F(web_profile_test, a_bad_profile_or_iteration_count_is_refused_naming_the_stage) {
    const std::pair<const char*, const char*> cases[] = {
        {"stages=30s%3A2%2Cxx%3A5", "stages: stage 2: duration 'xx'"},
        {"stages=30s%3A2%40-1", "stages: stage 1: rate"},
        {"stages=%2C%2C", "stages: "},
        {"user_count=1&iterations=0", "iterations: expected a whole number from 1 to"},
        {"user_count=1&iterations=many", "iterations: expected a whole number from 1 to"},
    };
    for (const auto& [body, message] : cases) {
        const auto r = post(body);
        EXPECT_EQ(r.status, 400) << body;
        EXPECT_THAT(json_of(r).at("message").as_string().c_str(), StartsWith(message)) << body;
    }
    // A profile's users must fit the workers like user_count: 1 worker here.
    const auto r = post("stages=10s%3A2000000");
    EXPECT_EQ(r.status, 400);
    EXPECT_THAT(json_of(r).at("message").as_string().c_str(), StartsWith("stages: 2000000 users"));
    EXPECT_EQ(json_of(client_->get("/stats/requests")).at("state").as_string(), "ready");
}

TEST_F(web_profile_test, a_profile_started_over_rest_is_reported_with_its_stage) {
    // Without a profile: the fields are there, empty.
    auto doc = json_of(client_->get("/stats/requests"));
    EXPECT_TRUE(doc.at("profile").is_null());
    EXPECT_TRUE(doc.at("planned_users").is_null());
    EXPECT_TRUE(doc.at("iteration_limit").is_null());
    EXPECT_EQ(doc.at("dropped_iterations").to_number<std::int64_t>(), 0);
    EXPECT_TRUE(doc.at("classes").is_array());

    const auto r =
        post(R"({"stages": "20s:2@50, 5s:0", "iterations": 100000})", "application/json");
    ASSERT_EQ(r.status, 200) << r.body;
    // Echoed in format_stages' form (a stage without @RATE moves in a second).
    EXPECT_EQ(json_of(r).at("stages").as_string(), "20s:2@50,5s:0@2");
    EXPECT_EQ(json_of(r).at("iterations").to_number<std::int64_t>(), 100000);
    doc = poll_json(
        *client_, "/stats/requests",
        [](const json::value& d) { return d.at("state").as_string() == "running"; }, 10s);
    const auto& profile = doc.at("profile");
    ASSERT_TRUE(profile.is_object()) << json::serialize(doc);
    EXPECT_EQ(profile.at("stages").as_string(), "20s:2@50,5s:0@2");
    EXPECT_EQ(profile.at("stage_count").to_number<int>(), 2);
    EXPECT_EQ(profile.at("stage").to_number<int>(), 1);  // 20 s not over yet
    EXPECT_FALSE(profile.at("manual").as_bool());
    EXPECT_EQ(doc.at("iteration_limit").to_number<std::int64_t>(), 100000);
    // Planned users: the profile's line (null only while the master has none).
    const auto& planned = doc.at("planned_users");
    if (!planned.is_null()) {
        EXPECT_LE(planned.to_number<std::int64_t>(), 2);
    }

    // The WebSocket's points carry the planned users and dropped iterations.
    poll_json(
        *client_, "/stats/requests",
        [](const json::value& d) {
            return aggregated(d).at("num_requests").to_number<std::int64_t>() > 0;
        },
        10s);
    const auto port = ui_.origin.substr(ui_.origin.rfind(':') + 1);
    ws_client ws("127.0.0.1", port, "/ws");
    const auto hello = json::parse(ws.read());
    EXPECT_EQ(hello.at("stages").as_string(), "");  // the scenario has no profile
    EXPECT_TRUE(hello.at("iterations").is_null());
    // A second closes 1.5 s into the run (run_stats.hpp): a few pushes at most.
    auto snap = json::parse(ws.read());
    for (int i = 0; i < 5 && snap.at("points").as_array().empty(); ++i)
        snap = json::parse(ws.read());
    ASSERT_FALSE(snap.at("points").as_array().empty());
    for (const auto& p : snap.at("points").as_array()) {
        EXPECT_TRUE(p.as_object().contains("planned")) << json::serialize(p);
        EXPECT_EQ(p.at("dropped").to_number<std::int64_t>(), 0);  // no open class
    }
    EXPECT_EQ(snap.at("profile").at("stage_count").to_number<int>(), 2);
    doc = stop_and_wait();
    EXPECT_TRUE(doc.at("profile").at("stage").is_null());  // not running
    // The Aggregated row is the requests', which the target counted.
    EXPECT_EQ(aggregated(doc).at("num_requests").to_number<std::int64_t>(),
              read_target_stats(target_.url).total);
}

}  // namespace
}  // namespace swarm::test
