// `swarm check` prints each nested task set's effective wait (its own, or
// the class's it inherits, as in Locust), and `--ratio` each class's share.
#include <gmock/gmock.h>

#include <fstream>
#include <string>

#include "tests/support/swarm_command.hpp"

namespace swarm {
namespace {

using ::testing::HasSubstr;

std::string write_temp(const std::string& name, const std::string& text) {
    auto path = ::testing::TempDir() + "/" + name;
    std::ofstream(path) << text;
    return path;
}

const char* const nested_sets = R"y(host: http://h
users:
  Browser:
    weight: 5
    wait: {between: [1s, 3s]}
    tasks:
      home: {weight: 5, get: /}
      shop:
        weight: 3
        tasks:
          cart: {get: /cart}
          pay:
            wait: {constant: 500ms}
            tasks: {card: {get: /card}, deeper: {tasks: {x: {get: /x}}}}
  Reader:
    weight: 11
    tasks: {read: {get: /read}}
)y";

TEST(check_waits_test, each_nested_set_shows_its_effective_wait) {
    const auto path = write_temp("nested_waits.yaml", nested_sets);
    const auto r = test::run_swarm_command({"check", path});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr("  user class Browser: weight 5, wait between 1s and 3s, "
                                    "2 tasks, 4 requests\n"
                                    "    task set shop: wait between 1s and 3s (the class's)\n"
                                    "    task set shop.pay: wait 500ms\n"
                                    "    task set shop.pay.deeper: wait between 1s and 3s "
                                    "(the class's)\n"
                                    "  user class Reader:"));
}

TEST(check_waits_test, ratio_prints_each_classs_share_rounded_as_locust) {
    const auto path = write_temp("class_shares.yaml", nested_sets);
    const auto r = test::run_swarm_command({"check", "--ratio", path});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    // 5:11 of the users: 31.25 % and 68.75 %, ties to even as Python's "%.1f".
    EXPECT_THAT(r.output, HasSubstr("Task ratio per user class\n" + std::string(60, '-') +
                                    "\n   31.2%  Browser\n    62.5%  home\n    37.5%  shop\n"));
    EXPECT_THAT(r.output, HasSubstr("\n   68.8%  Reader\n   100.0%  read\n\nTotal task ratio\n"));
    EXPECT_THAT(r.output, HasSubstr("Total task ratio\n" + std::string(60, '-') +
                                    "\n   31.2%  Browser\n    19.5%  home\n"));
}

// A class's `tls:` settings show under it (and in --json); a class without
// them shows no line.
TEST(check_waits_test, a_classs_tls_settings_show_under_it) {
    const auto path = write_temp("tls_settings.yaml", R"y(host: https://h
users:
  Shared:
    tls: {resume: true, min_version: "1.3", sni: false}
    tasks: {home: {get: /}}
  Plain:
    tasks: {home: {get: /}}
)y");
    auto r = test::run_swarm_command({"check", path});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output,
                HasSubstr("  user class Shared: weight 1, no wait, 1 tasks, 1 requests\n"
                          "    tls: resume across users, TLS 1.3 only, no SNI\n"
                          "  user class Plain: weight 1, no wait, 1 tasks, 1 requests\n"));
    r = test::run_swarm_command({"check", "--json", path});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr(R"("tls":{"resume":true,"min_version":"1.3","sni":false})"));
}

TEST(check_waits_test, parallel_blocks_are_counted_apart) {
    const auto path = write_temp("parallel_blocks.yaml", R"y(host: http://h
users:
  Browser:
    tasks:
      page:
        steps:
          - get: /
          - parallel: [{get: /a.css}, {get: /b.js}, {get: /c.png}]
          - parallel: [{get: /d.css}, {get: /e.js}]
)y");
    const auto r = test::run_swarm_command({"check", path});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr("  user class Browser: weight 1, no wait, 1 tasks, 6 requests "
                                    "(5 in 2 parallel blocks, up to 3 at once)\n"));
}

}  // namespace
}  // namespace swarm
