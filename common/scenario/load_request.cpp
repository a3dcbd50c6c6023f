// Request steps: URL, headers, query, body, timeout, check and extract.
#include <re2/re2.h>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/byte_size.hpp"
#include "common/scenario/load_context.hpp"
#include "common/suggest.hpp"
#include "common/template/value.hpp"

namespace swarm::scenario::detail {
namespace {

http_method method_from_key(std::string_view key) {
    if (key == "post") return http_method::post;
    if (key == "put") return http_method::put;
    if (key == "patch") return http_method::patch;
    if (key == "delete") return http_method::delete_;
    if (key == "head") return http_method::head;
    if (key == "options") return http_method::options;
    return http_method::get;
}

// A YAML scalar as JSON: numbers and booleans keep their type unless quoted.
boost::json::value scalar_to_json(const YAML::Node& n) {
    const auto& s = n.Scalar();
    if (n.Tag() != "!") {  // plain (unquoted) scalar
        long long i = 0;
        double d = 0;
        bool b = false;
        if (s == "null" || s == "~") return nullptr;
        if (YAML::convert<long long>::decode(n, i)) return i;
        if (YAML::convert<double>::decode(n, d) && std::isfinite(d)) return d;
        if (YAML::convert<bool>::decode(n, b) && (s == "true" || s == "false")) return b;
    }
    return boost::json::string(s);
}

// A scalar's JSON text. Floats are written as their shortest round-trip
// digits ("1.5", "2.0"), as typed template values are: Boost writes
// "1.5E0", valid JSON that grep-style readers and humans stumble over.
std::string scalar_json_text(const YAML::Node& n) {
    const auto v = scalar_to_json(n);
    std::string out;
    if (v.is_double()) {
        tmpl::append_double(out, v.get_double());
    } else {
        out = boost::json::serialize(v);
    }
    return out;
}

// Builds a JSON body: literal JSON text between templated string leaves.
class json_body_builder {
  public:
    json_body_builder(load_context& ctx, json_body& out) : ctx_(ctx), out_(out) {}

    void build(const YAML::Node& n, const std::string& path, int depth) {
        if (depth > max_nesting * 2) {
            ctx_.error(n, path, "JSON body nested too deeply");
            return;
        }
        if (n.IsMap()) {
            literal("{");
            bool first = true;
            for (const auto& kv : n) {
                if (!first) literal(",");
                first = false;
                const auto key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
                literal(boost::json::serialize(boost::json::string(key)));
                literal(":");
                build(kv.second, join_path(path, key), depth + 1);
            }
            literal("}");
        } else if (n.IsSequence()) {
            literal("[");
            std::size_t i = 0;
            for (const auto& item : n) {
                if (i) literal(",");
                build(item, index_path(path, i++), depth + 1);
            }
            literal("]");
        } else if (n.IsScalar() && n.Scalar().find("{{") != std::string::npos) {
            if (auto t = ctx_.templ(n, path)) out_.parts.push_back({{}, std::move(*t)});
        } else if (n.IsScalar()) {
            literal(scalar_json_text(n));
        } else {
            literal("null");
        }
    }

  private:
    void literal(const std::string& text) {
        if (out_.parts.empty() || out_.parts.back().value) out_.parts.push_back({});
        out_.parts.back().literal += text;
    }

