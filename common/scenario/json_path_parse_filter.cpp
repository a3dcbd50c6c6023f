// JSONPath filter expressions (RFC 9535 §2.3.5) and function extensions
// (§2.4), with the type checks that make a query "well-typed".
#include <array>
#include <charconv>
#include <utility>

#include "common/scenario/json_path_parser.hpp"

namespace swarm::scenario::json_path_detail {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_lower(char c) {
    return c >= 'a' && c <= 'z';
}

struct function_info {
    std::string_view name;
    function_kind which;
    int arity;
    bool nodes_argument;  // count(), value(): a query of any kind
    bool gives_logical;   // match(), search(): usable only as a test
};

constexpr std::array<function_info, 5> functions{{
    {"length", function_kind::length, 1, false, false},
    {"count", function_kind::count, 1, true, false},
    {"match", function_kind::match, 2, false, true},
    {"search", function_kind::search, 2, false, true},
    {"value", function_kind::value, 1, true, false},
}};

const function_info& info_of(function_kind which) {
    return functions[static_cast<std::size_t>(which)];
}

struct op_text {
    std::string_view text;
    compare_op op;
};

// Two-character operators first, so "<=" is not read as "<".
constexpr std::array<op_text, 6> operators{{
    {"==", compare_op::eq},
    {"!=", compare_op::ne},
    {"<=", compare_op::le},
    {">=", compare_op::ge},
    {"<", compare_op::lt},
    {">", compare_op::gt},
}};

}  // namespace

// `a || b || c`
result<logical> parser::logical_or() {
    auto first = logical_and();
    if (!first) return first.error();
    logical any;
    any.how = logical::kind::any_of;
    any.children.push_back(std::move(*first));
    for (;;) {
        const auto before = pos_;
        skip_blank();
        if (!eat("||")) {
            pos_ = before;
            break;
        }
        skip_blank();
        auto next = logical_and();
        if (!next) return next.error();
        any.children.push_back(std::move(*next));
    }
    if (any.children.size() == 1) return std::move(any.children.front());
    return any;
}

// `a && b && c`
result<logical> parser::logical_and() {
    auto first = basic();
    if (!first) return first.error();
    logical all;
    all.how = logical::kind::all_of;
    all.children.push_back(std::move(*first));
    for (;;) {
        const auto before = pos_;
        skip_blank();
        if (!eat("&&")) {
            pos_ = before;
            break;
        }
        skip_blank();
        auto next = basic();
        if (!next) return next.error();
        all.children.push_back(std::move(*next));
    }
    if (all.children.size() == 1) return std::move(all.children.front());
    return all;
}

// `(expr)`, `!(expr)`, `!@.a`, `@.a`, `match(...)`, or `x op y`.
result<logical> parser::basic() {
    const auto start = pos_;
    if (peek() == '!') {
        ++pos_;
        skip_blank();
        const auto inner_start = pos_;
        result<logical> inner = logical{};
        if (peek() == '(') {
            inner = parenthesized();
        } else {
            auto op = operand_at();
            if (!op) return op.error();
            inner = test_of(std::move(*op), inner_start);
        }
        if (!inner) return inner.error();
        logical negated;
        negated.how = logical::kind::negate;
        negated.children.push_back(std::move(*inner));
        return negated;
    }
    if (peek() == '(') return parenthesized();
    auto left = operand_at();
    if (!left) return left.error();
    const auto before = pos_;
    skip_blank();
    for (const auto& candidate : operators) {
        if (!eat(candidate.text)) continue;
        if (auto ok = check_comparable(*left, start); !ok) return ok.error();
        skip_blank();
        const auto right_at = pos_;
        auto right = operand_at();
        if (!right) return right.error();
        if (auto ok = check_comparable(*right, right_at); !ok) return ok.error();
        logical cmp;
        cmp.how = logical::kind::compare;
        cmp.op = candidate.op;
        cmp.left = std::move(*left);
        cmp.right = std::move(*right);
        return cmp;
    }
    pos_ = before;
    return test_of(std::move(*left), start);
}

// pos_ on '('.
result<logical> parser::parenthesized() {
    const auto open = pos_++;
    if (auto entered = enter(open); !entered) return entered.error();
    skip_blank();
    auto inner = logical_or();
    leave();
    if (!inner) return inner.error();
    skip_blank();
    if (peek() != ')') return fail_at("expected ')'", pos_);
    ++pos_;
    return inner;
}

// An operand standing alone: a query (does it select anything?) or a
// function giving a logical result.
result<logical> parser::test_of(operand op, std::size_t offset) {
    if (op.how == operand::kind::literal) {
        return fail_at("a literal must be compared with something (e.g. @.a == 1)", offset);
    }
    if (op.how == operand::kind::call && !info_of(op.call->which).gives_logical) {
        return fail_at(
            std::string(info_of(op.call->which).name) + "() gives a value: compare it (e.g. == 1)",
            offset);
    }
    logical test;
    test.how = op.how == operand::kind::query ? logical::kind::exists : logical::kind::call;
    test.left = std::move(op);
    return test;
}

