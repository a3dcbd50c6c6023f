// The user's observer (worker/user/observer.hpp, what `swarm try` prints
// from): told of every exchange once, in order, with what the stats record.
#include <gtest/gtest.h>

#include "tests/worker_user/harness.hpp"

namespace swarm::worker::user::testing {
namespace {

struct seen_exchange {
    std::string url;
    int status = 0;       // 0: the send failed
    std::string verdict;  // "" when it passed
    std::string body;     // of the response
};

class recording_observer final : public user_observer {
  public:
    void on_response(const scenario::request_step& /*step*/, const http::request& sent,
                     const response_facts& facts, const swarm::result<void>& verdict) override {
        seen.push_back({sent.url, facts.response.status,
                        verdict ? std::string() : verdict.error().message, facts.response.body});
    }
    void on_send_failed(const scenario::request_step& /*step*/, const http::request& sent,
                        const http::error& /*failure*/, const std::string& message) override {
        seen.push_back({sent.url, 0, message, {}});
    }
    std::vector<seen_exchange> seen;
};

const char* const scenario_text = R"yaml(
host: http://h
users:
  U:
    tasks:
      t:
        steps:
          - get: /a
            extract: {word: {regex: "w=(\\w+)", group: 1}}
          - get: "/b?x={{ word }}"
            check: {body_contains: nope}
          - get: /broken
)yaml";

TEST(user_observer, is_told_of_every_exchange_once_with_the_recorded_verdict) {
    harness h(scenario_text);
    h.web->routes["GET http://h/a"].body = "w=hello";
    h.web->routes["GET http://h/b"].body = "something else";
    h.web->routes["GET http://h/broken"].error = http::error(http::errc::refused);
    recording_observer observer;
    h.sink.observer = &observer;
    h.stop_after(3);
    h.start();
    h.run();
    ASSERT_EQ(observer.seen.size(), 3u);
    EXPECT_EQ(observer.seen[0].url, "http://h/a");
    EXPECT_EQ(observer.seen[0].status, 200);
    EXPECT_EQ(observer.seen[0].verdict, "");
    EXPECT_EQ(observer.seen[0].body, "w=hello");  // before the user lets the body go
    EXPECT_EQ(observer.seen[1].url, "http://h/b?x=hello");
    EXPECT_NE(observer.seen[1].verdict, "");
    EXPECT_EQ(h.errors("GET", "/b?x={{ word }}", observer.seen[1].verdict), 1u);
    EXPECT_EQ(observer.seen[2].url, "http://h/broken");
    EXPECT_EQ(observer.seen[2].status, 0);
    EXPECT_EQ(h.errors("GET", "/broken", observer.seen[2].verdict), 1u);
    EXPECT_EQ(h.count("GET", "/a"), 1u);
}

TEST(user_observer, is_optional_the_stats_are_the_same_without_one) {
    harness h(scenario_text);
    h.web->routes["GET http://h/a"].body = "w=hello";
    h.stop_after(3);
    h.start();
    h.run();
    EXPECT_EQ(h.count("GET", "/a"), 1u);
    EXPECT_EQ(h.count("GET", "/b?x={{ word }}"), 1u);
    EXPECT_EQ(h.count("GET", "/broken"), 1u);
}

}  // namespace
}  // namespace swarm::worker::user::testing
