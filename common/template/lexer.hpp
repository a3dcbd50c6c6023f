#pragma once
// Splits expression text into tokens, and finds where a "{{" segment ends.
// Private to common/template/; used at compile time only.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/template/environment.hpp"

namespace swarm::tmpl {

enum class token_kind : std::uint8_t {
    end,  // end of the expression text; offset_ is where it ends
    identifier,
    integer,
    string,
    kw_true,
    kw_false,
    kw_contains,
    left_paren,
    right_paren,
    comma,
    dot,
    plus,
    minus,
    bang,
    equal,
    not_equal,
    less,
    less_equal,
    greater,
    greater_equal,
    and_and,
    or_or,
};

struct token {
    token_kind kind_ = token_kind::end;
    std::size_t offset_ = 0;    // byte offset in the whole source
    std::string_view text_;     // the token as written (a view into the source)
    std::string string_;        // a string literal, escapes decoded
    std::int64_t integer_ = 0;  // an integer literal
};

struct lex_result {
    std::vector<token> tokens_;   // always ends with an `end` token
    std::optional<error> error_;  // the first lexical error; tokens_ stop there
};

// Tokens of source[begin, end).
lex_result lex(std::string_view source, std::size_t begin, std::size_t end);

// Where the "}}" closing a segment whose expression starts at `from` is, skipping
// string literals (so "{{ 'a}}b' }}" works); npos when there is none.
std::size_t find_close(std::string_view source, std::size_t from);

}  // namespace swarm::tmpl
