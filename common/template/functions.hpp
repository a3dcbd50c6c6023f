#pragma once
// The builtin functions: their names and argument counts for the compiler
// (their evaluation, in functions.cpp, is declared in evaluate.hpp).
// Private to common/template/.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "common/template/environment.hpp"
#include "common/template/node.hpp"

namespace swarm::tmpl {

struct function_info {
    std::string_view name_;
    function_id id_;
    std::size_t arity_;
    bool takes_data_set_;  // random(ds) / next(ds): the argument names a data set
};

std::span<const function_info> all_functions();
const function_info* find_function(std::string_view name);

}  // namespace swarm::tmpl
