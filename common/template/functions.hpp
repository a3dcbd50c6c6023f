#pragma once
// The builtin functions: their names and argument counts for the compiler,
// and their implementations for the evaluator. Private to common/template/.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "common/template/node.hpp"
#include "common/template/template.hpp"

namespace swarm::tmpl {

struct function_info {
    std::string_view name_;
    function_id id_;
    std::size_t arity_;
    bool takes_data_set_;  // random(ds) / next(ds): the argument names a data set
};

std::span<const function_info> all_functions();
const function_info* find_function(std::string_view name);

// Evaluates a call node. The result is either `scratch` or a reference into
// the call's data set (random/next), which outlives the evaluation.
const value& call_function(const node& call, environment& env, value& scratch);

// Appends a call's text to `out` directly when the function produces text
// (rand_str, uuid, prefix, ...), sparing the temporary string; false when the
// function is not one of those and nothing was appended.
bool append_function(const node& call, environment& env, std::string& out);

}  // namespace swarm::tmpl
