// `swarm check` as a user runs it: real process, real files, exit codes.
#include <gmock/gmock.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/swarm_command.hpp"

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

TEST(check_cli_test, every_example_scenario_is_valid) {
    for (auto name : {"website.yaml", "autocomplete.yaml", "api.yaml", "shop.yaml"}) {
        const auto r = run("check " + scenario(name));
        EXPECT_EQ(r.exit_code, 0) << name << ": " << r.output;
        EXPECT_THAT(r.output, HasSubstr(": ok"));
    }
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
