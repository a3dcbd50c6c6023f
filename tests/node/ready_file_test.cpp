// The readiness-probe file: there exactly while ready, made atomically, and
// a clear message when it cannot be made.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "worker/ready_file.hpp"

namespace swarm::worker {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
    auto dir = fs::path(::testing::TempDir()) /
               ("ready_file_test_" + name + "_" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

TEST(ready_file_test, exists_exactly_while_ready_and_leaves_nothing_else) {
    const auto dir = fresh_dir("cycle");
    const auto path = dir / "ready";
    {
        ready_file f(path.string());
        EXPECT_FALSE(fs::exists(path));
        EXPECT_TRUE(f.set(true));
        EXPECT_TRUE(fs::exists(path));
        EXPECT_EQ(fs::file_size(path), 0u);
        EXPECT_TRUE(f.set(false));
        EXPECT_FALSE(fs::exists(path));
        EXPECT_TRUE(f.set(true));
        EXPECT_TRUE(fs::exists(path));
    }
    EXPECT_FALSE(fs::exists(path)) << "removed when the worker ends";
    EXPECT_TRUE(fs::is_empty(dir)) << "no temporary file left behind";
}

TEST(ready_file_test, an_empty_path_does_nothing) {
    ready_file f("");
    EXPECT_TRUE(f.set(true));
    EXPECT_TRUE(f.set(false));
}

TEST(ready_file_test, a_missing_directory_is_a_clear_error) {
    const auto path = fresh_dir("missing") / "no" / "such" / "dir" / "ready";
    ready_file f(path.string());
    const auto made = f.set(true);
    ASSERT_FALSE(made);
    const auto& error = made.error().message;
    EXPECT_NE(error.find("cannot create " + path.string()), std::string::npos) << error;
    EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;
    EXPECT_FALSE(fs::exists(path));
}

}  // namespace
}  // namespace swarm::worker
