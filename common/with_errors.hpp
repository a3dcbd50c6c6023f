#pragma once
// The outcome of a step that reports every problem it finds rather than the
// first: compiling a scenario (each error with file:line:col) or a template
// (each with its offset). A user fixes them all in one go, so the list is
// data, not one swarm::error (common/result.hpp is for everything else).
//
// `Value` says for itself whether it is set: std::optional<T>, or a pointer
// to a value shared read-only (the compiled plan).

#include <vector>

namespace swarm {

template <class Value, class Problem>
struct with_errors {
    Value result;                 // set when errors is empty
    std::vector<Problem> errors;  // every problem found, in source order
};

}  // namespace swarm
