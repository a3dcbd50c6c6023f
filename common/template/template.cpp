// Compiling template and expression sources: splitting "{{ }}" segments,
// then lexing, parsing and resolving each; and rendering the result.

#include "common/template/template.hpp"

#include <algorithm>

#include "common/template/evaluate.hpp"
#include "common/template/functions.hpp"
#include "common/template/lexer.hpp"
#include "common/template/parser.hpp"

namespace swarm::tmpl {

namespace {

const std::string empty_text;

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Compiles source[begin, end) as one expression; `empty_at` is where an
// empty expression is reported (the "{{" of "{{ }}").
std::optional<node> compile_segment(std::string_view source, std::size_t begin, std::size_t end,
                                    std::size_t empty_at, const symbols* syms,
                                    std::vector<error>& errors) {
    lex_result lexed = lex(source, begin, end);
    if (lexed.error_) {
        errors.push_back(*lexed.error_);
        return std::nullopt;
    }
    if (lexed.tokens_.size() == 1) {
        errors.push_back({empty_at, "empty expression"});
        return std::nullopt;
    }
    return parse(lexed.tokens_, syms, errors);
}

void sort_errors(std::vector<error>& errors) {
    std::stable_sort(errors.begin(), errors.end(),
                     [](const error& a, const error& b) { return a.offset < b.offset; });
}

std::string unclosed_message() {
    return "'{{' without a closing '}}'";
}

bool is_builtin_name(std::string_view name) {
    return name == "user_id" || name == "worker_id" || name == "iteration" || name == "last";
}

// The data-set argument of random(ds)/next(ds): tokens i-2, i-1, i, i+1 are
// `random ( ds )`.
bool is_data_set_argument(const std::vector<token>& tokens, std::size_t i) {
    if (i < 2 || tokens[i - 1].kind_ != token_kind::left_paren) return false;
    if (tokens[i + 1].kind_ != token_kind::right_paren) return false;
    const function_info* f = find_function(tokens[i - 2].text_);
    return tokens[i - 2].kind_ == token_kind::identifier && f && f->takes_data_set_;
}

// Variable names among the tokens: identifiers that are not a field (after
// '.'), a function (before '('), a data-set argument or a builtin.
void collect_names(const std::vector<token>& tokens, std::vector<std::string>& names) {
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
        const token& t = tokens[i];
        if (t.kind_ != token_kind::identifier) continue;
        if (i > 0 && tokens[i - 1].kind_ == token_kind::dot) continue;
        if (tokens[i + 1].kind_ == token_kind::left_paren) continue;
        if (is_data_set_argument(tokens, i) || is_builtin_name(t.text_)) continue;
        if (std::find(names.begin(), names.end(), t.text_) == names.end()) {
            names.emplace_back(t.text_);
        }
    }
}

}  // namespace

// Builds the objects whose members the public classes keep private.
struct compiler {
    static compiled<template_string> compile(std::string_view source, const symbols& syms) {
        compiled<template_string> out;
        template_string t;
        t.source_ = std::string(source);
        std::string text;  // literal text not yet stored in a segment
        std::size_t pos = 0;
        while (pos < source.size()) {
            std::size_t open = source.find("{{", pos);
            if (open == std::string_view::npos) open = source.size();
            text.append(source.substr(pos, open - pos));
            if (open == source.size()) break;
            std::size_t close = find_close(source, open + 2);
            if (close == std::string_view::npos) {
                out.errors.push_back({open, unclosed_message()});
                break;
            }
            auto n = compile_segment(source, open + 2, close, open, &syms, out.errors);
            pos = close + 2;
            if (!n) continue;
            // A string literal ("{{ '{{' }}", the way to write braces) is text.
            if (n->kind_ == op::literal && std::holds_alternative<std::string>(n->constant_)) {
                text += std::get<std::string>(n->constant_);
                continue;
            }
            if (!text.empty()) t.segments_.push_back({std::move(text), nullptr});
            text.clear();
            t.segments_.push_back({{}, std::make_shared<const node>(std::move(*n))});
        }
        if (!text.empty()) t.segments_.push_back({std::move(text), nullptr});
        sort_errors(out.errors);
        if (out.errors.empty()) out.result = std::move(t);
        return out;
    }

