#include "common/scenario/load_context.hpp"

#include "common/printable.hpp"

#include <re2/re2.h>

#include <cctype>
#include <cmath>

#include "common/duration.hpp"
#include "common/suggest.hpp"

namespace swarm::scenario::detail {

std::string join_path(const std::string& parent, std::string_view key) {
    bool plain = !key.empty();
    for (char c : key) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') plain = false;
    }
    std::string out = parent;
    if (plain) {
        if (!out.empty()) out += '.';
        out += key;
    } else {
        out += "[\"";
        out += key.substr(0, 80);
        out += "\"]";
    }
    return out;
}

std::string index_path(const std::string& parent, std::size_t index) {
    return parent + "[" + std::to_string(index) + "]";
}

namespace {
// A missing key yields an invalid node whose Mark() throws: use "no position".
YAML::Mark mark_of(const YAML::Node& n) {
    return n.IsDefined() ? n.Mark() : YAML::Mark::null_mark();
}
}  // namespace

source_location location_of(const YAML::Node& n) {
    const auto mark = mark_of(n);
    if (mark.is_null() || mark.line < 0) return {};
    return {mark.line + 1, mark.column + 1};
}

void load_context::error_at(const YAML::Mark& mark, const std::string& path,
                            const std::string& message) {
    diagnostic d;
    d.file = bundle_.name;
    if (!mark.is_null() && mark.line >= 0) {
        d.line = mark.line + 1;
        d.column = mark.column + 1;
    }
    // Keys and values quoted in a diagnostic are the file's bytes (YAML's
    // "\x01" makes any): printable and bounded, like every message of outside input.
    d.path = printable(path, 200);
    d.message = printable(message, 500);
    errors_.push_back(std::move(d));
}

void load_context::error(const YAML::Node& at, const std::string& path,
                         const std::string& message) {
    error_at(mark_of(at), path, message);
}

void load_context::warning(const YAML::Node& at, const std::string& path,
                           const std::string& message) {
    // Made as an error is, then moved: the same location and escaping.
    error_at(mark_of(at), path, message);
    warnings_.push_back(std::move(errors_.back()));
    errors_.pop_back();
}

namespace {
const char* kind_name(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Map:
            return "a map";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Scalar:
            return "a scalar";
        case YAML::NodeType::Null:
            return "nothing";
        default:
            return "an undefined value";
    }
}
}  // namespace

bool load_context::expect_map(const YAML::Node& n, const std::string& path, std::string_view what) {
    if (n.IsMap()) return true;
    error(n, path, "expected " + std::string(what) + ", got " + kind_name(n));
    return false;
}

bool load_context::expect_sequence(const YAML::Node& n, const std::string& path) {
    if (n.IsSequence()) return true;
    error(n, path, std::string("expected a list, got ") + kind_name(n));
    return false;
}

bool load_context::expect_scalar(const YAML::Node& n, const std::string& path,
                                 std::string_view what) {
    if (n.IsScalar()) return true;
    error(n, path, "expected " + std::string(what) + ", got " + kind_name(n));
    return false;
}

void load_context::check_keys(const YAML::Node& map, const std::string& path,
                              std::initializer_list<std::string_view> allowed) {
    if (!map.IsMap()) return;
    std::vector<std::string_view> candidates(allowed);
    for (const auto& kv : map) {
        if (!kv.first.IsScalar()) {
            error(kv.first, path, "keys must be plain text");
            continue;
        }
        const auto& key = kv.first.Scalar();
        bool known = false;
        for (auto a : allowed) known = known || a == key;
        if (!known) {
            error(kv.first, path, "unknown key '" + key + "'" + did_you_mean(key, candidates));
        }
    }
}

bool load_context::refuse_template(const YAML::Node& n, const std::string& path,
                                   std::string_view why) {
    if (!n.IsScalar()) return false;
    const auto at = n.Scalar().find("{{");
    if (at == std::string::npos) return false;
    // Point at the "{{" when it is on the scalar's first line, as template errors do.
    auto mark = mark_of(n);
    if (!mark.is_null() && n.Scalar().find('\n') == std::string::npos) {
        mark.column += static_cast<int>(at) + (n.Tag() == "!" ? 1 : 0);
    }
    std::string message = "templates are not allowed here";
    if (!why.empty()) message += std::string(" (") + std::string(why) + ")";
    message += ": this text is used as written, '{{' included";
    error_at(mark, path, message);
    return true;
}

std::optional<std::string> load_context::string(const YAML::Node& n, const std::string& path) {
    if (!expect_scalar(n, path, "text")) return std::nullopt;
    if (refuse_template(n, path)) return std::nullopt;
    return n.Scalar();
}

std::optional<std::string> load_context::constant_text(const YAML::Node& n,
                                                       const std::string& path) {
    if (!expect_scalar(n, path, "text")) return std::nullopt;
    if (n.Scalar().find("{{") == std::string::npos) return n.Scalar();
    // No variables and no data sets: only literals and env() are left.
    tmpl::symbols none;
    auto compiled = tmpl::compile_template(n.Scalar(), none);
    if (!compiled.errors.empty()) {
        report_template_errors(n, path, compiled.errors);
        return std::nullopt;
    }
    if (!compiled.result->is_static()) {
        error(n, path,
              "only env() and literal text may be templated here: the value is fixed "
              "for the whole run");
        return std::nullopt;
    }
    return compiled.result->static_text();
}

