// `swarm try` against `swarm target`: the requests it prints are the ones the
// target counted, each check and extraction is shown with its result, and a
// failed check makes the exit code.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <regex>

#include "tests/integration/run_support.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/swarm_command.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {
namespace {

const char* const shop = R"(
users:
  Visitor:
    wait: 0s
    on_start:
      - get: /about
        check: {status: 200, body_contains: Founded}
    tasks:
      contact:
        weight: 1
        steps:
          - get: /contact_us
            extract: {token: {input: csrf_token}}
          - post: /contact_us
            form: {csrf_token: "{{ token }}", email: a@b.c, subject: hi, message: hello}
            check: {status: 200}
      item:
        weight: 1
        get: /api/items/3
        check: {json: {"$.id": 3}, body_not_contains: error, max_ms: 30000}
)";

// Lines starting with "> METHOD URL", as "METHOD /path".
std::map<std::string, std::int64_t> printed_requests(const std::string& output,
                                                     const std::string& base) {
    std::map<std::string, std::int64_t> out;
    static const std::regex line(R"(^> (GET|POST) (\S+)$)");
    std::istringstream lines(output);
    for (std::string l; std::getline(lines, l);) {
        std::smatch m;
        if (!std::regex_match(l, m, line)) continue;
        std::string url = m[2];
        EXPECT_EQ(url.rfind(base, 0), 0u) << url;
        url = url.substr(base.size());
        out[m[1].str() + " " + url.substr(0, url.find('?'))] += 1;
    }
    return out;
}