    static compiled<expression> compile_bare(std::string_view source, const symbols& syms) {
        compiled<expression> out;
        std::size_t begin = 0;
        std::size_t end = source.size();
        while (begin < end && is_space(source[begin])) ++begin;
        while (end > begin && is_space(source[end - 1])) --end;
        std::size_t empty_at = begin;
        if (source.substr(begin, 2) == "{{") {
            std::size_t close = find_close(source, begin + 2);
            if (close == std::string_view::npos) {
                out.errors.push_back({begin, unclosed_message()});
                return out;
            }
            if (close + 2 != end) {
                out.errors.push_back(
                    {close + 2,
                     "unexpected text after '}}': an expression in {{ }} must be the "
                     "whole text"});
                return out;
            }
            begin += 2;
            end = close;
        }
        auto n = compile_segment(source, begin, end, empty_at, &syms, out.errors);
        sort_errors(out.errors);
        if (!n || !out.errors.empty()) return out;
        expression e;
        e.source_ = std::string(source);
        e.root_ = std::make_shared<const node>(std::move(*n));
        out.result = std::move(e);
        return out;
    }
};

compiled<template_string> compile_template(std::string_view source, const symbols& syms) {
    return compiler::compile(source, syms);
}

compiled<expression> compile_expression(std::string_view source, const symbols& syms) {
    return compiler::compile_bare(source, syms);
}

value expression::evaluate(environment& env) const {
    return root_ ? evaluate_node(*root_, env) : value();
}

const std::string& template_string::static_text() const {
    if (segments_.empty()) return empty_text;
    if (is_static()) return segments_[0].text;
    return source_;
}

void template_string::render(environment& env, std::string& out) const {
    for (const auto& s : segments_) {
        if (s.expr) {
            append_node(*s.expr, env, out);
        } else {
            out += s.text;
        }
    }
}

std::string template_string::render(environment& env) const {
    std::string out;
    render(env, out);
    return out;
}

void template_string::render_json(environment& env, std::string& out) const {
    if (is_whole_expression()) {
        value scratch;
        append_json(out, evaluate_ref(*segments_[0].expr, env, scratch));
        return;
    }
    // Literal JSON-safe text would need no escaping, but a template's text
    // may carry quotes and control characters: escape the whole rendering.
    const std::size_t start = out.size();
    render(env, out);
    std::string text = out.substr(start);
    out.resize(start);
    append_json_string(out, text);
}

value template_string::evaluate(environment& env) const {
    if (segments_.size() == 1 && segments_[0].expr) return evaluate_node(*segments_[0].expr, env);
    if (is_static()) return static_text();
    return render(env);
}

std::vector<std::string> referenced_names(std::string_view source) {
    std::vector<std::string> names;
    if (source.find("{{") == std::string_view::npos) {
        // Plain text ("application/json") is read as an expression only when
        // it is one, so a static template does not seem to mention names.
        lex_result lexed = lex(source, 0, source.size());
        std::vector<error> errors;
        if (lexed.error_ || !parse(lexed.tokens_, nullptr, errors)) return names;
        collect_names(lexed.tokens_, names);
        return names;
    }
    std::size_t pos = 0;
    while (pos < source.size()) {
        std::size_t open = source.find("{{", pos);
        if (open == std::string_view::npos) break;
        std::size_t close = find_close(source, open + 2);
        std::size_t end = close == std::string_view::npos ? source.size() : close;
        // Tokens up to a lexical error still count: best effort on bad input.
        collect_names(lex(source, open + 2, end).tokens_, names);
        pos = end + 2;
    }
    return names;
}

}  // namespace swarm::tmpl
