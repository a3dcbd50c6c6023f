// `parallel:` blocks run by a virtual user against the fake session: the
// requests overlap, each keeps its own row and failure, extractions land in
// list order once all have ended, and a stop counts each request once.
#include <gtest/gtest.h>

#include <chrono>

#include "tests/worker_user/harness.hpp"

namespace swarm::worker::user {
namespace {

using namespace std::chrono_literals;
using testing::harness;
using strings = std::vector<std::string>;

TEST(parallel_block, sends_its_requests_at_once_each_on_its_own_row) {
    harness h(R"y(host: http://h
users:
  U:
    tasks:
      page:
        steps:
          - get: /
          - parallel:
              - get: /a.css
              - {get: /b.js, name: script}
              - get: /missing.png
              - post: /beacon
          - get: /after
)y");
    for (const char* route : {"GET http://h/a.css", "GET http://h/b.js", "GET http://h/missing.png",
                              "POST http://h/beacon"}) {
        h.web->routes[route].delay = 100ms;
    }
    h.web->routes["GET http://h/missing.png"].status = 404;
    h.start();
    h.stop_after(6);  // graceful: the page's task ends, then the user
    h.run();
    EXPECT_EQ(h.web->most_in_flight, 4u);
    const auto lines = h.web->lines();
    ASSERT_EQ(lines.size(), 6u);
    EXPECT_EQ(lines.front(), "GET http://h/");
    EXPECT_EQ(lines.back(), "GET http://h/after");  // after every request of the block ended
    EXPECT_EQ(h.count("GET", "/a.css"), 1u);
    EXPECT_EQ(h.count("GET", "script"), 1u);
    EXPECT_EQ(h.count("POST", "/beacon"), 1u);
    EXPECT_EQ(h.count("GET", "/missing.png"), 1u);
    EXPECT_EQ(h.failures("GET", "/missing.png"), 1u);
    EXPECT_EQ(h.errors("GET", "/missing.png", "HTTP 404"), 1u);
    EXPECT_EQ(h.failures("GET", "/a.css"), 0u);
    EXPECT_EQ(h.delta.requests.total().requests(), 6u);
    EXPECT_EQ(h.delta.requests.total().failures(), 1u);
}

TEST(parallel_block, extractions_land_in_list_order_after_all_have_ended) {
    harness h(R"y(host: http://h
users:
  U:
    tasks:
      t:
        steps:
          - parallel:
              - get: /slow
                extract: {x: {regex: "v=(\\w+)", group: 1}, from_slow: {regex: "v=(\\w+)", group: 1}}
              - get: /quick
                extract: {x: {regex: "v=(\\w+)", group: 1}}
          - get: "/next/{{ x }}/{{ from_slow }}/{{ last.status }}"
)y");
    auto& slow = h.web->routes["GET http://h/slow"];
    slow.body = "v=slow";
    slow.delay = 150ms;
    slow.status = 201;
    h.web->routes["GET http://h/quick"].body = "v=quick";
    h.start();
    h.stop_after(3);
    h.run();
    // /quick ended first, but it is later in the list: its value wins, and
    // last.status is the last request's (200), not the last to end.
    EXPECT_EQ(h.web->lines().back(), "GET http://h/next/quick/slow/200");
}

TEST(parallel_block, a_missing_extraction_ends_the_task_after_the_whole_block) {
    harness h(R"y(host: http://h
users:
  U:
    tasks:
      t:
        steps:
          - parallel:
              - {get: /no-token, extract: {token: {regex: "token=(\\w+)", group: 1}}}
              - get: /other
          - get: "/use/{{ token }}"
)y");
    h.web->routes["GET http://h/other"].delay = 50ms;
    h.start();
    h.stop_after(4);
    h.run();
    EXPECT_EQ(h.count("GET", "/no-token"), 2u);
    EXPECT_EQ(h.failures("GET", "/no-token"), 2u);
    EXPECT_EQ(h.errors("GET", "/no-token", "extract 'token': no match"), 2u);
    EXPECT_EQ(h.count("GET", "/other"), 2u);  // recorded, though the block's other request failed
    EXPECT_EQ(h.failures("GET", "/other"), 0u);
    EXPECT_EQ(h.web->count("GET http://h/use/"), 0u);
}

TEST(parallel_block, a_stop_cancels_every_request_in_flight_once) {
    harness h(R"y(host: http://h
users:
  U:
    tasks:
      t:
        steps:
          - parallel: [{get: /s1}, {get: /s2}, {get: /s3}]
)y");
    h.web->fallback.delay = 5s;
    virtual_user& u = h.start();
    h.io.run_for(200ms);
    EXPECT_EQ(h.web->in_flight, 3u);
    const auto stopped_at = std::chrono::steady_clock::now();
    u.request_stop(stop_mode::cancel);
    h.io.restart();
    h.run();
    EXPECT_LT(std::chrono::steady_clock::now() - stopped_at, 2s);
    EXPECT_TRUE(u.done());
    for (const char* name : {"/s1", "/s2", "/s3"}) {
        EXPECT_EQ(h.count("GET", name), 1u) << name;
        EXPECT_EQ(h.errors("GET", name, "cancelled: test stopped"), 1u) << name;
    }
    EXPECT_EQ(h.delta.requests.total().requests(), 3u);
}

TEST(parallel_block, a_group_around_a_block_lasts_about_its_slowest_request) {
    harness h(R"y(host: http://h
users:
  U:
    tasks:
      t:
        steps:
          - group: page
            steps:
              - parallel: [{get: /a}, {get: /b}, {get: /c}, {get: /d}]
)y");
    h.web->fallback.delay = 200ms;
    h.start();
    h.stop_after(4);
    h.run();
    const auto* page = h.delta.requests.find("GROUP", "page");
    ASSERT_NE(page, nullptr);
    EXPECT_EQ(page->requests(), 1u);
    // About one 200 ms request, far below the 800 ms of four in a row.
    EXPECT_GE(page->min_latency_us(), 200'000u);
    EXPECT_LT(page->max_latency_us(), 640'000u);
}

}  // namespace
}  // namespace swarm::worker::user
