// Operator semantics:
//   + -        arithmetic when both operands are numbers (an integer, a float,
//              or a string that is exactly a decimal integer): integer
//              arithmetic wraps around on overflow; a float on either side
//              makes the result a float. Otherwise `+` concatenates the text
//              of both operands ("id-" + 7 is "id-7") and `-` counts a
//              non-number operand as 0. Unary `-` likewise.
//   == != < <= > >=   numeric when both operands are numbers (1 == 1.0),
//              JSON equality for two arrays/objects, otherwise a byte-wise
//              comparison of their text (null's text is "null").
//   contains   on a list: whether an element equals the right operand;
//              otherwise a substring test on the text of both operands.
//   && || !    on truthy() of the operands; the right operand of && and ||
//              is evaluated only when needed; the result is a boolean.

#include "common/template/evaluate.hpp"

#include <boost/json/value.hpp>

#include <algorithm>
#include <charconv>

namespace swarm::tmpl {

std::optional<std::int64_t> integer_of(const value& v) {
    if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
    const auto* s = std::get_if<std::string>(&v);
    if (!s || s->empty()) return std::nullopt;
    std::int64_t n = 0;
    const char* end = s->data() + s->size();
    auto [ptr, ec] = std::from_chars(s->data(), end, n);
    if (ec != std::errc{} || ptr != end) return std::nullopt;
    return n;
}

std::optional<number> number_of(const value& v) {
    if (const auto* d = std::get_if<double>(&v)) return number{0, *d, true};
    if (auto n = integer_of(v)) return number{*n, 0, false};
    return std::nullopt;
}

std::string_view text_of(const value& v, text_scratch& scratch) {
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
        auto [end, ec] =
            std::to_chars(scratch.digits_, scratch.digits_ + sizeof scratch.digits_, *n);
        (void)ec;  // 24 bytes always hold an int64
        return {scratch.digits_, static_cast<std::size_t>(end - scratch.digits_)};
    }
    if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
    if (std::holds_alternative<std::monostate>(v)) return {};
    scratch.other_ = to_string(v);
    return scratch.other_;
}

namespace {

// Modular arithmetic through unsigned integers: defined on overflow, and the
// conversion back to signed is modular since C++20.
std::int64_t wrapping_add(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}
std::int64_t wrapping_subtract(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}

// A record's field, or "no value" when the variable is unset, not a record,
// or has no such field.
const std::string* field_of(const node& n, environment& env) {
    const value* v = env.variable(n.name_);
    if (!v || n.fields_.size() != 1) return nullptr;
    const auto* r = std::get_if<record_ptr>(v);
    if (!r || !*r) return nullptr;
    return (*r)->find(n.fields_[0]);
}

// A member of a JSON object variable, following every field
// (order.customer.id); "no value" when a step is not an object or lacks
// the member.
value member_of(const node& n, environment& env) {
    const value* v = env.variable(n.name_);
    const auto* j = v ? std::get_if<json_ptr>(v) : nullptr;
    if (!j || !*j) return {};
    const boost::json::value* at = j->get();
    for (const auto& name : n.fields_) {
        const auto* object = at->if_object();
        at = object ? object->if_contains(name) : nullptr;
        if (!at) return {};
    }
    return from_json(*at);
}

// -1, 0 or 1 as a compares to b.
int compare(const value& a, const value& b) {
    auto x = number_of(a);
    auto y = number_of(b);
    if (x && y) {
        if (!x->is_float_ && !y->is_float_) return (x->int_ > y->int_) - (x->int_ < y->int_);
        const double p = x->as_double();
        const double q = y->as_double();
        return (p > q) - (p < q);  // NaN compares equal to nothing, less than nothing
    }
    const auto* ja = std::get_if<json_ptr>(&a);
    const auto* jb = std::get_if<json_ptr>(&b);
    if (ja && jb && *ja && *jb && **ja == **jb) return 0;
    text_scratch sa;
    text_scratch sb;
    int c = text_of(a, sa).compare(text_of(b, sb));
    return (c > 0) - (c < 0);
}

// A list holds an element equal to `needle` (numbers by value, as ==).
bool list_contains(const boost::json::array& list, const value& needle) {
    return std::any_of(list.begin(), list.end(), [&](const boost::json::value& item) {
        return compare(from_json(item), needle) == 0;
    });
}

number add(number x, number y) {
    if (x.is_float_ || y.is_float_) return {0, x.as_double() + y.as_double(), true};
    return {wrapping_add(x.int_, y.int_), 0, false};
}

number subtract(number x, number y) {
    if (x.is_float_ || y.is_float_) return {0, x.as_double() - y.as_double(), true};
    return {wrapping_subtract(x.int_, y.int_), 0, false};
}

value value_of(number n) {
    if (n.is_float_) return n.float_;
    return n.int_;
}

number number_or_zero(const value& v) {
    return number_of(v).value_or(number{});
}

bool compare_as(op kind, int c) {
    switch (kind) {
        case op::equal:
            return c == 0;
        case op::not_equal:
            return c != 0;
        case op::less:
            return c < 0;
        case op::less_equal:
            return c <= 0;
        case op::greater:
            return c > 0;
        default:
            return c >= 0;  // op::greater_equal
    }
}

value binary(const node& n, environment& env) {
    value sa;
    value sb;
    const value& a = evaluate_ref(n.args_[0], env, sa);
    if (n.kind_ == op::logical_and && !truthy(a)) return false;
    if (n.kind_ == op::logical_or && truthy(a)) return true;
    const value& b = evaluate_ref(n.args_[1], env, sb);
    switch (n.kind_) {
        case op::logical_and:
        case op::logical_or:
            return truthy(b);
        case op::subtract:
            return value_of(subtract(number_or_zero(a), number_or_zero(b)));
        case op::add: {
            auto x = number_of(a);
            auto y = number_of(b);
            if (x && y) return value_of(add(*x, *y));
            text_scratch ta;
            text_scratch tb;
            std::string_view left = text_of(a, ta);
            std::string_view right = text_of(b, tb);
            std::string joined;
            joined.reserve(left.size() + right.size());
            joined.append(left).append(right);
            return joined;
        }
        case op::contains: {
            if (const auto* list = as_list(a)) return list_contains(*list, b);
            text_scratch ta;
            text_scratch tb;
            return text_of(a, ta).find(text_of(b, tb)) != std::string_view::npos;
        }
        default:
            return compare_as(n.kind_, compare(a, b));
    }
}

// Every kind that has no existing value to refer to.
value compute(const node& n, environment& env) {
    switch (n.kind_) {
        case op::user_id:
            return env.user_id();
        case op::worker_id:
            return env.worker_id();
        case op::iteration:
            return env.iteration();
        case op::last_status:
            return std::int64_t{env.last_status()};
        case op::last_body:
            return std::string(env.last_body());
        case op::variable: {
            if (const std::string* field = field_of(n, env)) return *field;
            return member_of(n, env);
        }
        case op::negate: {
            value s;
            return value_of(subtract(number{}, number_or_zero(evaluate_ref(n.args_[0], env, s))));
        }
        case op::logical_not: {
            value s;
            return !truthy(evaluate_ref(n.args_[0], env, s));
        }
        default:
            return binary(n, env);
    }
}

}  // namespace

