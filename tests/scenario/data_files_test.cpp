// Data files: lines and CSV with RFC 4180 quoting.
#include <gtest/gtest.h>

#include "common/scenario/data_files.hpp"

namespace swarm::scenario {
namespace {

TEST(data_files_test, lines_skip_blanks_and_carriage_returns) {
    std::string error;
    auto ds = parse_data_set("w", "a\r\n\nb\nc", data_format::lines, error);
    ASSERT_TRUE(ds);
    ASSERT_EQ(ds->items.size(), 3u);
    EXPECT_EQ(std::get<std::string>(ds->items[2]), "c");
}

TEST(data_files_test, csv_quotes_commas_newlines_and_short_rows) {
    std::string error;
    auto ds = parse_data_set("a", "email,pw,name\r\nx@e,\"a,\"\"b\"\"\",\"multi\nline\"\ny@e,p\n", data_format::csv, error);
    ASSERT_TRUE(ds) << error;
    ASSERT_EQ(ds->items.size(), 2u);
    const auto& r0 = std::get<tmpl::record_ptr>(ds->items[0]);
    EXPECT_EQ(*r0->find("pw"), "a,\"b\"");
    EXPECT_EQ(*r0->find("name"), "multi\nline");
    const auto& r1 = std::get<tmpl::record_ptr>(ds->items[1]);
    EXPECT_EQ(*r1->find("name"), "");  // short row padded
    EXPECT_EQ(r1->find("nope"), nullptr);
}

TEST(data_files_test, csv_errors) {
    std::string error;
    EXPECT_FALSE(parse_data_set("a", "a,b\n\"open,1\n", data_format::csv, error));
    EXPECT_EQ(error, "line 2: unterminated quoted field");
    EXPECT_FALSE(parse_data_set("a", "", data_format::csv, error));
    EXPECT_EQ(error, "no header row");
}

TEST(data_files_test, format_from_extension_and_relative_paths) {
    EXPECT_EQ(format_for("x/accounts.csv"), data_format::csv);
    EXPECT_EQ(format_for("words.txt"), data_format::lines);
    EXPECT_EQ(resolve_relative("scenarios/website.yaml", "data/words.txt"), "scenarios/data/words.txt");
    EXPECT_EQ(resolve_relative("website.yaml", "w.txt"), "w.txt");
    EXPECT_EQ(resolve_relative("a/b.yaml", "/abs/w.txt"), "/abs/w.txt");
}

}  // namespace
}  // namespace swarm::scenario
