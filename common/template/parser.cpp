#include "common/template/parser.hpp"

#include <algorithm>
#include <utility>

#include "common/template/functions.hpp"

namespace swarm::tmpl {

namespace {

// Recursive descent, one function per precedence level (lowest first):
// || , && , comparisons and contains, + -, unary ! -, primary.
class parser {
  public:
    parser(const std::vector<token>& tokens, const symbols* syms, std::vector<error>& errors)
        : tokens_(tokens), syms_(syms), errors_(errors) {}

    std::optional<node> run() {
        auto root = logical_or();
        if (!root) return std::nullopt;
        if (peek().kind_ != token_kind::end) {
            return fail(peek().offset_, "unexpected " + quote(peek()) + " after the expression");
        }
        return root;
    }

  private:
    const std::vector<token>& tokens_;
    const symbols* syms_;
    std::vector<error>& errors_;
    std::size_t pos_ = 0;
    int depth_ = 0;

    // The token list always ends with `end`, so peeking past it stays there.
    const token& peek(std::size_t ahead = 0) const {
        return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
    }
    const token& take() {
        const token& t = peek();
        if (pos_ + 1 < tokens_.size()) ++pos_;
        return t;
    }

    static std::string quote(const token& t) {
        if (t.kind_ == token_kind::end) return "end of expression";
        return "'" + std::string(t.text_) + "'";
    }

    std::nullopt_t fail(std::size_t offset, std::string message) {
        errors_.push_back(error{offset, std::move(message)});
        return std::nullopt;
    }

    // Guards every recursion of the parser itself.
    struct nesting {
        int& depth_;
        explicit nesting(int& depth) : depth_(depth) { ++depth_; }
        ~nesting() { --depth_; }
        nesting(const nesting&) = delete;
        nesting& operator=(const nesting&) = delete;
    };
    bool too_deep() const { return depth_ > max_nesting; }
    std::nullopt_t fail_too_deep(std::size_t offset) {
        return fail(offset, "expression nested too deeply (the limit is " +
                                std::to_string(max_nesting) + " levels)");
    }

    std::optional<node> combine(op kind, std::size_t offset, std::vector<node> args) {
        node n;
        n.kind_ = kind;
        n.offset_ = offset;
        for (const auto& a : args) n.height_ = std::max(n.height_, a.height_ + 1);
        if (n.height_ > max_height) {
            return fail(offset, "expression too long or too deeply nested (the limit is " +
                                    std::to_string(max_height) + " operators in a chain)");
        }
        n.args_ = std::move(args);
        return n;
    }

    template <typename next_level, typename op_of>
    std::optional<node> binary_level(next_level next, op_of operator_for) {
        auto lhs = (this->*next)();
        while (lhs) {
            auto kind = operator_for(peek().kind_);
            if (!kind) return lhs;
            std::size_t at = take().offset_;
            auto rhs = (this->*next)();
            if (!rhs) return std::nullopt;
            std::vector<node> args;
            args.reserve(2);
            args.push_back(std::move(*lhs));
            args.push_back(std::move(*rhs));
            lhs = combine(*kind, at, std::move(args));
        }
        return lhs;
    }

    std::optional<node> logical_or() {
        return binary_level(&parser::logical_and, [](token_kind k) -> std::optional<op> {
            if (k == token_kind::or_or) return op::logical_or;
            return std::nullopt;
        });
    }

    std::optional<node> logical_and() {
        return binary_level(&parser::comparison, [](token_kind k) -> std::optional<op> {
            if (k == token_kind::and_and) return op::logical_and;
            return std::nullopt;
        });
    }

    std::optional<node> comparison() {
        return binary_level(&parser::additive, [](token_kind k) -> std::optional<op> {
            switch (k) {
                case token_kind::equal:
                    return op::equal;
                case token_kind::not_equal:
                    return op::not_equal;
                case token_kind::less:
                    return op::less;
                case token_kind::less_equal:
                    return op::less_equal;
                case token_kind::greater:
                    return op::greater;
                case token_kind::greater_equal:
                    return op::greater_equal;
                case token_kind::kw_contains:
                    return op::contains;
                default:
                    return std::nullopt;
            }
        });
    }

    std::optional<node> additive() {
        return binary_level(&parser::unary, [](token_kind k) -> std::optional<op> {
            if (k == token_kind::plus) return op::add;
            if (k == token_kind::minus) return op::subtract;
            return std::nullopt;
        });
    }

