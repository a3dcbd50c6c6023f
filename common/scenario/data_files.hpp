#pragma once
// Data sets for templates: a .txt file is one item per line, a .csv file is
// one record per row with the header row naming the fields.

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/template/value.hpp"

namespace swarm::scenario {

// A whole file if it is at most `limit` bytes; otherwise why not
// ("'data/big.csv' is 300 bytes, more than the limit of 200").
result<std::string> read_text_file(const std::string& path, std::size_t limit);

// `file` relative to the folder of `scenario_path` (absolute paths kept).
std::string resolve_relative(const std::string& scenario_path, const std::string& file);

enum class data_format { lines, csv };

// Guesses the format from the file name: ".csv" is csv, anything else lines.
data_format format_for(std::string_view file_name);

// Lines: trailing \r stripped, empty lines skipped.
// CSV: RFC 4180 quoting ("a ""b""", embedded commas and newlines), header
// required, and every row has one field per column (a ragged row is an error).
// Bad input is an error saying where ("row 7: 4 fields, the header has 3").
result<tmpl::data_set> parse_data_set(std::string name, std::string_view content,
                                      data_format format);

}  // namespace swarm::scenario