// A comparison side: a literal, a singular query or a value-giving function.
result<void> parser::check_comparable(const operand& op, std::size_t offset) const {
    if (op.how == operand::kind::query && !op.query.is_singular()) {
        return fail_at("a comparison needs a singular query (names and indexes only)", offset);
    }
    if (op.how == operand::kind::call && info_of(op.call->which).gives_logical) {
        return fail_at(std::string(info_of(op.call->which).name) +
                           "() gives true or false and cannot be compared",
                       offset);
    }
    return {};
}

result<operand> parser::operand_at() {
    const char c = peek();
    if (c == '@' || c == '$') {
        ++pos_;
        return query_operand(c == '@');
    }
    if (c == '\'' || c == '"') {
        auto text = string_literal("unterminated string");
        if (!text) return text.error();
        operand op;
        op.literal = boost::json::string(*text);
        return op;
    }
    if (c == '-' || is_digit(c)) return number_literal();
    if (is_lower(c)) return name_or_call();
    return fail_at("expected a query (@ or $), a literal or a function", pos_);
}

// pos_ after '@' or '$'.
result<operand> parser::query_operand(bool relative) {
    operand op;
    op.how = operand::kind::query;
    if (auto parsed = segments(op.query); !parsed) return parsed.error();
    finish(op.query, relative);
    return op;
}

// RFC 9535 number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`, and "-0".
result<operand> parser::number_literal() {
    const auto start = pos_;
    if (peek() == '-') ++pos_;
    if (!is_digit(peek())) return fail_at("expected a number", start);
    if (peek() == '0' && is_digit(peek(1))) return fail_at("a number may not start with 0", start);
    while (is_digit(peek())) ++pos_;
    bool integral = true;
    if (peek() == '.') {
        ++pos_;
        if (!is_digit(peek())) return fail_at("expected a digit after '.'", pos_);
        while (is_digit(peek())) ++pos_;
        integral = false;
    }
    if (peek() == 'e' || peek() == 'E') {
        ++pos_;
        if (peek() == '-' || peek() == '+') ++pos_;
        if (!is_digit(peek())) return fail_at("expected a digit in the exponent", pos_);
        while (is_digit(peek())) ++pos_;
        integral = false;
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    operand op;
    if (integral) {
        std::int64_t n = 0;
        if (auto [ptr, ec] = std::from_chars(first, last, n); ec == std::errc() && ptr == last) {
            op.literal = n;
            return op;
        }
    }
    double d = 0;
    if (auto [ptr, ec] = std::from_chars(first, last, d); ec != std::errc() || ptr != last) {
        return fail_at("number out of range", start);
    }
    op.literal = d;
    return op;
}

// `true`, `false`, `null`, or `name(args...)`.
result<operand> parser::name_or_call() {
    const auto start = pos_;
    while (is_lower(peek()) || is_digit(peek()) || peek() == '_') ++pos_;
    const auto name = text_.substr(start, pos_ - start);
    if (peek() != '(') {
        operand op;
        if (name == "true") {
            op.literal = true;
        } else if (name == "false") {
            op.literal = false;
        } else if (name == "null") {
            op.literal = nullptr;
        } else {
            return fail_at("unknown name '" + std::string(name) +
                               "' (expected true, false, null or a function call)",
                           start);
        }
        return op;
    }
    for (const auto& f : functions) {
        if (f.name == name) return call(f.which, name, start);
    }
    return fail_at(
        "unknown function '" + std::string(name) + "' (length, count, match, search, value)",
        start);
}

// pos_ on '(' after the function's name.
result<operand> parser::call(function_kind which, std::string_view name, std::size_t offset) {
    const auto& f = info_of(which);
    if (auto entered = enter(offset); !entered) return entered.error();
    ++pos_;
    auto fn = std::make_shared<function_call>();
    fn->which = which;
    for (int i = 0; i < f.arity; ++i) {
        skip_blank();
        if (i > 0) {
            if (peek() != ',') {
                leave();
                return fail_at(
                    std::string(name) + "() takes " + std::to_string(f.arity) + " arguments", pos_);
            }
            ++pos_;
            skip_blank();
        }
        const auto arg_at = pos_;
        auto arg = operand_at();
        if (!arg) {
            leave();
            return arg.error();
        }
        if (f.nodes_argument && arg->how != operand::kind::query) {
            leave();
            return fail_at(std::string(name) + "() takes a query", arg_at);
        }
        if (!f.nodes_argument) {
            if (auto ok = check_comparable(*arg, arg_at); !ok) {
                leave();
                return fail_at(std::string(name) +
                                   "() takes a value: a literal, a singular query or a function "
                                   "giving a value",
                               arg_at);
            }
        }
        fn->args.push_back(std::move(*arg));
    }
    leave();
    skip_blank();
    if (peek() != ')') return fail_at("expected ')'", pos_);
    ++pos_;
    if ((which == function_kind::match || which == function_kind::search) &&
        fn->args[1].how == operand::kind::literal && fn->args[1].literal.is_string()) {
        const auto& pattern = fn->args[1].literal.get_string();
        fn->pattern = compile_iregexp(std::string_view(pattern.data(), pattern.size()));
        if (!fn->pattern) return fail_at("invalid regular expression", offset);
    }
    operand op;
    op.how = operand::kind::call;
    op.call = std::move(fn);
    return op;
}

}  // namespace swarm::scenario::json_path_detail
