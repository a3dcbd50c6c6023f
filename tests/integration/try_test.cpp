// `swarm try` against `swarm target`: the requests it prints are the ones the
// target counted, each check and extraction is shown with its result, and a
// failed check makes the exit code.
#include <gtest/gtest.h>

#include <regex>

#include "tests/integration/run_support.hpp"
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
