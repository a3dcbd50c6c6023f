// Data files: lines and CSV with RFC 4180 quoting.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/scenario/data_files.hpp"

namespace swarm::scenario {
namespace {

TEST(data_files_test, lines_skip_blanks_and_carriage_returns) {
    auto ds = parse_data_set("w", "a\r\n\nb\nc", data_format::lines);
    ASSERT_TRUE(ds) << ds.error().message;
    ASSERT_EQ(ds->items.size(), 3u);
    EXPECT_EQ(std::get<std::string>(ds->items[2]), "c");
}

TEST(data_files_test, csv_quotes_commas_newlines_and_empty_fields) {
    auto ds = parse_data_set("a", "email,pw,name\r\nx@e,\"a,\"\"b\"\"\",\"multi\nline\"\ny@e,p,\n",
                             data_format::csv);
    ASSERT_TRUE(ds) << ds.error().message;
    ASSERT_EQ(ds->items.size(), 2u);
    const auto& r0 = std::get<tmpl::record_ptr>(ds->items[0]);
    EXPECT_EQ(*r0->find("pw"), "a,\"b\"");
    EXPECT_EQ(*r0->find("name"), "multi\nline");
    const auto& r1 = std::get<tmpl::record_ptr>(ds->items[1]);
    EXPECT_EQ(*r1->find("name"), "");  // an empty last field
    EXPECT_EQ(r1->find("nope"), nullptr);
}

TEST(data_files_test, csv_errors_say_where) {
    auto error_of = [](std::string_view csv) {
        const auto ds = parse_data_set("a", csv, data_format::csv);
        EXPECT_FALSE(ds) << csv;
        return ds ? std::string() : ds.error().message;
    };
    EXPECT_EQ(error_of("a,b\n\"open,1\n"), "line 2: unterminated quoted field");
    EXPECT_EQ(error_of(""), "the file is empty: a CSV data file needs a header row and records");
    EXPECT_EQ(error_of("a,b\n1,2\n1,2,3\n"), "row 3: 3 fields, the header has 2");
    EXPECT_EQ(error_of("a,b,c\n1,2,3\n1,2\n"), "row 3: 2 fields, the header has 3");
}

TEST(data_files_test, a_file_over_the_limit_or_missing_is_an_error_naming_it) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("swarm-data-files-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "w.txt").string();
    std::ofstream(path) << "alpha\nbeta\n";
    const auto whole = read_text_file(path, 11);
    ASSERT_TRUE(whole) << whole.error().message;
    EXPECT_EQ(*whole, "alpha\nbeta\n");
    const auto big = read_text_file(path, 10);
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().message, "'" + path + "' is 11 bytes, more than the limit of 10");
    const auto missing = read_text_file((dir / "nope.txt").string(), 10);
    ASSERT_FALSE(missing);
    EXPECT_EQ(
        missing.error().message.rfind("cannot read '" + (dir / "nope.txt").string() + "': ", 0),
        0u);
    std::filesystem::remove_all(dir);
}

TEST(data_files_test, format_from_extension_and_relative_paths) {
    EXPECT_EQ(format_for("x/accounts.csv"), data_format::csv);
    EXPECT_EQ(format_for("words.txt"), data_format::lines);
    EXPECT_EQ(resolve_relative("scenarios/website.yaml", "data/words.txt"),
              "scenarios/data/words.txt");
    EXPECT_EQ(resolve_relative("website.yaml", "w.txt"), "w.txt");
    EXPECT_EQ(resolve_relative("a/b.yaml", "/abs/w.txt"), "/abs/w.txt");
}

}  // namespace
}  // namespace swarm::scenario
