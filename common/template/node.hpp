#pragma once
// The compiled expression tree, private to common/template/. Built once by the
// parser with every name already resolved (builtin, variable, data set,
// function id), then shared read-only by every user of a worker.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/template/value.hpp"

namespace swarm::tmpl {

enum class op : std::uint8_t {
    literal,  // constant_
    user_id,  // the environment's builtins
    worker_id,
    iteration,
    last_status,
    last_body,
    variable,     // name_, optionally followed by fields_ (a record's field)
    call,         // fn_ with args_ (data_ for random/next)
    negate,       // args_[0]
    logical_not,  // args_[0]
    add,          // args_[0] op args_[1] for every binary operator below
    subtract,
    equal,
    not_equal,
    less,
    less_equal,
    greater,
    greater_equal,
    contains,
    logical_and,
    logical_or,
};

enum class function_id : std::uint8_t {
    random,
    next,
    rand_int,
    rand_str,
    uuid,
    now_ms,
    len,
    prefix,
    substr,
    urlencode,
    env,
    to_int,  // int(x), float(x), str(x), json(x): conversions
    to_float,
    to_str,
    parse_json,
    random_choice,  // random_choice(list)
    unique,
    base64,
    base64url,
    base64_decode,
    base64url_decode,
    sha256,
    hmac_sha256,
    hmac_sha256_base64,
    upper,
    lower,
    now_iso,
};

struct node {
    op kind_ = op::literal;
    function_id fn_ = function_id::random;  // meaningful when kind_ == op::call
    std::size_t offset_ = 0;                // byte offset in the source, for errors
    int height_ = 1;                        // longest path to a leaf; bounds evaluation depth
    value constant_;
    std::string name_;                      // the variable's name
    std::vector<std::string> fields_;       // path after the variable (account.email)
    std::shared_ptr<const data_set> data_;  // random/next resolve their data set at compile time
    std::vector<node> args_;                // operands or call arguments
};

}  // namespace swarm::tmpl