const value& evaluate_ref(const node& n, environment& env, value& scratch) {
    switch (n.kind_) {
        case op::literal:
            return n.constant_;
        case op::call:
            return call_function(n, env, scratch);
        case op::variable:
            if (n.fields_.empty()) {
                if (const value* v = env.variable(n.name_)) return *v;
                scratch = value();
                return scratch;
            }
            break;
        default:
            break;
    }
    scratch = compute(n, env);
    return scratch;
}

value evaluate_node(const node& n, environment& env) {
    value scratch;
    const value& result = evaluate_ref(n, env, scratch);
    if (&result == &scratch) return scratch;
    return result;
}

void append_node(const node& n, environment& env, std::string& out) {
    switch (n.kind_) {
        case op::literal:
            append_to(out, n.constant_);
            return;
        case op::user_id:
            append_integer(out, env.user_id());
            return;
        case op::worker_id:
            append_integer(out, env.worker_id());
            return;
        case op::iteration:
            append_integer(out, env.iteration());
            return;
        case op::last_status:
            append_integer(out, env.last_status());
            return;
        case op::last_body:
            out.append(env.last_body());
            return;
        case op::variable:
            if (n.fields_.empty()) {
                if (const value* v = env.variable(n.name_)) append_to(out, *v);
            } else if (const std::string* field = field_of(n, env)) {
                out.append(*field);
            } else {
                append_to(out, member_of(n, env));
            }
            return;
        case op::add: {
            // Concatenation straight into `out`, without the joined temporary.
            value sa;
            value sb;
            const value& a = evaluate_ref(n.args_[0], env, sa);
            const value& b = evaluate_ref(n.args_[1], env, sb);
            auto x = number_of(a);
            auto y = number_of(b);
            if (x && y) {
                append_to(out, value_of(add(*x, *y)));
            } else {
                append_to(out, a);
                append_to(out, b);
            }
            return;
        }
        case op::call:
            if (!append_function(n, env, out)) {
                value s;
                append_to(out, call_function(n, env, s));
            }
            return;
        default: {
            value s;
            append_to(out, evaluate_ref(n, env, s));
        }
    }
}

}  // namespace swarm::tmpl
