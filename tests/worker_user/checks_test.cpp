#include <gtest/gtest.h>

#include "tests/worker_user/harness.hpp"
#include "worker/user/checks.hpp"

namespace swarm::worker::user {
namespace {

using testing::compile_plan;
using testing::fake_session;
using testing::fake_web;
using testing::first_request;

// One request step with `check: <check_yaml>`, judged against a response.
class checks_fixture : public ::testing::Test {
  protected:
    // The failure message, or nullopt when the response passes.
    std::optional<std::string> judge(const std::string& check_yaml) {
        plan_ = compile_plan(
            "host: http://h\nusers:\n  U:\n    tasks:\n      t:\n        get: /x\n        check: " +
            check_yaml + "\n");
        EXPECT_TRUE(plan_);
        if (!plan_) return "no plan";
        program_ = std::make_shared<user_program>(plan_, 0);
        const auto& step = first_request(*plan_);
        lazy_json json(resp_.body);
        const response_facts facts{resp_, session_, "http://h/x", json};
        const auto verdict = check_response(step.check, program_->prepared(step).expected, facts);
        if (verdict) return std::nullopt;
        return verdict.error().message;
    }

    std::shared_ptr<const scenario::plan> plan_;
    std::shared_ptr<const user_program> program_;
    std::shared_ptr<fake_web> web_ = std::make_shared<fake_web>();
    fake_session session_{web_};
    http::response resp_ = [] {
        http::response r;
        r.status = 200;
        r.headers = {{"Content-Type", "application/json; charset=utf-8"}};
        return r;
    }();
};

TEST_F(checks_fixture, default_rule_fails_4xx_and_5xx) {
    resp_.status = 399;
    EXPECT_EQ(judge("{}"), std::nullopt);
    resp_.status = 404;
    EXPECT_EQ(judge("{}"), "HTTP 404");
    resp_.status = 503;
    EXPECT_EQ(judge("{body_contains: x}"), "HTTP 503");
}

TEST_F(checks_fixture, status_list_replaces_the_default_rule) {
    resp_.status = 401;
    EXPECT_EQ(judge("{status: [200, 401]}"), std::nullopt);
    resp_.status = 204;
    EXPECT_EQ(judge("{status: 2xx}"), std::nullopt);
    resp_.status = 302;
    EXPECT_EQ(judge("{status: [2xx, 404]}"), "HTTP 302, expected 2xx or 404");
    resp_.status = 200;
    EXPECT_EQ(judge("{status: 204}"), "HTTP 200, expected 204");
}

TEST_F(checks_fixture, body_contains_and_not_contains) {
    resp_.body = "Founded in 1999. No error here";
    EXPECT_EQ(judge("{body_contains: Founded}"), std::nullopt);
    EXPECT_EQ(judge("{body_contains: [Founded, Closed]}"), "body does not contain 'Closed'");
    EXPECT_EQ(judge("{body_not_contains: warning}"), std::nullopt);
    EXPECT_EQ(judge("{body_not_contains: [warning, error]}"), "body contains 'error'");
}

TEST_F(checks_fixture, body_regex) {
    resp_.body = "order #1234 placed";
    EXPECT_EQ(judge("{body_regex: \"#[0-9]+\"}"), std::nullopt);
    EXPECT_EQ(judge("{body_regex: \"^#[0-9]+\"}"), "body does not match '^#[0-9]+'");
}

TEST_F(checks_fixture, json_equals_exists_matches) {
    resp_.body = R"({"id": 7, "name": "Bob", "price": 5.0, "tags": ["a"], "ok": true})";
    EXPECT_EQ(judge("{json: {\"$.id\": 7, \"$.price\": 5, \"$.tags[0]\": a, \"$.ok\": true}}"),
              std::nullopt);
    EXPECT_EQ(judge("{json: {\"$.id\": 5}}"), "json $.id: expected 5, got 7");
    EXPECT_EQ(judge("{json: {\"$.name\": \"bob\"}}"), "json $.name: expected \"bob\", got \"Bob\"");
    EXPECT_EQ(judge("{json: {\"$.x\": 1}}"), "json $.x: missing");
    EXPECT_EQ(judge("{json: {\"$.x\": {exists: true}}}"), "json $.x: missing");
    EXPECT_EQ(judge("{json: {\"$.x\": {exists: false}, \"$.id\": {exists: true}}}"), std::nullopt);
    EXPECT_EQ(judge("{json: {\"$.id\": {exists: false}}}"), "json $.id: expected absent");
    EXPECT_EQ(judge("{json: {\"$.name\": {matches: \"^[A-Z]\"}}}"), std::nullopt);
    EXPECT_EQ(judge("{json: {\"$.name\": {matches: \"^[a-z]\"}}}"),
              "json $.name: 'Bob' does not match '^[a-z]'");
}

TEST_F(checks_fixture, json_check_on_a_non_json_body) {
    resp_.body = "<html>";
    EXPECT_EQ(judge("{json: {\"$.id\": {exists: true}}}"), "response is not JSON");
}

TEST_F(checks_fixture, header_checks) {
    EXPECT_EQ(judge("{header: {content-type: application/json}}"), std::nullopt);
    EXPECT_EQ(judge("{header: {Content-Type: \"^text/\"}}"),
              "header Content-Type: 'application/json; charset=utf-8' does not match '^text/'");
    EXPECT_EQ(judge("{header: {X-Id: {exists: true}}}"), "header X-Id: missing");
    EXPECT_EQ(judge("{header: {X-Id: {exists: false}}}"), std::nullopt);
    EXPECT_EQ(judge("{header: {Content-Type: {exists: false}}}"),
              "header Content-Type: expected absent");
}

TEST_F(checks_fixture, cookie_checks_ask_the_session) {
    EXPECT_EQ(judge("{cookie: {session: {exists: true}}}"), "cookie session: missing");
    web_->set_cookie("http://h/", "session=abc123");
    EXPECT_EQ(judge("{cookie: {session: {exists: true}}}"), std::nullopt);
    EXPECT_EQ(judge("{cookie: {session: \"^abc\"}}"), std::nullopt);
    EXPECT_EQ(judge("{cookie: {session: \"^x\"}}"), "cookie session: 'abc123' does not match '^x'");
}

TEST_F(checks_fixture, max_ms) {
    resp_.latency = std::chrono::microseconds(1'234'000);
    EXPECT_EQ(judge("{max_ms: 2000}"), std::nullopt);
    EXPECT_EQ(judge("{max_ms: 1000}"), "took 1234 ms, max 1000 ms");
}

TEST_F(checks_fixture, custom_message_replaces_the_generated_one) {
    resp_.latency = std::chrono::microseconds(1'500'000);
    EXPECT_EQ(judge("{status: 200, max_ms: 1000, message: \"slow page too slow\"}"),
              "slow page too slow");
    resp_.latency = std::chrono::microseconds(1);
    EXPECT_EQ(judge("{status: 200, max_ms: 1000, message: \"slow page too slow\"}"), std::nullopt);
}

TEST_F(checks_fixture, first_failing_check_decides) {
    resp_.status = 500;
    resp_.body = "oops";
    resp_.latency = std::chrono::microseconds(5'000'000);
    EXPECT_EQ(judge("{status: 200, body_contains: ok, max_ms: 1}"), "HTTP 500, expected 200");
    resp_.status = 200;
    EXPECT_EQ(judge("{status: 200, body_contains: ok, max_ms: 1}"), "body does not contain 'ok'");
}

}  // namespace
}  // namespace swarm::worker::user
