#pragma once
// Template strings ("user{{ user_id }}@example.com") and expressions
// (`if: "{{ last.status == 401 }}"`), compiled once at scenario load and
// evaluated per request by the worker.
//
// A compiled template is immutable and shared read-only by every user of a
// worker; all per-user state comes in through `environment`.
//
// The expression language:
//   literals      "text" 'text' 123 true false
//   names         user_id worker_id iteration last.status last.body
//                 a variable (from vars, let or extract), a field of a record
//                 variable (account.email)
//   functions     random(ds) next(ds) rand_int(a, b) rand_str(n) uuid() now_ms()
//                 len(s) prefix(s, n) substr(s, a, b) urlencode(s)
//                 env("NAME") env("NAME", "default")
//                 base64(s) base64url(s) base64_decode(s) base64url_decode(s)
//                 sha256(s) hmac_sha256(key, msg) hmac_sha256_base64(key, msg)
//                 upper(s) lower(s) now_iso()
//                 int(x) float(x) str(x) json(text) random_choice(list) unique(ds)
//   operators     + - (numbers)  == != < <= > >=  contains  && || !  ( )
//                 (precedence, lowest first: || && comparisons/contains + - unary)
//
// Details:
//   strings       escapes \" \' \\ \n \t; "{{ '{{' }}" writes literal braces.
//   integer-like  an integer, or a string that is exactly a decimal integer ("42").
//   types         values from JSON keep their type (float, null, array, object);
//                 see value.hpp for each type's text, JSON and truthiness.
//   + -           arithmetic when both sides are numbers (integer-like or float):
//                 integers wrap on overflow, a float side gives a float;
//                 otherwise `+` concatenates the text of both sides ("id-" + 7
//                 is "id-7") and `-` counts a non-number side as 0.
//   comparisons   numeric when both sides are numbers (1 == 1.0), JSON equality
//                 for two arrays/objects, else byte-wise on text.
//   contains      element test on a list (ids contains 3), else substring test.
//   conversions   int(x) truncates floats and float texts, float(x) parses
//                 decimal text, str(x) is the text, json(s) parses JSON text;
//                 what does not convert gives "no value" (a literal argument
//                 that cannot convert is a compile error). random_choice of
//                 an empty list or a non-list gives "no value"; len of a list
//                 or object counts its elements, of anything else its bytes.
//   && || !       on truthy(); && and || skip their right side when they can and
//                 yield a boolean.
//   names         the builtins (user_id worker_id iteration last) win over a
//                 variable of the same name; fields read a record (one level)
//                 or a JSON object (any depth, typed); a field of any other
//                 value, or a missing field, is "no value".
//   functions     rand_int(a, b) accepts a > b; prefix/substr count bytes and
//                 clamp to the text; rand_str is capped at 1 MiB; random/next
//                 of an empty data set give "no value"; non-integer arguments
//                 where an integer is expected count as 0; text that is not
//                 base64 decodes to ""; upper/lower change ASCII letters only.
//   env()         read once at compile time (the compiling process's
//                 environment) and folded into a literal: its arguments must
//                 be quoted text, and a variable unset without a default is a
//                 compile error.
//   limits        nesting deeper than 64 (parentheses, calls, unary operators)
//                 or operator chains longer than 128 are compile errors.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/template/environment.hpp"
#include "common/template/value.hpp"
#include "common/with_errors.hpp"

namespace swarm::tmpl {

struct node;  // expression tree, private to the implementation

class expression {
  public:
    expression() = default;
    value evaluate(environment& env) const;
    const std::string& source() const { return source_; }

  private:
    friend struct compiler;
    std::shared_ptr<const node> root_;
    std::string source_;
};

// Literal text with {{ expression }} segments. A template without any
// segment is static: it renders to its text without an environment.
class template_string {
  public:
    template_string() = default;
    bool is_static() const {
        return segments_.empty() || (segments_.size() == 1 && !segments_[0].expr);
    }
    // The text of a static template (for any other template, its source).
    const std::string& static_text() const;
    // Appends the rendering to `out`.
    void render(environment& env, std::string& out) const;
    std::string render(environment& env) const;
    // A template that is exactly one "{{ expr }}" yields the expression's value
    // unchanged (so a record survives `let: {account: "{{ random(accounts) }}"}`);
    // any other template yields its rendering as a string.
    value evaluate(environment& env) const;
    // True when the template is exactly one "{{ expr }}", nothing around it.
    bool is_whole_expression() const { return segments_.size() == 1 && segments_[0].expr; }
    // Appends the template as JSON: a whole expression as the JSON of its
    // value's type (1, 1.5, true, null, [..], {..}, "text"), any other
    // template as a JSON string of its rendering.
    void render_json(environment& env, std::string& out) const;
    const std::string& source() const { return source_; }

  private:
    friend struct compiler;
    struct segment {
        std::string text;                  // literal text, when expr is null
        std::shared_ptr<const node> expr;  // otherwise the expression
    };
    std::vector<segment> segments_;
    std::string source_;
};

template <typename T>
using compiled = with_errors<std::optional<T>, error>;

// Text with optional {{ }} segments. "{{" without "}}" is an error; so are an
// unknown function (with the closest name suggested), a wrong argument count,
// an undefined variable and an unknown data set.
compiled<template_string> compile_template(std::string_view source, const symbols& syms);

// A bare expression ("last.status == 401") or one wrapped in {{ }} as a whole.
compiled<expression> compile_expression(std::string_view source, const symbols& syms);

// The variable names a template or expression source mentions (first path
// component only, each once, in order of appearance), for the scenario
// loader's checks. Builtins, function names and the data-set argument of
// random/next are not variables and are left out. A source without "{{" is
// read as a bare expression only when it parses as one, so plain text such as
// "application/json" mentions nothing. Best effort on bad input.
std::vector<std::string> referenced_names(std::string_view source);

}  // namespace swarm::tmpl
