#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>

#include <cmath>

#include "tests/worker_user/harness.hpp"

namespace swarm::worker::user {
namespace {

using testing::harness;
using strings = std::vector<std::string>;

TEST(virtual_user, vars_in_order_then_on_start_tasks_and_on_stop) {
    harness h(R"(host: http://h
users:
  U:
    vars: {a: "x{{ user_id }}", b: "{{ a }}y"}
    on_start: [{get: "/start/{{ b }}"}]
    on_stop: [{get: /stop}]
    tasks:
      t: {get: /task}
)");
    h.start();
    h.stop_after(3);
    h.run();
    EXPECT_EQ(h.web->lines(), (strings{"GET http://h/start/x7y", "GET http://h/task",
                                       "GET http://h/task", "GET http://h/stop"}));
    EXPECT_EQ(h.finished, 1);
    EXPECT_TRUE(h.users[0]->done());
    EXPECT_EQ(h.web->closed, 1);
    EXPECT_EQ(h.users[0]->environment().iteration(), 2);
}

TEST(virtual_user, stats_recorded_once_per_request_under_the_written_name) {
    harness h(R"(host: http://h
users:
  U:
    tasks:
      t:
        steps:
          - get: "/items/{{ iteration }}"
          - get: "/api/items/{{ iteration }}"
            name: /api/items/[id]
          - post: /missing
)");
    h.web->routes["POST http://h/missing"].status = 404;
    h.start();
    h.stop_after(9);
    h.run();
    ASSERT_EQ(h.web->received.size(), 9u);
    EXPECT_EQ(h.count("GET", "/items/{{ iteration }}"), 3u);
    EXPECT_EQ(h.count("GET", "/api/items/[id]"), 3u);
    EXPECT_EQ(h.count("POST", "/missing"), 3u);
    EXPECT_EQ(h.failures("POST", "/missing"), 3u);
    EXPECT_EQ(h.failures("GET", "/api/items/[id]"), 0u);
    EXPECT_EQ(h.errors("POST", "/missing", "HTTP 404"), 3u);
    EXPECT_EQ(h.delta.requests.total().requests(), 9u);
    EXPECT_EQ(h.delta.errors.size(), 1u);
    EXPECT_EQ(h.web->lines()[3], "GET http://h/items/1");
}

// A check's own message words failed checks, not a send that failed.
TEST(virtual_user, transport_error_is_a_failed_request_in_the_transports_words) {
    harness h(
        "host: http://h\nusers:\n  U:\n    tasks:\n      t: {get: /x, check: {message: custom}}\n");
    h.web->fallback.error = http::error(http::errc::refused);
    h.start();
    h.stop_after(2);
    h.run();
    EXPECT_EQ(h.count("GET", "/x"), 2u);
    EXPECT_EQ(h.failures("GET", "/x"), 2u);
    EXPECT_EQ(h.errors("GET", "/x", "connection refused"), 2u);
    EXPECT_EQ(h.delta.errors.size(), 1u);
}

TEST(virtual_user, failed_extraction_fails_the_request_and_ends_the_task) {
    harness h(R"(host: http://h
users:
  U:
    tasks:
      t:
        steps:
          - get: /form
            extract: {token: {input: csrf_token}}
          - post: /form
            form: {csrf_token: "{{ token }}"}
)");
    h.web->routes["GET http://h/form"].body = "<p>no form today</p>";
    h.start();
    h.stop_after(3);
    h.run();
    EXPECT_EQ(h.web->count("POST http://h/form"), 0u);
    EXPECT_EQ(h.count("GET", "/form"), 3u);
    EXPECT_EQ(h.errors("GET", "/form", "extract 'token': no match"), 3u);
}

TEST(virtual_user, extracted_values_feed_later_steps_and_last_status_drives_if) {
    harness h(R"(host: http://h
users:
  U:
    tasks:
      t:
        steps:
          - get: /login
            check: {status: [200, 401]}
            extract: {sid: {header: X-Session}, n: {json: "$.n"}}
          - if: "last.status == 401"
            steps: [{post: "/signin/{{ n }}"}]
            else: [{get: "/account/{{ sid }}"}]
)");
    auto& login = h.web->routes["GET http://h/login"];
    login.status = 401;
    login.headers = {{"X-Session", "s1"}};
    login.body = R"({"n": 3})";
    h.start();
    h.web->after_send = [&](std::size_t n) {
        if (n == 2) h.web->routes["GET http://h/login"].status = 200;
        if (n == 4) h.users[0]->request_stop(stop_mode::graceful);
    };
    h.run();
    EXPECT_EQ(h.web->lines(), (strings{"GET http://h/login", "POST http://h/signin/3",
                                       "GET http://h/login", "GET http://h/account/s1"}));
    EXPECT_EQ(h.delta.errors.size(), 0u);
}

TEST(virtual_user, repeat_let_and_task_let) {
    harness h(R"(host: http://h
users:
  U:
    tasks:
      t:
        let: {word: hello}
        steps:
          - repeat: 3
            steps:
              - let: {i: "{{ i + 1 }}"}
              - get: "/{{ word }}/{{ i }}"
)");
    h.start();
    h.stop_after(3);
    h.run();
    EXPECT_EQ(h.web->lines(),
              (strings{"GET http://h/hello/1", "GET http://h/hello/2", "GET http://h/hello/3"}));
}

TEST(virtual_user, sleep_waits) {
    harness h(R"(host: http://h
users:
  U:
    tasks:
      t: [{get: /a}, {sleep: 30ms}, {get: /b}]
)");
    h.start();
    h.stop_after(2);
    const auto t0 = std::chrono::steady_clock::now();
    h.run();
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(30));
    EXPECT_EQ(h.web->lines(), (strings{"GET http://h/a", "GET http://h/b"}));
}

TEST(virtual_user, nested_sequential_set_runs_on_start_iterations_on_stop_then_returns) {
    harness h(R"(host: http://h
users:
  U:
    tasks:
      flow:
        sequential: true
        iterations: 3
        on_start: [{get: /in}]
        on_stop: [{get: /out}]
        tasks:
          a: {get: /a}
          b: {get: /b}
)");
    h.start();
    h.stop_after(10);
    h.run();
    EXPECT_EQ(h.web->lines(),
              (strings{"GET http://h/in", "GET http://h/a", "GET http://h/b", "GET http://h/a",
                       "GET http://h/out", "GET http://h/in", "GET http://h/a", "GET http://h/b",
                       "GET http://h/a", "GET http://h/out"}));
}

TEST(virtual_user, interrupt_leaves_the_nested_set_at_once) {
    harness h(R"(host: http://h
users:
  U:
    tasks:
      outer:
        sequential: true
        on_stop: [{get: /out}]
        tasks:
          a: {get: /a}
          b:
            steps:
              - get: /b
              - if: "last.status >= 500"
                steps: [interrupt]
              - get: /after
)");
    h.web->routes["GET http://h/b"].status = 503;
    h.start();
    h.stop_after(6);
    h.run();
    EXPECT_EQ(h.web->lines(), (strings{"GET http://h/a", "GET http://h/b", "GET http://h/out",
                                       "GET http://h/a", "GET http://h/b", "GET http://h/out"}));
}

TEST(virtual_user, stop_user_runs_on_stop_and_ends_for_good) {
    harness h(R"(host: http://h
users:
  U:
    on_stop: [{get: /bye}]
    tasks:
      t:
        steps:
          - get: /
          - stop_user
          - get: /never
)");
    h.start();
    h.run();
    EXPECT_EQ(h.web->lines(), (strings{"GET http://h/", "GET http://h/bye"}));
    EXPECT_TRUE(h.users[0]->done());
}

TEST(virtual_user, stop_user_inside_a_nested_set_skips_its_on_stop) {
    harness h(R"(host: http://h
users:
  U:
    on_stop: [{get: /bye}]
    tasks:
      n:
        on_stop: [{get: /nested-out}]
        tasks:
          x: [{get: /x}, stop_user]
)");
    h.start();
    h.run();
    EXPECT_EQ(h.web->lines(), (strings{"GET http://h/x", "GET http://h/bye"}));
}

TEST(virtual_user, weighted_tasks_picked_in_proportion) {
    harness h(R"(host: http://h
users:
  U:
    tasks:
      a: {weight: 10, get: /a}
      b: {weight: 5, get: /b}
      c: {weight: 1, get: /c}
)");
    const int n = 16000;
    h.start(11, 99);
    h.stop_after(n);
    h.run();
    const std::array<std::pair<const char*, double>, 3> tasks{{{"GET http://h/a", 10.0 / 16},
                                                               {"GET http://h/b", 5.0 / 16},
                                                               {"GET http://h/c", 1.0 / 16}}};
    for (const auto& [key, p] : tasks) {
        const double sigma = std::sqrt(n * p * (1 - p));
        EXPECT_NEAR(static_cast<double>(h.web->count(key)), n * p, 3 * sigma) << key;
    }
}

TEST(virtual_user, same_seed_same_choices_and_next_starts_at_the_first_record) {
    const std::string source = R"(host: http://h
data:
  words: {file: words.txt}
users:
  U:
    vars: {first: "{{ next(words) }}", second: "{{ next(words) }}"}
    tasks:
      a: {get: "/a/{{ first }}/{{ second }}/{{ rand_int(1, 1000000) }}"}
      b: {get: /b}
)";
    auto plan = testing::compile_plan(source, {{"words.txt", "w0\nw1\nw2\nw3\n"}});
    ASSERT_TRUE(plan);
    auto program = std::make_shared<user_program>(plan, 0);
    auto lines = [&](std::int64_t user, std::uint64_t seed) {
        boost::asio::io_context io;
        stats::delta delta;
        user_sink sink{&delta};
        auto web = std::make_shared<testing::fake_web>();
        virtual_user u(program, {user, 1, seed}, std::make_unique<testing::fake_session>(web), sink,
                       io.get_executor());
        web->after_send = [&](std::size_t n) {
            if (n == 20) u.request_stop(stop_mode::now);
        };
        boost::asio::co_spawn(io, u.run(), boost::asio::detached);
        io.run();
        return web->lines();
    };
    const auto first = lines(2, 5);
    EXPECT_EQ(first, lines(2, 5));
    EXPECT_NE(first, lines(2, 6));
    EXPECT_NE(first, lines(3, 5));
    bool saw_a = false;
    for (const auto& l : first) {
        if (l.starts_with("GET http://h/a/")) {
            // Without the worker's cursors (feeders_test.cpp) each user
            // draws from its own, from the first record.
            EXPECT_TRUE(l.starts_with("GET http://h/a/w0/w1/")) << l;
            saw_a = true;
        }
    }
    EXPECT_TRUE(saw_a);
}

