#pragma once
// The inside of a JSONPath filter (`[?...]`), shared by the parser
// (json_path_parse*.cpp) and the evaluator (json_path_eval*.cpp). Not for
// other parts of swarm: they use json_path.hpp.

#include <re2/re2.h>
#include <boost/json/value.hpp>

#include <cstddef>
#include <memory>
#include <vector>

#include "common/scenario/json_path.hpp"

namespace swarm::scenario::json_path_detail {

using node_list = std::vector<const boost::json::value*>;

enum class function_kind : std::uint8_t { length, count, match, search, value };

struct function_call;

// A comparable or a function argument: a literal, a query, or a call.
struct operand {
    enum class kind : std::uint8_t { literal, query, call };
    kind how = kind::literal;
    boost::json::value literal;
    json_path query;
    std::shared_ptr<const function_call> call;
};

struct function_call {
    function_kind which = function_kind::length;
    std::vector<operand> args;
    std::shared_ptr<const re2::RE2> pattern;  // match/search with a literal pattern
};

enum class compare_op : std::uint8_t { eq, ne, lt, le, gt, ge };

struct logical {
    enum class kind : std::uint8_t { any_of, all_of, negate, compare, exists, call };
    kind how = kind::exists;
    std::vector<logical> children;   // any_of, all_of (several), negate (one)
    compare_op op = compare_op::eq;  // compare: left op right
    operand left;                    // compare; exists (a query); call (a call)
    operand right;                   // compare
};

// What evaluation shares across one select(): the document and the budget.
struct eval_context {
    const boost::json::value& root;
    std::size_t steps_left = json_path::max_steps;

    // Counts one visited node; false once the budget is spent.
    bool step() {
        if (steps_left == 0) return false;
        --steps_left;
        return true;
    }
};

// The parts that need json_path's private members.
struct access {
    static std::vector<json_path::segment>& segments(json_path& p) { return p.segments_; }
    static void set_flags(json_path& p, bool singular, bool relative) {
        p.singular_ = singular;
        p.relative_ = relative;
    }
    static bool relative(const json_path& p) { return p.relative_; }
};

// json_path_eval.cpp: the nodes `query` selects from `current` (`@`) or the
// root, appended to `out` (at most json_path::max_nodes in all).
void evaluate_query(const json_path& query, const boost::json::value& current, eval_context& ctx,
                    node_list& out);

// json_path_eval.cpp: a singular query's node without allocating, or nullptr.
const boost::json::value* resolve_singular(const json_path& query, const boost::json::value& start);

// json_path_filter.cpp: whether `expr` holds for the node `current`.
bool holds(const logical& expr, const boost::json::value& current, eval_context& ctx);

// json_path_filter.cpp: an I-Regexp (RFC 9485) as RE2 syntax ('.' excludes
// CR and LF too; '^' and '$' are plain characters), compiled, or nullptr.
std::shared_ptr<const re2::RE2> compile_iregexp(std::string_view pattern);

}  // namespace swarm::scenario::json_path_detail