    std::optional<node> unary() {
        token_kind k = peek().kind_;
        if (k != token_kind::bang && k != token_kind::minus) return primary();
        nesting guard(depth_);
        std::size_t at = take().offset_;
        if (too_deep()) return fail_too_deep(at);
        auto operand = unary();
        if (!operand) return std::nullopt;
        std::vector<node> args;
        args.push_back(std::move(*operand));
        return combine(k == token_kind::bang ? op::logical_not : op::negate, at, std::move(args));
    }

    std::optional<node> primary() {
        const token& t = peek();
        node n;
        n.offset_ = t.offset_;
        switch (t.kind_) {
            case token_kind::integer:
                n.constant_ = take().integer_;
                return n;
            case token_kind::string:
                n.constant_ = take().string_;
                return n;
            case token_kind::kw_true:
                take();
                n.constant_ = true;
                return n;
            case token_kind::kw_false:
                take();
                n.constant_ = false;
                return n;
            case token_kind::left_paren:
                return parenthesized();
            case token_kind::identifier:
                if (peek(1).kind_ == token_kind::left_paren) return call();
                return path();
            case token_kind::end:
                return fail(t.offset_, "expected an expression");
            default:
                return fail(t.offset_, "unexpected " + quote(t) + ", expected an expression");
        }
    }

    std::optional<node> parenthesized() {
        nesting guard(depth_);
        std::size_t open = take().offset_;
        if (too_deep()) return fail_too_deep(open);
        auto inner = logical_or();
        if (!inner) return std::nullopt;
        if (peek().kind_ != token_kind::right_paren) {
            return fail(peek().offset_, "expected ')' to close the '(' at offset " +
                                            std::to_string(open) + ", found " + quote(peek()));
        }
        take();
        return inner;
    }

    std::optional<node> path() {
        const token& name = take();
        std::vector<std::string> fields;
        while (peek().kind_ == token_kind::dot) {
            take();
            token_kind k = peek().kind_;
            // A field may be spelled like a keyword (row.contains).
            bool is_word = k == token_kind::identifier || k == token_kind::kw_true ||
                           k == token_kind::kw_false || k == token_kind::kw_contains;
            if (!is_word) {
                return fail(peek().offset_,
                            "expected a field name after '.', found " + quote(peek()));
            }
            fields.emplace_back(take().text_);
        }
        if (!syms_) {
            node n;
            n.kind_ = op::variable;
            n.offset_ = name.offset_;
            n.name_ = std::string(name.text_);
            n.fields_ = std::move(fields);
            return n;
        }
        return resolve_name(name, std::move(fields), *syms_, errors_);
    }

    std::optional<node> call() {
        nesting guard(depth_);
        const token& name = take();
        take();  // (
        if (too_deep()) return fail_too_deep(name.offset_);
        node n;
        n.kind_ = op::call;
        n.offset_ = name.offset_;
        const function_info* info = find_function(name.text_);
        const token* data_set_name = nullptr;
        if (info && info->takes_data_set_ && peek().kind_ == token_kind::identifier &&
            peek(1).kind_ == token_kind::right_paren) {
            data_set_name = &take();
        } else {
            // A data-set function's arguments are wrong whatever they are:
            // check only their syntax, so the one error about the call shows.
            const symbols* saved = syms_;
            if (info && info->takes_data_set_) syms_ = nullptr;
            bool parsed = arguments(n);
            syms_ = saved;
            if (!parsed) return std::nullopt;
        }
        if (peek().kind_ != token_kind::right_paren) {
            return fail(peek().offset_, "expected ',' or ')' in the call of '" +
                                            std::string(name.text_) + "', found " + quote(peek()));
        }
        take();
        for (const auto& a : n.args_) n.height_ = std::max(n.height_, a.height_ + 1);
        if (syms_) resolve_call(name, data_set_name, n, *syms_, errors_);
        return n;
    }

    bool arguments(node& call) {
        if (peek().kind_ == token_kind::right_paren) return true;
        while (true) {
            auto arg = logical_or();
            if (!arg) return false;
            call.args_.push_back(std::move(*arg));
            if (peek().kind_ != token_kind::comma) return true;
            take();
        }
    }
};

}  // namespace

std::optional<node> parse(const std::vector<token>& tokens, const symbols* syms,
                          std::vector<error>& errors) {
    return parser(tokens, syms, errors).run();
}

}  // namespace swarm::tmpl