TEST(virtual_user, last_body_kept_only_when_the_class_reads_it) {
    harness reads(R"(host: http://h
users:
  U:
    tasks:
      t:
        steps:
          - get: /a
          - if: "last.body contains 'ready'"
            steps: [{get: /ready}]
)");
    reads.web->fallback.body = "all ready";
    reads.start();
    reads.stop_after(2);
    reads.run();
    EXPECT_TRUE(reads.program->keeps_last_body());
    EXPECT_EQ(reads.web->lines(), (strings{"GET http://h/a", "GET http://h/ready"}));
    EXPECT_EQ(reads.users[0]->environment().last_body(), "all ready");

    harness ignores("host: http://h\nusers:\n  U:\n    tasks:\n      t: {get: /a}\n");
    ignores.web->fallback.body = "big body";
    ignores.start();
    ignores.stop_after(1);
    ignores.run();
    EXPECT_FALSE(ignores.program->keeps_last_body());
    EXPECT_EQ(ignores.users[0]->environment().last_body(), "");
    EXPECT_EQ(ignores.users[0]->environment().last_status(), 200);
}

TEST(virtual_user, exception_in_the_session_is_an_internal_error_and_ends_the_user) {
    harness h("host: http://h\nusers:\n  U:\n    tasks:\n      t: {get: /x}\n");
    h.web->fallback.throws = true;
    h.start();
    h.run();
    EXPECT_TRUE(h.users[0]->done());
    EXPECT_EQ(h.errors("", "U", "internal: boom"), 1u);
}

TEST(mentions_last_body, finds_the_name_not_lookalikes) {
    EXPECT_TRUE(mentions_last_body("last.body contains 'x'"));
    EXPECT_TRUE(mentions_last_body("{{ len(last . body) }}"));
    EXPECT_FALSE(mentions_last_body("last.status == 200"));
    EXPECT_FALSE(mentions_last_body("{{ my_last.body_x }}"));
    EXPECT_FALSE(mentions_last_body("{{ last.bodyguard }}"));
}

}  // namespace
}  // namespace swarm::worker::user
