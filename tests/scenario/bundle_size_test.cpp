// A scenario whose data files cannot travel to workers is refused when it
// loads (its data key's file:line:col, exit 2) by `swarm check`, `swarm run`
// and `swarm master` alike, instead of passing check and ending the master
// when the first worker joins.
#include <gmock/gmock.h>

#include <fstream>
#include <string>
#include <vector>

#include "common/scenario/bundle.hpp"
#include "tests/support/swarm_command.hpp"

namespace swarm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string write_file(const std::string& name, std::size_t bytes) {
    auto path = ::testing::TempDir() + "/" + name;
    std::ofstream out(path, std::ios::binary);
    std::string line = "value\n";
    out << line;
    const std::string chunk(1 << 20, 'x');
    for (std::size_t done = line.size(); done < bytes; done += chunk.size())
        out << chunk.substr(0, std::min(chunk.size(), bytes - done));
    return path;
}

std::string write_scenario(const std::string& name, const std::string& a, const std::string& b) {
    auto path = ::testing::TempDir() + "/" + name;
    std::ofstream(path) << "host: http://127.0.0.1:1\n"
                           "data:\n"
                           "  a: {file: "
                        << a << "}\n  b: {file: " << b
                        << "}\nusers:\n  U:\n    tasks:\n      t: {get: /}\n";
    return path;
}

TEST(bundle_size_test, data_beyond_what_workers_can_receive_is_an_error_at_its_key) {
    // Two files, each under the per-file bound, together over the bundle's.
    write_file("big_a.csv", 30u << 20);
    write_file("big_b.csv", 30u << 20);
    const auto path = write_scenario("too_big.yaml", "big_a.csv", "big_b.csv");
    const std::string expected = path +
                                 ":4:13: data.b.file: with this file the scenario's data is 60 "
                                 "MiB, more than the 56 MiB that can be sent to workers";
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"check", path},
          std::vector<std::string>{"run", path, "--headless", "-t", "1s"},
          std::vector<std::string>{"master", path, "--headless", "--bind", "127.0.0.1:0"}}) {
        const auto r = test::run_swarm_command(args);
        EXPECT_EQ(r.exit_code, 2) << args[0] << ": " << r.output;
        EXPECT_THAT(r.output, HasSubstr(expected)) << args[0];
    }
}

TEST(bundle_size_test, one_file_beyond_a_message_string_is_an_error_at_its_key) {
    write_file("small.csv", 100);
    write_file("huge.csv", scenario::max_data_file_bytes + 1);
    const auto path = write_scenario("huge_file.yaml", "small.csv", "huge.csv");
    const auto r = test::run_swarm_command({"check", path});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr(path + ":4:13: data.b.file: "));
    EXPECT_THAT(r.output, HasSubstr("more than the limit of 33554432"));
}

TEST(bundle_size_test, data_just_under_the_bound_passes_check) {
    write_file("ok_a.csv", 27u << 20);
    write_file("ok_b.csv", 27u << 20);
    const auto path = write_scenario("ok_big.yaml", "ok_a.csv", "ok_b.csv");
    const auto r = test::run_swarm_command({"check", path});
    EXPECT_THAT(r.output, Not(HasSubstr("sent to workers"))) << r.output;
}

TEST(bundle_size_test, a_stats_name_beyond_what_the_master_accepts_is_an_error_at_its_key) {
    const auto path = ::testing::TempDir() + "/long_name.yaml";
    std::ofstream(path) << "host: http://127.0.0.1:1\nusers:\n  U:\n    tasks:\n      t: {get: /, "
                           "name: "
                        << std::string(scenario::max_stats_name_bytes + 1, 'n') << "}\n";
    const auto r = test::run_swarm_command({"check", path});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr(path + ":5:25: users.U.tasks.t.name: the request's stats "
                                           "name (its name:, else its URL) is 1025 bytes"));
}

}  // namespace
}  // namespace swarm
