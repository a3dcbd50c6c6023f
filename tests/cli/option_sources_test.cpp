// Options from the environment (SWARM_*) and from --config FILE, as the real
// binary takes them (cli/option_sources.hpp): the precedence command line >
// environment > config file, a repeated option's last value, errors that name
// the variable or the file and key, and the unknown-option messages.
// `swarm check --json` shows the effect of --tags and --json without any
// network; each test sets the variables it needs and removes them after.
#include <gmock/gmock.h>
#include <stdlib.h>  // NOLINT(modernize-deprecated-headers): setenv is POSIX
#include <unistd.h>

#include <fstream>
#include <initializer_list>
#include <utility>
#include <vector>

#include "tests/support/swarm_command.hpp"

namespace swarm::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Sets the variables for one test's child processes (ctest runs each test
// in a process of its own).
class scoped_environment {
  public:
    scoped_environment(std::initializer_list<std::pair<std::string, std::string>> vars)
        : vars_(vars) {
        for (const auto& [name, value] : vars_) ::setenv(name.c_str(), value.c_str(), 1);
    }
    ~scoped_environment() {
        for (const auto& [name, value] : vars_) ::unsetenv(name.c_str());
    }
    scoped_environment(const scoped_environment&) = delete;
    scoped_environment& operator=(const scoped_environment&) = delete;

  private:
    std::vector<std::pair<std::string, std::string>> vars_;
};

std::string temp_file(const std::string& name, const std::string& text) {
    auto path = ::testing::TempDir() + "/option_sources." + std::to_string(::getpid()) + "." + name;
    std::ofstream(path) << text;
    return path;
}

// Two tasks, one tagged a, one tagged b: --tags shows in check's task list.
std::string scenario() {
    return temp_file("scenario.yaml",
                     "host: http://127.0.0.1:9\n"
                     "users:\n"
                     "  U:\n"
                     "    wait: {constant: 1s}\n"
                     "    tasks:\n"
                     "      task_a: {tags: [a], get: /a}\n"
                     "      task_b: {tags: [b], get: /b}\n");
}

// Which of the two tasks `swarm check --json` kept ("a", "b", "ab").
std::string kept_tasks(const command_result& r) {
    std::string kept;
    if (r.output.find("\"task_a\"") != std::string::npos) kept += "a";
    if (r.output.find("\"task_b\"") != std::string::npos) kept += "b";
    return kept;
}

