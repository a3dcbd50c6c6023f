// Check values that are templates (issue 16): rendered per response for the
// user who sent the request, in body_contains / body_not_contains, a json
// check's plain value and a header's or cookie's `equals:`.
#include <gtest/gtest.h>

#include <optional>

#include "tests/worker_user/harness.hpp"
#include "worker/user/checks.hpp"
#include "worker/user/environment.hpp"

namespace swarm::worker::user {
namespace {

using testing::compile_plan;
using testing::fake_session;
using testing::fake_web;
using testing::first_request;

class template_checks : public ::testing::Test {
  protected:
    // The failure message for user 7 (vars: id "42"), or nullopt on a pass.
    std::optional<std::string> judge(const std::string& check_yaml) {
        plan_ = compile_plan(
            "host: http://h\nusers:\n  U:\n    vars: {id: \"42\"}\n    tasks:\n      t:\n"
            "        get: /x\n        check: " +
            check_yaml + "\n");
        EXPECT_TRUE(plan_);
        if (!plan_) return "no plan";
        program_ = std::make_shared<user_program>(plan_, 0);
        // The user's variables name the plan's strings: a user per plan.
        env_.emplace(7, 1, 42);
        env_->assign(plan_->users[0].vars);
        const auto& step = first_request(*plan_);
        lazy_json json(resp_.body);
        const response_facts facts{resp_, session_, "http://h/x", json, &*env_};
        const auto verdict = check_response(step.check, program_->prepared(step).expected, facts);
        if (verdict) return std::nullopt;
        return verdict.error().message;
    }

    std::shared_ptr<const scenario::plan> plan_;
    std::shared_ptr<const user_program> program_;
    std::optional<user_environment> env_;
    std::shared_ptr<fake_web> web_ = std::make_shared<fake_web>();
    fake_session session_{web_};
    http::response resp_ = [] {
        http::response r;
        r.status = 200;
        r.headers = {{"Content-Type", "application/json"}, {"X-Id", "42"}};
        r.body = R"({"id": 42, "owner": "user-7", "tags": ["a"]})";
        return r;
    }();
};

TEST_F(template_checks, body_contains_renders_for_the_user) {
    EXPECT_EQ(judge("{body_contains: \"user-{{ user_id }}\"}"), std::nullopt);
    EXPECT_EQ(judge("{body_contains: [owner, \"user-{{ user_id + 1 }}\"]}"),
              "body does not contain 'user-8'");
    EXPECT_EQ(judge("{body_not_contains: \"{{ upper('owner') }}\"}"), std::nullopt);
    EXPECT_EQ(judge("{body_not_contains: \"\\\"id\\\": {{ id }}\"}"), "body contains '\"id\": 42'");
}

TEST_F(template_checks, a_json_value_compares_as_text) {
    EXPECT_EQ(judge("{json: {\"$.id\": \"{{ id }}\"}}"), std::nullopt);
    EXPECT_EQ(judge("{json: {\"$.owner\": \"user-{{ user_id }}\"}}"), std::nullopt);
    EXPECT_EQ(judge("{json: {\"$.id\": \"{{ id + 1 }}\"}}"), "json $.id: expected '43', got '42'");
    EXPECT_EQ(judge("{json: {\"$.tags\": \"{{ id }}\"}}"),
              "json $.tags: expected '42', got '[\"a\"]'");
    EXPECT_EQ(judge("{json: {\"$.nope\": \"{{ id }}\"}}"), "json $.nope: missing");
}

TEST_F(template_checks, header_and_cookie_equals) {
    EXPECT_EQ(judge("{header: {X-Id: {equals: \"{{ id }}\"}}}"), std::nullopt);
    EXPECT_EQ(judge("{header: {X-Id: {equals: \"{{ user_id }}\"}}}"),
              "header X-Id: '42', expected '7'");
    EXPECT_EQ(judge("{header: {X-Missing: {equals: \"{{ id }}\"}}}"), "header X-Missing: missing");
    web_->set_cookie("http://h/x", "sid=s7; Path=/");
    EXPECT_EQ(judge("{cookie: {sid: {equals: \"s{{ user_id }}\"}}}"), std::nullopt);
    EXPECT_EQ(judge("{cookie: {sid: {equals: \"s{{ id }}\"}}}"),
              "cookie sid: 's7', expected 's42'");
}

}  // namespace
}  // namespace swarm::worker::user
