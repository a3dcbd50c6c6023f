// Evaluating JSONPath filters (RFC 9535 §2.3.5.2): logical operators,
// comparisons (with "Nothing" for an absent value), and the function
// extensions of §2.4. Recursion follows the expression, whose depth the
// parser bounds; values are compared with an explicit stack.
#include <boost/json/value.hpp>

#include <string>
#include <utility>

#include "common/scenario/json_path_ast.hpp"

namespace swarm::scenario::json_path_detail {
namespace {

namespace bj = boost::json;

// Longest pattern compiled per evaluation (a pattern taken from the document).
constexpr std::size_t max_dynamic_pattern = 1000;

// A comparable's result: a node or a computed scalar, or Nothing.
class value_or_nothing {
  public:
    value_or_nothing() = default;
    explicit value_or_nothing(const bj::value* node) : node_(node) {}
    explicit value_or_nothing(std::int64_t n) : scalar_(n), owned_(true) {}

    const bj::value* get() const { return owned_ ? &scalar_ : node_; }

  private:
    const bj::value* node_ = nullptr;
    bj::value scalar_;
    bool owned_ = false;
};

const bj::value& start_of(const json_path& query, const bj::value& current,
                          const eval_context& ctx) {
    return access::relative(query) ? current : ctx.root;
}

double as_double(const bj::value& v) {
    if (v.is_double()) return v.get_double();
    if (v.is_int64()) return static_cast<double>(v.get_int64());
    return static_cast<double>(v.get_uint64());
}

template <class T>
int three_way(T a, T b) {
    return a < b ? -1 : (b < a ? 1 : 0);
}

// Numbers compare as numbers whatever their representation (1 == 1.0).
int compare_numbers(const bj::value& a, const bj::value& b) {
    if (a.is_double() || b.is_double()) return three_way(as_double(a), as_double(b));
    if (a.is_int64() && b.is_int64()) return three_way(a.get_int64(), b.get_int64());
    if (a.is_uint64() && b.is_uint64()) return three_way(a.get_uint64(), b.get_uint64());
    if (a.is_int64()) {  // b is a uint64 above int64's range or not
        if (a.get_int64() < 0) return -1;
        return three_way(static_cast<std::uint64_t>(a.get_int64()), b.get_uint64());
    }
    if (b.get_int64() < 0) return 1;
    return three_way(a.get_uint64(), static_cast<std::uint64_t>(b.get_int64()));
}

bool same_scalar(const bj::value& a, const bj::value& b) {
    if (a.is_number() && b.is_number()) return compare_numbers(a, b) == 0;
    if (a.is_string() && b.is_string()) return a.get_string() == b.get_string();
    if (a.is_bool() && b.is_bool()) return a.get_bool() == b.get_bool();
    return a.is_null() && b.is_null();
}

// RFC 9535 §2.3.5.2.2: arrays equal element by element, objects member by
// member; iterative, each pair counted against the budget.
bool deep_equal(const bj::value& a, const bj::value& b, eval_context& ctx) {
    std::vector<std::pair<const bj::value*, const bj::value*>> pending{{&a, &b}};
    while (!pending.empty()) {
        const auto [x, y] = pending.back();
        pending.pop_back();
        if (!ctx.step()) return false;
        if (const auto* xa = x->if_array()) {
            const auto* ya = y->if_array();
            if (!ya || ya->size() != xa->size()) return false;
            for (std::size_t i = 0; i < xa->size(); ++i) pending.emplace_back(&(*xa)[i], &(*ya)[i]);
        } else if (const auto* xo = x->if_object()) {
            const auto* yo = y->if_object();
            if (!yo || yo->size() != xo->size()) return false;
            for (const auto& kv : *xo) {
                const auto* other = yo->if_contains(kv.key());
                if (!other) return false;
                pending.emplace_back(&kv.value(), other);
            }
        } else if (!same_scalar(*x, *y)) {
            return false;
        }
    }
    return true;
}

bool equal(const bj::value* a, const bj::value* b, eval_context& ctx) {
    if (!a || !b) return !a && !b;  // Nothing equals only Nothing
    return deep_equal(*a, *b, ctx);
}

// Only numbers with numbers and strings with strings are ordered (strings
// by code point, which UTF-8's byte order gives).
bool less(const bj::value* a, const bj::value* b) {
    if (!a || !b) return false;
    if (a->is_number() && b->is_number()) return compare_numbers(*a, *b) < 0;
    if (a->is_string() && b->is_string()) return a->get_string() < b->get_string();
    return false;
}

std::int64_t code_points(const bj::string& s) {
    std::int64_t n = 0;
    for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

value_or_nothing value_of(const operand& op, const bj::value& current, eval_context& ctx);

// A NodesType argument (count, value): the nodes, without allocating for a
// singular query.
std::size_t nodes_of(const operand& op, const bj::value& current, eval_context& ctx,
                     const bj::value*& first) {
    const auto& start = start_of(op.query, current, ctx);
    if (op.query.is_singular()) {
        first = resolve_singular(op.query, start);
        return first ? 1 : 0;
    }
    node_list found;
    evaluate_query(op.query, current, ctx, found);
    first = found.empty() ? nullptr : found.front();
    return found.size();
}

value_or_nothing call_value(const function_call& fn, const bj::value& current, eval_context& ctx) {
    const bj::value* first = nullptr;
    switch (fn.which) {
        case function_kind::length: {
            const auto arg = value_of(fn.args[0], current, ctx);
            const auto* v = arg.get();
            if (!v) return {};
            if (v->is_string()) return value_or_nothing(code_points(v->get_string()));
            if (v->is_array())
                return value_or_nothing(static_cast<std::int64_t>(v->get_array().size()));
            if (v->is_object())
                return value_or_nothing(static_cast<std::int64_t>(v->get_object().size()));
            return {};
        }
        case function_kind::count:
            return value_or_nothing(
                static_cast<std::int64_t>(nodes_of(fn.args[0], current, ctx, first)));
        case function_kind::value:
            if (nodes_of(fn.args[0], current, ctx, first) == 1) return value_or_nothing(first);
            return {};
        case function_kind::match:
        case function_kind::search:
            break;  // logical: never a comparable (the parser checks)
    }
    return {};
}

value_or_nothing value_of(const operand& op, const bj::value& current, eval_context& ctx) {
    switch (op.how) {
        case operand::kind::literal:
            return value_or_nothing(&op.literal);
        case operand::kind::query:
            return value_or_nothing(resolve_singular(op.query, start_of(op.query, current, ctx)));
        case operand::kind::call:
            return call_value(*op.call, current, ctx);
    }
    return {};
}

// match() and search(): false unless both arguments are strings and the
// pattern is a valid regular expression.
bool call_logical(const function_call& fn, const bj::value& current, eval_context& ctx) {
    const auto subject = value_of(fn.args[0], current, ctx);
    if (!subject.get() || !subject.get()->is_string()) return false;
    auto re = fn.pattern;
    if (!re) {
        const auto pattern = value_of(fn.args[1], current, ctx);
        const auto* p = pattern.get();
        if (!p || !p->is_string() || p->get_string().size() > max_dynamic_pattern) return false;
        // compiling costs far more than visiting a node: charge for it
        for (std::size_t i = 0; i < 100 + p->get_string().size(); ++i) {
            if (!ctx.step()) return false;
        }
        re = compile_iregexp(std::string_view(p->get_string().data(), p->get_string().size()));
        if (!re) return false;
    }
    const auto& s = subject.get()->get_string();
    const re2::StringPiece text(s.data(), s.size());
    return fn.which == function_kind::match ? re2::RE2::FullMatch(text, *re)
                                            : re2::RE2::PartialMatch(text, *re);
}

bool compare(const logical& expr, const bj::value& current, eval_context& ctx) {
    const auto left = value_of(expr.left, current, ctx);
    const auto right = value_of(expr.right, current, ctx);
    const auto* a = left.get();
    const auto* b = right.get();
    switch (expr.op) {
        case compare_op::eq:
            return equal(a, b, ctx);
        case compare_op::ne:
            return !equal(a, b, ctx);
        case compare_op::lt:
            return less(a, b);
        case compare_op::le:
            return less(a, b) || equal(a, b, ctx);
        case compare_op::gt:
            return less(b, a);
        case compare_op::ge:
            return less(b, a) || equal(a, b, ctx);
    }
    return false;
}

bool exists(const json_path& query, const bj::value& current, eval_context& ctx) {
    if (query.is_singular()) return resolve_singular(query, start_of(query, current, ctx));
    node_list found;
    evaluate_query(query, current, ctx, found);
    return !found.empty();
}

}  // namespace

bool holds(const logical& expr, const bj::value& current, eval_context& ctx) {
    switch (expr.how) {
        case logical::kind::any_of:
            for (const auto& c : expr.children) {
                if (holds(c, current, ctx)) return true;
            }
            return false;
        case logical::kind::all_of:
            for (const auto& c : expr.children) {
                if (!holds(c, current, ctx)) return false;
            }
            return true;
        case logical::kind::negate:
            return !holds(expr.children.front(), current, ctx);
        case logical::kind::compare:
            return compare(expr, current, ctx);
        case logical::kind::exists:
            return exists(expr.left.query, current, ctx);
        case logical::kind::call:
            return call_logical(*expr.left.call, current, ctx);
    }
    return false;
}

std::shared_ptr<const re2::RE2> compile_iregexp(std::string_view pattern) {
    std::string re;
    re.reserve(pattern.size() + 16);
    bool in_class = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size()) {
            re += c;
            re += pattern[++i];
        } else if (in_class) {
            in_class = c != ']';
            re += c;
        } else if (c == '[') {
            in_class = true;
            re += c;
            if (i + 1 < pattern.size() && pattern[i + 1] == '^') re += pattern[++i];
        } else if (c == '.') {
            re += "[^\\n\\r]";  // I-Regexp's '.' excludes CR as well as LF
        } else if (c == '^' || c == '$') {
            re += '\\';  // ordinary characters in I-Regexp, anchors in RE2
            re += c;
        } else {
            re += c;
        }
    }
    re2::RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(2 << 20);
    auto compiled = std::make_shared<const re2::RE2>(re, options);
    if (!compiled->ok()) return nullptr;
    return compiled;
}

}  // namespace swarm::scenario::json_path_detail
