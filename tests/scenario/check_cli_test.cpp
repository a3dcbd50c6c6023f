// `swarm check` as a user runs it: real process, real files, exit codes.
#include <gmock/gmock.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/process_memory.hpp"
#include "tests/support/swarm_command.hpp"
#include "tests/support/target_process.hpp"

namespace swarm {
namespace {

using ::testing::HasSubstr;

// `swarm ARGS` split at spaces (no argument here has one).
test::command_result run(const std::string& args) {
    std::vector<std::string> argv;
    std::istringstream words(args);
    for (std::string w; words >> w;) argv.push_back(w);
    return test::run_swarm_command(argv);
}

std::string scenario(const char* name) {
    return std::string(SWARM_SOURCE_DIR) + "/scenarios/" + name;
}

std::string write_temp(const std::string& name, const std::string& text) {
    auto path = ::testing::TempDir() + "/" + name;
    std::ofstream(path) << text;
    return path;
}

TEST(check_cli_test, ratio_prints_the_seed_ratios) {
    const auto r = run("check --ratio " + scenario("website.yaml"));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr("62.5%  index"));
    EXPECT_THAT(r.output, HasSubstr("31.2%  about"));
    EXPECT_THAT(r.output, HasSubstr("6.2%  contact_us"));
}

// Every *.yaml under scenarios/, so a new example is checked without a list to keep.
TEST(check_cli_test, every_example_scenario_is_valid) {
    int checked = 0;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(SWARM_SOURCE_DIR) + "/scenarios")) {
        if (entry.path().extension() != ".yaml") continue;
        const auto r = run("check " + entry.path().string());
        EXPECT_EQ(r.exit_code, 0) << entry.path() << ": " << r.output;
        EXPECT_THAT(r.output, HasSubstr(": ok"));
        ++checked;
    }
    EXPECT_GE(checked, 11);  // the four seeds and the seven workload examples
}

TEST(check_cli_test, errors_exit_2_with_file_line_column) {
    const auto path = write_temp(
        "bad_check.yaml", "host: http://h\nusers:\n  A:\n    wiat: 1s\n    tasks: {t: {get: /}}\n");
    const auto r = run("check " + path);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_THAT(r.output,
                HasSubstr(path + ":4:5: users.A: unknown key 'wiat', did you mean 'wait'?"));
    EXPECT_THAT(r.output, HasSubstr("1 error"));
}

TEST(check_cli_test, a_ca_file_that_is_not_pem_is_an_error_at_its_key) {
    write_temp("not_a_cert.pem", "just text\n");
    const auto path = write_temp("bad_ca.yaml",
                                 "host: https://h\nusers:\n  A:\n    ca_file: not_a_cert.pem\n"
                                 "    tasks: {t: {get: /}}\n");
    const auto r = run("check " + path);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_THAT(
        r.output,
        HasSubstr(path + ":4:14: users.A.ca_file: CA file 'not_a_cert.pem': no PEM certificate"));
}

TEST(check_cli_test, json_output_for_valid_and_invalid) {
    auto r = run("check --json " + scenario("website.yaml"));
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_THAT(r.output, HasSubstr("\"valid\":true"));
    EXPECT_THAT(r.output, HasSubstr("\"total_ratio\":6.25E-1"));
    const auto path = write_temp("bad_json.yaml", "users: 1\n");
    r = run("check --json " + path);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_THAT(r.output, HasSubstr("\"valid\":false"));
    EXPECT_THAT(r.output, HasSubstr("\"line\":1"));
}

// The "billion laughs" of issue 12 as a JSON body: 9^9 strings in about 600 bytes.
// On main `swarm check` walked them all: still busy after 30 s, GBs of memory.
TEST(check_cli_test, an_alias_bomb_exits_2_at_once_with_its_location) {
    std::string yaml = "host: http://h\nusers: {A: {tasks: {t: {post: /, json: {\n";
    yaml += "  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol],\n";
    for (int i = 1; i < 9; ++i) {
        const auto prev = "*l" + std::to_string(i - 1);
        yaml += "  l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
        for (int j = 0; j < 9; ++j) yaml += (j ? ", " : "") + prev;
        yaml += "],\n";
    }
    const auto path = write_temp("laughs.yaml", yaml + "}}}}}\n");
    const auto start = std::chrono::steady_clock::now();
    // exec: the pid sampled is swarm's own; 2>&1: the diagnostics are read.
    test::child_process check(
        {"/bin/sh", "-c", "exec '" + test::swarm_binary() + "' check '" + path + "' 2>&1"});
    std::optional<int> exit_code;
    std::uint64_t peak_kib = 0;
    for (int i = 0; i < 500 && !exit_code; ++i) {  // at most 10 s
        peak_kib = std::max(peak_kib, test::peak_rss_kib(check.pid()));
        exit_code = check.wait_exit(std::chrono::milliseconds(20));
    }
    const auto seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::string output;
    for (const auto& l : check.lines()) output += l + "\n";
    ASSERT_TRUE(exit_code.has_value())
        << "still checking after 10 s, peak RSS " << peak_kib / 1024 << " MiB";
    EXPECT_EQ(*exit_code, 2) << output;
    EXPECT_LT(seconds, 2.0);  // a plain check under ASan takes about 0.2 s
    // A valid check peaks at ~160 MiB under ASan (shadow memory), ~10 MiB without.
    EXPECT_LT(peak_kib, 300u * 1024) << "peak RSS " << peak_kib / 1024 << " MiB";
    EXPECT_THAT(output, HasSubstr(path + ":8:12: aliases expand to more than 100000 nodes"));
    std::printf("alias bomb refused in %.2f s, peak RSS %llu MiB\n", seconds,
                static_cast<unsigned long long>(peak_kib / 1024));
}

