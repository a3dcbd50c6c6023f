#pragma once
// Evaluation of a compiled expression tree against one user's environment.
// Private to common/template/. Never throws on any tree the parser builds:
// integer arithmetic wraps, and every conversion has a defined result.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/template/environment.hpp"
#include "common/template/node.hpp"

namespace swarm::tmpl {

value evaluate_node(const node& n, environment& env);

// The node's value without copying when it already exists somewhere (a
// literal, a variable, a data-set item); otherwise computed into `scratch`.
// The reference is valid until `scratch` or the user's variables change.
const value& evaluate_ref(const node& n, environment& env, value& scratch);

// Appends the node's text to `out`, avoiding a temporary where the value is
// text already.
void append_node(const node& n, environment& env, std::string& out);

// An integer, or a string that is exactly a decimal integer ("-12"); nullopt
// for anything else.
std::optional<std::int64_t> integer_of(const value& v);
inline std::int64_t integer_or_zero(const value& v) {
    return integer_of(v).value_or(0);
}

// A number operand: an integer-like value or a float.
struct number {
    std::int64_t int_ = 0;
    double float_ = 0;
    bool is_float_ = false;
    double as_double() const { return is_float_ ? float_ : static_cast<double>(int_); }
};
std::optional<number> number_of(const value& v);

// Storage for the text of a value that is not a string already.
struct text_scratch {
    char digits_[24];
    std::string other_;
};
std::string_view text_of(const value& v, text_scratch& scratch);

// The builtins (functions.cpp), called by the evaluator:
// Evaluates a call node. The result is either `scratch` or a reference into
// the call's data set (random/next), which outlives the evaluation.
const value& call_function(const node& call, environment& env, value& scratch);

// Appends a call's text to `out` directly when the function produces text
// (rand_str, uuid, prefix, ...), sparing the temporary string; false when the
// function is not one of those and nothing was appended.
bool append_function(const node& call, environment& env, std::string& out);

}  // namespace swarm::tmpl
