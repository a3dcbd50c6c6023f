#pragma once
// What an expression works with, apart from template.hpp's entry points so
// that the compiler's and evaluator's own parts (lexer, parser, evaluate,
// functions) use it without including the API they implement: the
// per-user environment an expression reads at evaluation, the symbols the
// compiler knows, and a compile error.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/template/value.hpp"

namespace swarm::tmpl {

// Everything an expression may read or change at evaluation time: one per
// virtual user. Lives on the user's thread; never shared.
class environment {
  public:
    virtual ~environment() = default;
    // A user variable, or nullptr when it has not been set (yet).
    virtual const value* variable(std::string_view name) const = 0;
    virtual std::int64_t user_id() const = 0;
    virtual std::int64_t worker_id() const = 0;
    virtual std::int64_t iteration() const = 0;  // tasks this user has run so far
    virtual int last_status() const = 0;         // status of the previous response, 0 if none
    virtual std::string_view last_body() const = 0;
    virtual std::mt19937_64& rng() = 0;  // the user's own seeded generator
    // Position for next(ds): each call returns the following item (of the
    // user's worker's share, common/scenario/feeder.hpp), or no_item when
    // the data ran out (the call then gives "no value").
    virtual std::size_t next_index(const data_set& ds) = 0;
    // Position for unique(ds): the same item on every call by this user,
    // taken from the same sequence as next(ds) on its first call; no_item
    // when none was left.
    virtual std::size_t unique_index(const data_set& ds) = 0;
    static constexpr std::size_t no_item = static_cast<std::size_t>(-1);
};

// What the compiler may know statically.
struct symbols {
    // True when `name` is a user variable declared somewhere in the user class
    // (vars, let, extract). Unknown names are compile errors.
    std::function<bool(std::string_view name)> is_variable;
    // The scenario's data sets (name lookup for random/next and errors).
    std::vector<std::shared_ptr<const data_set>> data_sets;
};

// A compile error: `offset` is the byte offset into the source text, so the
// scenario loader can turn it into line:column.
struct error {
    std::size_t offset = 0;
    std::string message;
};

}  // namespace swarm::tmpl
