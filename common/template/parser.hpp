#pragma once
// Turns tokens into an expression tree with every name resolved against the
// scenario's symbols. Private to common/template/; compile time only.

#include <optional>
#include <vector>

#include "common/template/environment.hpp"
#include "common/template/lexer.hpp"
#include "common/template/node.hpp"

namespace swarm::tmpl {

// Bounds that keep a hostile source from exhausting the stack: parser recursion
// (parentheses, calls, unary operators) and the height of the resulting tree
// (which the evaluator recurses over).
inline constexpr int max_nesting = 64;
inline constexpr int max_height = 128;

// Parses `tokens` (which end with an `end` token). Syntax errors stop the parse
// (nullopt); errors of meaning (unknown function or name, wrong argument count)
// are appended to `errors` and the parse goes on, so one pass reports them all.
// With `syms` null only the syntax is checked.
std::optional<node> parse(const std::vector<token>& tokens, const symbols* syms,
                          std::vector<error>& errors);

// A node for `name.fields...` once resolved; also appends the error when the
// name is unknown. Defined in resolve.cpp.
node resolve_name(const token& name, std::vector<std::string> fields, const symbols& syms,
                  std::vector<error>& errors);

// Checks a call's function and argument count, and resolves a data-set
// argument (`data_set_name` non-null for random/next written with a bare name).
// Fills `call`'s fn_ and data_; appends errors. Defined in resolve.cpp.
void resolve_call(const token& name, const token* data_set_name, node& call, const symbols& syms,
                  std::vector<error>& errors);

}  // namespace swarm::tmpl
