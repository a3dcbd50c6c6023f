#pragma once
// The JSONPath parser (RFC 9535 grammar, plus swarm's leniencies listed in
// json_path.hpp): a recursive descent over the text, one method per grammar
// rule. Queries and selectors are in json_path_parse.cpp, filter expressions
// in json_path_parse_filter.cpp. Recursion is bounded by max_nesting.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/scenario/json_path_ast.hpp"

namespace swarm::scenario::json_path_detail {

class parser {
  public:
    explicit parser(std::string_view text) : text_(text) {}

    // The whole text as a query (`$...`, or a lenient `a.b`).
    result<json_path> whole_query();

  private:
    std::string_view text_;
    std::size_t pos_ = 0;
    int depth_ = 0;  // nesting of filters, parentheses and calls

    // json_path_parse.cpp
    bool at_end() const { return pos_ >= text_.size(); }
    char peek(std::size_t ahead = 0) const {
        return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
    }
    bool eat(std::string_view s);
    void skip_blank();
    static error fail_at(const std::string& what, std::size_t offset);
    result<void> enter(std::size_t offset);  // one level deeper, or the nesting error
    void leave() { --depth_; }

    result<void> segments(json_path& path);  // `*(S segment)`, stops before anything else
    result<void> dot_segment(json_path::segment& seg);
    result<void> bracketed(json_path::segment& seg);
    result<json_path::selector> selector();
    result<json_path::selector> index_or_slice();
    result<std::int64_t> integer();
    result<std::string> string_literal(const char* unterminated);
    result<void> escape(std::string& out, char quote);
    result<unsigned> hex4();
    std::string member_name();  // `.name` characters; empty when none
    static void finish(json_path& path, bool relative);

    // json_path_parse_filter.cpp
    result<logical> logical_or();
    result<logical> logical_and();
    result<logical> basic();
    result<logical> parenthesized();
    result<logical> test_of(operand op, std::size_t offset);
    result<operand> operand_at();
    result<operand> query_operand(bool relative);
    result<operand> number_literal();
    result<operand> name_or_call();
    result<operand> call(function_kind which, std::string_view name, std::size_t offset);
    result<void> check_comparable(const operand& op, std::size_t offset) const;
};

}  // namespace swarm::scenario::json_path_detail