TEST(try_command, prints_each_exchange_and_the_target_saw_exactly_those_requests) {
    const auto target = start_target();
    const auto file = write_scenario("try_shop.yaml", shop);
    const auto r =
        run_swarm_command({"try", file, "-H", target.url, "--task", "contact", "-n", "2"});
    EXPECT_EQ(r.exit_code, 0) << r.output;

    const auto printed = printed_requests(r.output, target.url);
    const std::map<std::string, std::int64_t> expected{
        {"GET /about", 1}, {"GET /contact_us", 2}, {"POST /contact_us", 2}};
    EXPECT_EQ(printed, expected) << r.output;
    const auto counted = read_target_stats(target.url);
    EXPECT_EQ(counted.requests, expected);
    EXPECT_EQ(counted.total, 5);

    // Piped: no colour. Every check and extraction with its result.
    EXPECT_EQ(r.output.find('\x1b'), std::string::npos);
    EXPECT_NE(r.output.find("< 200 in "), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("  ok   check status 200\n"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("  ok   check body_contains \"Founded\"\n"), std::string::npos);
    EXPECT_NE(r.output.find("  ok   check status < 400\n"), std::string::npos);  // the default rule
    EXPECT_NE(r.output.find("  ok   extract token: \""), std::string::npos) << r.output;
    // The form as sent, with the extracted token in it.
    EXPECT_NE(r.output.find("  | csrf_token="), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("Visitor: 2 iterations, 5 requests, 0 failed, 0 checks failed"),
              std::string::npos)
        << r.output;
}

TEST(try_command, shows_every_check_and_fails_when_one_fails) {
    const auto target = start_target();
    const auto file = write_scenario("try_fail.yaml", R"(
users:
  Reader:
    tasks:
      item:
        get: /api/items/3
        check: {json: {"$.id": 4}, body_contains: price, status: 200}
)");
    const auto r = run_swarm_command({"try", file, "-H", target.url});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("  ok   check status 200\n"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("  ok   check body_contains \"price\"\n"), std::string::npos);
    EXPECT_NE(r.output.find("  FAIL check json $.id: "), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("  | {\"id\":3,"), std::string::npos) << r.output;  // the body excerpt
    EXPECT_NE(r.output.find("Reader: 1 iteration, 1 requests, 1 failed, 1 checks failed"),
              std::string::npos)
        << r.output;
    EXPECT_EQ(read_target_stats(target.url).total, 1);
}

TEST(try_command, shows_binary_bodies_as_a_byte_count_and_failed_sends) {
    const auto target = start_target();
    const auto file = write_scenario("try_bytes.yaml", R"(
users:
  Getter:
    tasks:
      bytes:
        steps:
          - get: /bytes/3000
          - get: http://127.0.0.1:1/refused
)");
    const auto r = run_swarm_command({"try", file, "-H", target.url});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("(3000 bytes of binary data)"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("  FAIL send: "), std::string::npos) << r.output;
}

// scenarios/website.yaml, the README's example: sign-in, then the CSRF form.
TEST(try_command, runs_the_website_example_task_by_name) {
    const auto target = start_target();
    const auto r =
        run_swarm_command({"try", std::string(SWARM_SOURCE_DIR) + "/scenarios/website.yaml", "-H",
                           target.url, "--task", "contact_us"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    const std::map<std::string, std::int64_t> expected{
        {"POST /user/signin", 1}, {"GET /contact_us", 1}, {"POST /contact_us", 1}};
    EXPECT_EQ(printed_requests(r.output, target.url), expected) << r.output;
    EXPECT_EQ(read_target_stats(target.url).requests, expected);
    EXPECT_NE(r.output.find("WebsiteUser: 1 iteration, 3 requests, 0 failed, 0 checks failed"),
              std::string::npos)
        << r.output;
}

// WebSocket steps print as requests do: the connect with its status and
// subprotocol, each send with its size and text, each receive with the
// message, its checks and extractions, the close with its code.
TEST(try_command, prints_each_websocket_step_and_the_target_saw_exactly_those) {
    const auto target = start_target();
    const auto file = write_scenario("try_ws.yaml", R"(
users:
  Talker:
    tasks:
      talk:
        - ws: /ws/echo
          name: connect
          subprotocols: [chat, superchat]
        - send: {json: {n: 7, word: hello}, name: hi}
        - receive:
            name: echo
            timeout: 5s
            until: "{{ last.body contains 'hello' }}"
            max: 3
            check: {json: {"$.n": 7}, body_contains: hello}
            extract: {w: {json: "$.word"}}
        - send: "again {{ w }}"
        - receive: {timeout: 5s, check: {body_contains: nope}}
        - close: {code: 1000, reason: bye}
)");
    const auto r = run_swarm_command({"try", file, "-H", target.url});
    EXPECT_EQ(r.exit_code, 1) << r.output;  // the second receive's check fails
    const auto ws_url = "ws" + target.url.substr(4);
    for (const std::string& line : std::vector<std::string>{
             "> WS connect " + ws_url + "/ws/echo\n", "  Sec-WebSocket-Protocol: chat, superchat\n",
             "< 101 Switching Protocols in ", " ms, no subprotocol\n",
             "> WS send hi: 22 bytes of text\n", "  | {\"n\":7,\"word\":\"hello\"}\n", "< sent in ",
             "< WS receive echo: 22 bytes of text in ", " ms (1 message read, the last shown)\n",
             "  ok   check json $.n\n", "  ok   check body_contains \"hello\"\n",
             "  ok   extract w: \"hello\"\n", "> WS send send: 11 bytes of text\n  | again hello\n",
             "< WS receive receive: 11 bytes of text in ",
             "  FAIL check body_contains \"nope\": ", "> WS close 1000 \"bye\"\n", "< closed in ",
             "Talker: 1 iteration, 6 requests, 1 failed, 1 checks failed"}) {
        EXPECT_NE(r.output.find(line), std::string::npos) << line << "\n" << r.output;
    }
    // A message has no status: no status rule is shown for a receive.
    EXPECT_EQ(r.output.find("check status"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("FAIL receive"), std::string::npos) << r.output;
    // What the target saw: one upgrade, the two messages, the close.
    const auto stats = boost::json::parse(http_get(target.url + "/__stats").body);
    const auto& echo = stats.at("ws").at("echo");
    EXPECT_EQ(echo.at("upgrades").to_number<std::int64_t>(), 1);
    EXPECT_EQ(echo.at("messages_in").to_number<std::int64_t>(), 2);
    EXPECT_EQ(echo.at("bytes_in").to_number<std::int64_t>(), 33);
    EXPECT_EQ(echo.at("closed_by_client").to_number<std::int64_t>(), 1);
}

TEST(try_command, shows_why_a_websocket_step_failed) {
    const auto target = start_target();
    const auto file = write_scenario("try_ws_fail.yaml", R"(
users:
  Talker:
    tasks:
      missing: [{ws: /nowhere}]
      silent:
        - ws: /ws/echo
        - receive: {name: nothing, timeout: 200ms}
        - close:
      unmet:
        - ws: /ws/echo
        - send: one
        - receive: {name: two, timeout: 5s, until: "{{ last.body == 'two' }}", max: 1}
)");
    auto r = run_swarm_command({"try", file, "-H", target.url, "--task", "missing"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("> WS connect ws" + target.url.substr(4) + "/nowhere\n"),
              std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("  FAIL connect: WebSocket upgrade declined: HTTP 404\n"),
              std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("Talker: 1 iteration, 1 requests, 1 failed, 0 checks failed"),
              std::string::npos)
        << r.output;

    // The receive times out: the task ends there (its close is skipped).
    r = run_swarm_command({"try", file, "-H", target.url, "--task", "silent"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("< WS receive nothing\n  FAIL receive: timeout after 200ms\n"),
              std::string::npos)
        << r.output;
    EXPECT_EQ(r.output.find("> WS close"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("Talker: 1 iteration, 2 requests, 1 failed, 0 checks failed"),
              std::string::npos)
        << r.output;

    // until: never held within max: said on its own line (no check failed).
    r = run_swarm_command({"try", file, "-H", target.url, "--task", "unmet"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("< WS receive two: 3 bytes of text in "), std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("  | one\n  FAIL receive: receive until: still false after 1 "
                            "messages (max)\n"),
              std::string::npos)
        << r.output;
}

TEST(try_command, names_an_unknown_class_or_task_with_a_suggestion) {
    const auto file = write_scenario("try_names.yaml", shop);
    auto r = run_swarm_command({"try", file, "-H", "http://127.0.0.1:1", "--class", "Visiter"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("--class 'Visiter': no such user class, did you mean 'Visitor'?"),
              std::string::npos)
        << r.output;
    r = run_swarm_command({"try", file, "-H", "http://127.0.0.1:1", "--task", "contakt"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("--task 'contakt': no such task in class 'Visitor'"), std::string::npos)
        << r.output;
}

}  // namespace
}  // namespace swarm::test