const char* tagged_shop = R"y(host: http://h
users:
  Browser:
    weight: 3
    tasks:
      index: {weight: 3, get: /, tags: [browse]}
      about: {get: /about, tags: [browse, slow]}
      old: {weight: 0, get: /old}
      cart: {tags: [checkout], tasks: {add: {get: /add}, pay: {get: /pay, tags: [slow]}}}
  Shop:
    arrival: {rate: 200/s, max_users: 2000}
    tasks: {buy: {post: /buy, tags: [checkout]}}
  Reader:
    tasks: {read: {get: /read, tags: [browse]}}
)y";

TEST(check_cli_test, ratio_after_tags_with_open_classes_and_warnings) {
    const auto path = write_temp("tagged_shop.yaml", tagged_shop);
    // The file after --tags (not taken for a scenario), repeated and comma-separated.
    auto r = run("check --ratio --tags checkout --tags browse,nope --exclude-tags slow " + path);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr("Task ratio per user class\n"
                                    "------------------------------------------------------------\n"
                                    "   75.0%  Browser\n"
                                    "    75.0%  index\n"
                                    "    25.0%  cart\n"
                                    "     100.0%  add\n"
                                    "  open    Shop  arrival 200/s, max_users 2000\n"
                                    "   100.0%  buy\n"
                                    "   25.0%  Reader\n"
                                    "   100.0%  read\n"));
    EXPECT_THAT(r.output, HasSubstr("  75.0%  Browser\n    56.2%  index\n    18.8%  cart\n"));
    EXPECT_THAT(r.output, HasSubstr("  open    Shop  arrival 200/s, max_users 2000\n"));
    EXPECT_THAT(r.output, HasSubstr("warning: " + path + ": --tags 'nope' is the tag of no task"));
    EXPECT_THAT(r.output, ::testing::Not(HasSubstr("about")));
    EXPECT_THAT(r.output, ::testing::Not(HasSubstr("old")));

    r = run("check --ratio --exclude-tags checkout " + path);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr("warning: " + path +
                                    ":10:3: users.Shop: no task of user class 'Shop' is left "
                                    "after --tags/--exclude-tags: the class does not run"));
    EXPECT_THAT(r.output, ::testing::Not(HasSubstr("arrival")));

    r = run("check --tags chekout " + path);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr("--tags 'chekout' is the tag of no task, did you mean "
                                    "'checkout'?"));
    EXPECT_THAT(r.output,
                HasSubstr(path + ":2:1: users: no task left after --tags/--exclude-tags"));
}

TEST(check_cli_test, summary_shows_profiles_and_json_the_arrival) {
    const auto path = write_temp("profile.yaml", R"y(host: http://h
load:
  stages: [{duration: 30s, users: 100, rate: 10}, {duration: 1m, users: 0}]
  iterations: 500
users:
  Shop:
    arrival: {stages: [{duration: 1m, rate: 50/s}], start_rate: 0/s, distribution: poisson}
    tasks: {buy: {post: /buy}}
)y");
    auto r = run("check " + path);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output,
                HasSubstr("user class Shop: arrival from 0/s: to 50/s over 1m, max_users 500, "
                          "poisson, pre_allocate 10, 1 tasks, 1 requests\n"));
    EXPECT_THAT(r.output, HasSubstr("load stages: 30s:100@10,1m:0@100\n"));
    EXPECT_THAT(r.output, HasSubstr("load iterations: 500\n"));
    EXPECT_THAT(r.output, HasSubstr("warning: " + path +
                                    ":7:14: users.Shop.arrival: no "
                                    "`max_users`: the pool is bounded at 500 users"));
    r = run("check --json " + path);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr("\"arrival\":{\"start_rate\":0E0,\"stages\":[{\"duration_ms\":"
                                    "60000,\"rate\":5E1}],\"max_users\":500,\"pre_allocate\":10,"
                                    "\"distribution\":\"poisson\"}"));
    EXPECT_THAT(r.output, HasSubstr("\"warnings\":[{\"file\":"));
    // Errors in JSON keep the warnings found with them.
    const auto bad = write_temp("profile_bad.yaml", R"y(host: http://h
users:
  Shop:
    arrival: {rate: 0/s}
    wait: 1s
    tasks: {buy: {post: /buy}}
)y");
    r = run("check --json " + bad);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output,
                HasSubstr("\"valid\":false,\"errors\":[{\"file\":\"" + bad +
                          "\",\"line\":4,\"column\":21,\"path\":\"users.Shop.arrival.rate\""));
    EXPECT_THAT(r.output, HasSubstr("\"warnings\":[{\"file\":\"" + bad +
                                    "\",\"line\":5,\"column\":5,\"path\":\"users.Shop.wait\""));
}

TEST(check_cli_test, run_prints_the_warnings_before_the_errors) {
    const auto bad = write_temp("run_warned.yaml", R"y(host: http://127.0.0.1:1
users:
  Shop:
    arrival: {rate: 5/s, max_users: 10}
    wait: 1s
    tasks: {buy: {post: /buy, tags: [""]}}
)y");
    const auto r = run("run " + bad + " --headless -u 1 -t 1s");
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output,
                HasSubstr("warning: " + bad + ":5:5: users.Shop.wait: `wait` is ignored"));
    EXPECT_THAT(r.output,
                HasSubstr(bad + ":6:38: users.Shop.tasks.buy.tags[0]: a tag is 1 to 255"));
}

TEST(check_cli_test, missing_file_and_usage_errors_exit_2) {
    auto r = run("check /nonexistent/scenario.yaml");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_THAT(r.output, HasSubstr("cannot read '/nonexistent/scenario.yaml'"));
    r = run("check");
    EXPECT_EQ(r.exit_code, 2);
    r = run("frobnicate");
    EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace swarm