TEST(option_sources_test, the_environment_sets_an_option_the_command_line_did_not) {
    const scoped_environment env({{"SWARM_TAGS", "a"}, {"SWARM_JSON", "true"}});
    const auto r = run_swarm_command({"check", scenario()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(kept_tasks(r), "a") << r.output;
}

TEST(option_sources_test, the_config_file_sets_options_by_their_long_names) {
    const auto config = temp_file("config.yaml", "json: true\ntags: [b]\n");
    const auto r = run_swarm_command({"check", scenario(), "--config", config});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(kept_tasks(r), "b") << r.output;
    // The scenario itself may come from the file too (the `file` key).
    const auto with_file =
        temp_file("with_file.yaml", "json: true\nfile: " + scenario() + "\ntags: a\n");
    const auto r2 = run_swarm_command({"check", "--config", with_file});
    ASSERT_EQ(r2.exit_code, 0) << r2.output;
    EXPECT_EQ(kept_tasks(r2), "a") << r2.output;
}

TEST(option_sources_test, command_line_beats_environment_beats_config_file) {
    const auto config = temp_file("precedence.yaml", "json: true\ntags: [b]\n");
    {
        const scoped_environment env({{"SWARM_TAGS", "a"}});
        const auto r = run_swarm_command({"check", scenario(), "--config", config});
        ASSERT_EQ(r.exit_code, 0) << r.output;
        EXPECT_EQ(kept_tasks(r), "a") << "the environment over the file\n" << r.output;
        const auto r2 = run_swarm_command({"check", scenario(), "--config", config, "--tags", "b"});
        ASSERT_EQ(r2.exit_code, 0) << r2.output;
        EXPECT_EQ(kept_tasks(r2), "b") << "the command line over the environment\n" << r2.output;
    }
    // A flag: json: true in the file, SWARM_JSON=false wins (plain text).
    const scoped_environment env({{"SWARM_JSON", "false"}, {"SWARM_CONFIG", config}});
    const auto r = run_swarm_command({"check", scenario()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, Not(HasSubstr("\"valid\""))) << r.output;
    EXPECT_THAT(r.output, HasSubstr("user class U")) << "SWARM_CONFIG's tags: [b] applied\n"
                                                     << r.output;
}

TEST(option_sources_test, a_repeated_option_takes_its_last_value) {
    const auto file = scenario();
    // -u nan last: refused, so the last one was used.
    const auto refused = run_swarm_command({"run", file, "--headless", "--web-port", "0",
                                            "--threads", "1", "-t", "1s", "-u", "1", "-u", "nan"});
    EXPECT_EQ(refused.exit_code, 2) << refused.output;
    EXPECT_THAT(refused.output, HasSubstr("swarm run: --users: ")) << refused.output;
    EXPECT_THAT(refused.output, Not(HasSubstr("at most 1"))) << refused.output;
    // `--json` twice and --tags twice (a list: both kept).
    const auto r =
        run_swarm_command({"check", file, "--json", "--json", "--tags", "a", "--tags", "b"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(kept_tasks(r), "ab") << r.output;
}

TEST(option_sources_test, a_bad_variable_is_named_with_its_value) {
    const scoped_environment env({{"SWARM_THREADS", "0"}});
    const auto r = run_swarm_command({"worker", "--master", "127.0.0.1:9"});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr("swarm worker: SWARM_THREADS=0: --threads '0': ")) << r.output;
}

// Kubernetes injects SWARM_WEB_PORT=tcp://... for a Service named swarm-web.
TEST(option_sources_test, a_kubernetes_service_link_that_names_an_option_is_refused_by_name) {
    const scoped_environment env({{"SWARM_WEB_PORT", "tcp://10.0.0.7:8089"}});
    const auto r = run_swarm_command({"master", scenario(), "--headless"});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr("SWARM_WEB_PORT=tcp://10.0.0.7:8089: --web-port")) << r.output;
}

// A Service named swarm-master injects SWARM_MASTER_PORT and friends: no
// option has those names, so they change nothing.
TEST(option_sources_test, variables_that_name_no_option_are_ignored) {
    const scoped_environment env({{"SWARM_MASTER_PORT", "tcp://10.0.0.5:5557"},
                                  {"SWARM_MASTER_SERVICE_HOST", "10.0.0.5"},
                                  {"SWARM_JSON", "true"}});
    const auto r = run_swarm_command({"check", scenario()});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(kept_tasks(r), "ab") << r.output;
}

TEST(option_sources_test, config_file_errors_name_the_file_the_line_and_the_key) {
    const auto unknown = temp_file("unknown.yaml", "json: true\nuserz: 5\n");
    auto r = run_swarm_command({"check", scenario(), "--config", unknown});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr(unknown + ":2:1: userz: swarm check has no option --userz"))
        << r.output;

    const auto bad_value = temp_file("bad_value.yaml", "threads: many\n");
    r = run_swarm_command({"worker", "--master", "127.0.0.1:9", "--config", bad_value});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr(bad_value + ":1:1: threads: --threads 'many'")) << r.output;

    const auto not_yaml = temp_file("not_yaml.yaml", "json: [true\n");
    r = run_swarm_command({"check", scenario(), "--config", not_yaml});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr("swarm check: " + not_yaml + ":")) << r.output;

    const auto list = temp_file("list.yaml", "master: [a, b]\n");
    r = run_swarm_command({"worker", "--config", list});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr(list + ":1:1: master: takes one value, not a list"))
        << r.output;

    r = run_swarm_command({"check", scenario(), "--config", "/nonexistent/swarm.yaml"});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr("/nonexistent/swarm.yaml: cannot read the --config file"))
        << r.output;
}

TEST(option_sources_test, a_required_option_may_come_from_the_environment) {
    {
        const scoped_environment env({{"SWARM_FILE", scenario()}, {"SWARM_JSON", "1"}});
        const auto r = run_swarm_command({"check"});
        EXPECT_EQ(r.exit_code, 0) << r.output;
        EXPECT_EQ(kept_tasks(r), "ab") << r.output;
    }
    const auto r = run_swarm_command({"worker"});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr("swarm worker: --master is required (on the command line, as "
                                    "SWARM_MASTER or as master: in the --config file)"))
        << r.output;
}

TEST(option_sources_test, a_later_usage_error_notes_the_values_from_outside) {
    const scoped_environment env({{"SWARM_USERS", "lots"}});
    const auto r = run_swarm_command({"run", scenario(), "--headless", "--threads", "1"});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr("swarm run: --users: ")) << r.output;
    EXPECT_THAT(r.output,
                HasSubstr("note: set outside the command line: --users 'lots' (SWARM_USERS)"))
        << r.output;
}

TEST(option_sources_test, an_unknown_option_is_named_before_a_missing_file) {
    const auto r = run_swarm_command({"run", "--bogus"});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr("--bogus")) << r.output;
    EXPECT_THAT(r.output, Not(HasSubstr("is required"))) << r.output;
}

TEST(option_sources_test, an_unknown_option_near_a_real_one_gets_a_hint) {
    auto r = run_swarm_command({"worker", "--master-host", "x"});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr("unknown option --master-host: did you mean --master?"))
        << r.output;
    r = run_swarm_command({"run", scenario(), "--thread", "2"});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr("unknown option --thread: did you mean --threads?"))
        << r.output;
}

TEST(option_sources_test, threads_help_names_its_default) {
    const auto r = run_swarm_command({"worker", "--help"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr("cgroup's CPU quota")) << r.output;
    EXPECT_THAT(r.output, HasSubstr("SWARM_")) << "--config's help mentions the variables\n"
                                               << r.output;
}

}  // namespace
}  // namespace swarm::test