    load_context& ctx_;
    json_body& out_;
};

std::optional<status_ranges> load_status(load_context& ctx, const YAML::Node& n,
                                         const std::string& path) {
    status_ranges out;
    auto one = [&](const YAML::Node& item) {
        if (!item.IsScalar()) {
            ctx.error(item, path, "expected a status like 200 or \"2xx\"");
            return false;
        }
        const auto& s = item.Scalar();
        if (s.size() == 3 && s[0] >= '1' && s[0] <= '5' &&
            (s.substr(1) == "xx" || s.substr(1) == "XX")) {
            const int base = (s[0] - '0') * 100;
            out.ranges.emplace_back(base, base + 99);
            return true;
        }
        if (auto v = ctx.integer(item, path, 100, 599)) {
            out.ranges.emplace_back(static_cast<int>(*v), static_cast<int>(*v));
            return true;
        }
        return false;
    };
    if (n.IsSequence()) {
        if (n.size() == 0) ctx.error(n, path, "expected at least one status");
        for (const auto& item : n) one(item);
    } else {
        one(n);
    }
    return out;
}

// body_contains / body_not_contains: one text or a list, each a template.
std::vector<tmpl::template_string> template_or_list(load_context& ctx, const YAML::Node& n,
                                                    const std::string& path) {
    std::vector<tmpl::template_string> out;
    if (n.IsSequence()) {
        for (const auto& item : n) {
            if (auto t = ctx.templ(item, path)) out.push_back(std::move(*t));
        }
    } else if (auto t = ctx.templ(n, path)) {
        out.push_back(std::move(*t));
    }
    return out;
}

// `{Name: regex | {exists: bool}}` for header and cookie checks.
std::vector<named_check> load_named_checks(load_context& ctx, const YAML::Node& n,
                                           const std::string& path) {
    std::vector<named_check> out;
    if (!ctx.expect_map(n, path)) return out;
    for (const auto& kv : n) {
        if (!kv.first.IsScalar()) continue;
        named_check c;
        c.name = kv.first.Scalar();
        const auto sub = join_path(path, c.name);
        if (kv.second.IsMap()) {
            ctx.check_keys(kv.second, sub, {"exists", "matches", "equals"});
            if (kv.second["equals"]) {
                if (kv.second["exists"] || kv.second["matches"]) {
                    ctx.error(kv.second, sub, "`equals` goes alone, without exists or matches");
                }
                c.equals = ctx.templ(kv.second["equals"], join_path(sub, "equals"));
                out.push_back(std::move(c));
                continue;
            }
            if (kv.second["exists"])
                c.exists =
                    ctx.boolean(kv.second["exists"], join_path(sub, "exists")).value_or(true);
            if (kv.second["matches"]) {
                c.pattern = ctx.regex(kv.second["matches"], join_path(sub, "matches"));
                c.pattern_text =
                    kv.second["matches"].IsScalar() ? kv.second["matches"].Scalar() : "";
            }
        } else {
            c.pattern = ctx.regex(kv.second, sub);
            c.pattern_text = kv.second.IsScalar() ? kv.second.Scalar() : "";
        }
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<json_check> load_json_checks(load_context& ctx, const YAML::Node& n,
                                         const std::string& path) {
    std::vector<json_check> out;
    if (!ctx.expect_map(n, path, "a map of JSON paths to expected values")) return out;
    for (const auto& kv : n) {
        if (!kv.first.IsScalar()) continue;
        json_check c;
        c.path_text = kv.first.Scalar();
        const auto sub = join_path(path, c.path_text);
        auto parsed = json_path::parse(c.path_text);
        if (!parsed) {
            ctx.error(kv.first, sub,
                      "invalid JSON path '" + c.path_text + "': " + parsed.error().message);
            continue;
        }
        c.path = std::move(*parsed);
        const auto& v = kv.second;
        if (v.IsScalar() && v.Scalar().find("{{") != std::string::npos) {
            c.how = json_check::kind::equals;
            c.expected_template = ctx.templ(v, sub);
            c.expected_json = boost::json::serialize(boost::json::string(v.Scalar()));
        } else if (v.IsMap() && (v["exists"] || v["matches"])) {
            ctx.check_keys(v, sub, {"exists", "matches"});
            if (v["exists"]) {
                c.how = json_check::kind::exists;
                c.exists = ctx.boolean(v["exists"], join_path(sub, "exists")).value_or(true);
            } else {
                c.how = json_check::kind::matches;
                c.pattern = ctx.regex(v["matches"], join_path(sub, "matches"));
            }
        } else {
            c.how = json_check::kind::equals;
            json_body body;
            json_body_builder builder(ctx, body);
            builder.build(v, sub, 0);
            for (const auto& part : body.parts) {
                if (part.value) {
                    ctx.error(v, sub,
                              "a template in a json check goes in a plain value "
                              "(\"$.id\": \"{{ id }}\"), not inside a map or list");
                }
                c.expected_json += part.literal;
            }
        }
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace

void load_json_body(load_context& ctx, const YAML::Node& n, const std::string& path,
                    json_body& out) {
    json_body_builder(ctx, out).build(n, path, 0);
}

void load_checks(load_context& ctx, const YAML::Node& n, const std::string& path, checks& out) {
    if (!ctx.expect_map(n, path, "a map of checks (status, body_contains, json, ...)")) return;
    ctx.check_keys(n, path,
                   {"status", "body_contains", "body_not_contains", "body_regex", "json", "header",
                    "cookie", "max_ms", "message"});
    if (n["status"]) out.status = load_status(ctx, n["status"], join_path(path, "status"));
    if (n["body_contains"])
        out.body_contains =
            template_or_list(ctx, n["body_contains"], join_path(path, "body_contains"));
    if (n["body_not_contains"]) {
        out.body_not_contains =
            template_or_list(ctx, n["body_not_contains"], join_path(path, "body_not_contains"));
    }
    if (n["body_regex"]) {
        out.body_regex = ctx.regex(n["body_regex"], join_path(path, "body_regex"));
        if (out.body_regex) out.body_regex_text = n["body_regex"].Scalar();
    }
    if (n["json"]) out.json = load_json_checks(ctx, n["json"], join_path(path, "json"));
    if (n["header"]) out.headers = load_named_checks(ctx, n["header"], join_path(path, "header"));
    if (n["cookie"]) out.cookies = load_named_checks(ctx, n["cookie"], join_path(path, "cookie"));
    if (n["max_ms"]) {
        // Bounded before the conversion: a huge number would overflow the µs
        // count (undefined behaviour), and no check needs more than a day.
        constexpr double max_check_ms = 24.0 * 3600 * 1000;
        if (auto ms = ctx.positive_number(n["max_ms"], join_path(path, "max_ms"))) {
            if (*ms > max_check_ms) {
                ctx.error(n["max_ms"], join_path(path, "max_ms"),
                          "at most 86400000 (a day), got " + n["max_ms"].Scalar());
            } else {
                out.max_time = duration(static_cast<std::int64_t>(*ms * 1000));
            }
        }
    }
    if (n["message"])
        out.message = ctx.string(n["message"], join_path(path, "message")).value_or("");
}

void load_extract(load_context& ctx, const YAML::Node& n, const std::string& path,
                  std::vector<extraction>& out) {
    if (!ctx.expect_map(n, path,
                        "a map of variable names to {regex|json|header|cookie|input: ...}"))
        return;
    for (const auto& kv : n) {
        if (!kv.first.IsScalar()) continue;
        extraction e;
        e.variable = kv.first.Scalar();
        const auto sub = join_path(path, e.variable);
        const auto& spec = kv.second;
        if (!ctx.expect_map(spec, sub,
                            "{regex: re}, {json: \"$.path\"}, {header: Name}, {cookie: name} or "
                            "{input: field}")) {
            continue;
        }
        ctx.check_keys(spec, sub, {"regex", "group", "json", "header", "cookie", "input"});
        int kinds = 0;
        for (auto k : {"regex", "json", "header", "cookie", "input"}) kinds += spec[k] ? 1 : 0;
        if (kinds != 1) {
            ctx.error(spec, sub,
                      "an extraction has exactly one of regex, json, header, cookie, input");
            continue;
        }
        if (spec["regex"]) {
            e.how = extraction::kind::regex;
            e.pattern = ctx.regex(spec["regex"], join_path(sub, "regex"));
            if (!e.pattern) continue;
            e.argument = spec["regex"].Scalar();
            const int groups = e.pattern->NumberOfCapturingGroups();
            e.group = groups > 0 ? 1 : 0;
            if (spec["group"]) {
                e.group = static_cast<int>(
                    ctx.integer(spec["group"], join_path(sub, "group"), 0, 100).value_or(0));
                if (e.group > groups) {
                    ctx.error(spec["group"], join_path(sub, "group"),
                              "group " + std::to_string(e.group) + " but the regex has " +
                                  std::to_string(groups) + " capturing group(s)");
                }
            }
        } else if (spec["group"]) {
            ctx.error(spec["group"], join_path(sub, "group"), "`group` goes with `regex`");
        } else if (spec["json"]) {
            e.how = extraction::kind::json;
            auto text = ctx.string(spec["json"], join_path(sub, "json"));
            if (!text) continue;
            auto parsed = json_path::parse(*text);
            if (!parsed) {
                ctx.error(spec["json"], join_path(sub, "json"),
                          "invalid JSON path '" + *text + "': " + parsed.error().message);
                continue;
            }
            e.argument = *text;
            e.path = std::move(*parsed);
        } else {
            const char* key = spec["header"] ? "header" : spec["cookie"] ? "cookie" : "input";
            e.how = spec["header"]   ? extraction::kind::header
                    : spec["cookie"] ? extraction::kind::cookie
                                     : extraction::kind::input;
            e.argument = ctx.string(spec[key], join_path(sub, key)).value_or("");
        }
        out.push_back(std::move(e));
    }
}

// `max_body: 64KiB` and `response_body: keep | discard`. A discarded body
// cannot be checked or extracted from: refused here, not silently empty.
void load_body_handling(load_context& ctx, const YAML::Node& n, const std::string& path,
                        request_step& out) {
    if (const auto& m = n["max_body"]) {
        const auto where = join_path(path, "max_body");
        const auto size = m.IsScalar() ? parse_byte_size(m.Scalar()) : std::nullopt;
        if (size) {
            out.max_body_bytes = *size;
        } else {
            ctx.error(m, where, "expected a size like 65536, 64KiB or 16MiB (at most 1 TiB)");
        }
    }
    const auto& mode = n["response_body"];
    if (!mode) return;
    const auto where = join_path(path, "response_body");
    const auto text = mode.IsScalar() ? mode.Scalar() : std::string();
    if (text != "keep" && text != "discard") {
        ctx.error(mode, where, "expected keep or discard");
        return;
    }
    out.discard_body = text == "discard";
    if (!out.discard_body) return;
    const auto& c = out.check;
    if (!c.body_contains.empty() || !c.body_not_contains.empty() || c.body_regex ||
        !c.json.empty()) {
        ctx.error(n["check"], join_path(path, "check"),
                  "checks on the body need it: not with `response_body: discard`");
    }
    for (const auto& e : out.extract) {
        if (e.how == extraction::kind::regex || e.how == extraction::kind::json ||
            e.how == extraction::kind::input) {
            ctx.error(n["extract"], join_path(join_path(path, "extract"), e.variable),
                      "extracting from the body needs it: not with `response_body: discard`");
        }
    }
}

namespace {

// `name:` as written, or a template rendered per request: each distinct
// rendering is a stats row of its own, so it warns (the table's cap of
// stats::table::default_max_names rows folds the rest into "(other)").
void load_name(load_context& ctx, const YAML::Node& n, const std::string& path, request_step& out) {
    if (!ctx.expect_scalar(n, path, "text")) return;
    out.name = n.Scalar();
    if (out.name.find("{{") == std::string::npos) return;
    out.name_template = ctx.templ(n, path);
    if (out.name_template && !out.name_template->is_static()) {
        ctx.warning(n, path,
                    "a templated name makes a stats row per distinct value: keep the values "
                    "few (past 1000 rows, new names count under \"(other)\")");
    } else if (out.name_template) {
        out.name = out.name_template->static_text();  // env() or literals only
        out.name_template.reset();
    }
}

}  // namespace

void load_request(load_context& ctx, const YAML::Node& n, const std::string& path,
                  std::initializer_list<std::string_view> extra, request_step& out) {
    std::vector<std::string_view> allowed = {
        "get",   "post",    "put",      "patch",         "delete",
        "head",  "options", "name",     "headers",       "query",
        "form",  "json",    "body",     "timeout",       "follow_redirects",
        "check", "extract", "max_body", "response_body", "protocol"};
    allowed.insert(allowed.end(), extra.begin(), extra.end());
    allowed.emplace_back("multipart");  // load_multipart.cpp
    // check_keys takes an initializer_list; report unknown keys against the vector here.
    int methods = 0;
    std::string method_key;
    for (const auto& kv : n) {
        if (!kv.first.IsScalar()) continue;
        const auto& key = kv.first.Scalar();
        for (auto m : method_keys) {
            if (key == m) {
                ++methods;
                method_key = key;
            }
        }
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            ctx.error(kv.first, path,
                      "unknown key '" + key + "' in a request" + did_you_mean(key, allowed));
        }
    }
    if (methods != 1) {
        ctx.error(
            n, path,
            "a request has exactly one method (get, post, put, patch, delete, head, options)");
        return;
    }
    out.method = method_from_key(method_key);
    const auto& url = n[method_key];
    const auto url_path = join_path(path, method_key);
    if (!url.IsScalar() || url.Scalar().empty()) {
        ctx.error(url, url_path, "expected a URL (a path like /about, or http://host/path)");
        return;
    }
    out.name = url.Scalar();
    if (auto t = ctx.templ(url, url_path)) {
        out.url = std::move(*t);
        // A URL of env() and literals is fixed: its row is named by its text.
        if (out.url.is_static()) out.name = out.url.static_text();
    }
    if (n["name"]) load_name(ctx, n["name"], join_path(path, "name"), out);
    if (out.name.size() > max_stats_name_bytes) {
        ctx.error(n["name"] ? n["name"] : url, n["name"] ? join_path(path, "name") : url_path,
                  "the request's stats name (its name:, else its URL) is " +
                      std::to_string(out.name.size()) + " bytes, more than " +
                      std::to_string(max_stats_name_bytes) + "; give it a shorter name:");
    }
    if (n["headers"]) out.headers = ctx.templates_map(n["headers"], join_path(path, "headers"));
    if (n["query"]) out.query = ctx.templates_map(n["query"], join_path(path, "query"));

    const int bodies = (n["form"] ? 1 : 0) + (n["json"] ? 1 : 0) + (n["body"] ? 1 : 0);
    if (bodies > 1) ctx.error(n, path, "a request has at most one of form, json, body");
    if (n["form"]) {
        out.body = request_step::body_kind::form;
        out.form = ctx.templates_map(n["form"], join_path(path, "form"));
    } else if (n["json"]) {
        out.body = request_step::body_kind::json;
        json_body_builder(ctx, out.json).build(n["json"], join_path(path, "json"), 0);
    } else if (n["body"]) {
        out.body = request_step::body_kind::raw;
        if (auto t = ctx.templ(n["body"], join_path(path, "body"))) out.raw = std::move(*t);
    }
    if (n["multipart"]) load_multipart(ctx, n, path, bodies, out);
    if (n["timeout"]) out.timeout = ctx.time(n["timeout"], join_path(path, "timeout"));
    if (n["follow_redirects"]) {
        out.follow_redirects =
            ctx.boolean(n["follow_redirects"], join_path(path, "follow_redirects")).value_or(true);
    }
    out.protocol = ctx.class_protocol();
    if (n["protocol"]) {
        out.protocol =
            ctx.protocol(n["protocol"], join_path(path, "protocol")).value_or(out.protocol);
    }
    if (n["check"]) load_checks(ctx, n["check"], join_path(path, "check"), out.check);
    if (n["extract"]) load_extract(ctx, n["extract"], join_path(path, "extract"), out.extract);
    load_body_handling(ctx, n, path, out);
}

}  // namespace swarm::scenario::detail