std::optional<double> load_context::positive_number(const YAML::Node& n, const std::string& path) {
    double v = 0;
    if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !std::isfinite(v)) {
        error(n, path, "expected a number");
        return std::nullopt;
    }
    if (v <= 0) {
        error(n, path, "must be greater than 0, got " + n.Scalar());
        return std::nullopt;
    }
    return v;
}

std::optional<double> load_context::non_negative_number(const YAML::Node& n,
                                                        const std::string& path) {
    double v = 0;
    if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !std::isfinite(v)) {
        error(n, path, "expected a number");
        return std::nullopt;
    }
    if (v < 0) {
        error(n, path, "must be 0 or more, got " + n.Scalar());
        return std::nullopt;
    }
    return v;
}

std::optional<std::int64_t> load_context::integer(const YAML::Node& n, const std::string& path,
                                                  std::int64_t min, std::int64_t max) {
    long long v = 0;
    if (!n.IsScalar() || !YAML::convert<long long>::decode(n, v)) {
        error(n, path, "expected a whole number");
        return std::nullopt;
    }
    if (v < min || v > max) {
        error(n, path,
              "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                  std::to_string(v));
        return std::nullopt;
    }
    return v;
}

std::optional<bool> load_context::boolean(const YAML::Node& n, const std::string& path) {
    bool v = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) {
        error(n, path, "expected true or false");
        return std::nullopt;
    }
    return v;
}

std::optional<duration> load_context::time(const YAML::Node& n, const std::string& path) {
    if (refuse_template(n, path, "a template duration is only read in `sleep:`")) {
        return std::nullopt;
    }
    if (n.IsScalar()) {
        if (auto d = parse_duration(n.Scalar())) return *d;
    }
    error(n, path, "expected a duration like 500ms, 2s or 1m30s (a bare number is seconds)");
    return std::nullopt;
}

regex_ptr load_context::regex(const YAML::Node& n, const std::string& path) {
    if (refuse_template(n, path, "a regex is compiled once, at load")) return nullptr;
    auto text = string(n, path);
    if (!text) return nullptr;
    RE2::Options opts;
    opts.set_log_errors(false);
    auto re = std::make_shared<const RE2>(*text, opts);
    if (!re->ok()) {
        error(n, path, "invalid regular expression '" + *text + "': " + re->error());
        return nullptr;
    }
    return re;
}

std::optional<http_protocol> load_context::protocol(const YAML::Node& n, const std::string& path) {
    const auto text = string(n, path);
    if (!text) return std::nullopt;
    for (auto p : {http_protocol::auto_, http_protocol::h1, http_protocol::h2c}) {
        if (*text == to_string(p)) return p;
    }
    error(n, path,
          "expected 'auto' (HTTP/2 when a TLS server offers it), 'h1' (HTTP/1.1 only) or 'h2c' "
          "(HTTP/2 over http:// with prior knowledge), got '" +
              *text + "'");
    return std::nullopt;
}

void load_context::begin_user_class(std::set<std::string, std::less<>> variables) {
    variables_ = std::move(variables);
    ws_open = ws_open_at_start = false;
    symbols_.is_variable = [this](std::string_view name) { return variables_.count(name) > 0; };
}

void load_context::report_template_errors(const YAML::Node& n, const std::string& path,
                                          const std::vector<tmpl::error>& errs) {
    // Point at the character inside the scalar when it is on the scalar's first
    // line (plain or quoted); multi-line scalars point at their start.
    const auto& text = n.Scalar();
    const bool quoted = n.Tag() == "!";
    for (const auto& e : errs) {
        auto mark = mark_of(n);
        if (!mark.is_null() && text.find('\n') == std::string::npos && e.offset <= text.size()) {
            mark.column += static_cast<int>(e.offset) + (quoted ? 1 : 0);
        }
        error_at(mark, path, e.message);
    }
}

std::optional<tmpl::template_string> load_context::templ(const YAML::Node& n,
                                                         const std::string& path) {
    if (!n.IsScalar()) {
        error(n, path, std::string("expected text, got ") + kind_name(n));
        return std::nullopt;
    }
    auto compiled = tmpl::compile_template(n.Scalar(), symbols_);
    if (!compiled.errors.empty()) {
        report_template_errors(n, path, compiled.errors);
        return std::nullopt;
    }
    return std::move(compiled.result);
}

std::optional<tmpl::expression> load_context::expression(const YAML::Node& n,
                                                         const std::string& path) {
    if (!n.IsScalar()) {
        error(n, path, std::string("expected an expression, got ") + kind_name(n));
        return std::nullopt;
    }
    auto compiled = tmpl::compile_expression(n.Scalar(), symbols_);
    if (!compiled.errors.empty()) {
        report_template_errors(n, path, compiled.errors);
        return std::nullopt;
    }
    return std::move(compiled.result);
}

named_templates load_context::templates_map(const YAML::Node& n, const std::string& path) {
    named_templates out;
    if (!expect_map(n, path)) return out;
    for (const auto& kv : n) {
        if (!kv.first.IsScalar()) {
            error(kv.first, path, "keys must be plain text");
            continue;
        }
        const auto key_path = join_path(path, kv.first.Scalar());
        if (refuse_template(kv.first, key_path,
                            "a name is used as written; its value may be one")) {
            continue;
        }
        if (kv.second.IsNull()) {
            out.emplace_back(kv.first.Scalar(), tmpl::template_string{});  // empty value
            continue;
        }
        if (auto t = templ(kv.second, key_path)) out.emplace_back(kv.first.Scalar(), std::move(*t));
    }
    return out;
}

}  // namespace swarm::scenario::detail
