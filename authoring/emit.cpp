// Writing a recording as scenario YAML with yaml-cpp's emitter: every value
// that came from the recording is double-quoted (and its "{{" escaped), so
// no recorded text is read back as a number, a boolean or a template.
#include <yaml-cpp/yaml.h>

#include <boost/json/serialize.hpp>

#include "authoring/convert.hpp"

namespace swarm::authoring {

namespace {

void quoted(YAML::Emitter& out, const std::string& text) {
    out << YAML::DoubleQuoted << escape_template(text);
}

void emit_pairs(YAML::Emitter& out, const char* key, const std::vector<har_pair>& pairs) {
    out << YAML::Key << key << YAML::Value << YAML::BeginMap;
    for (const auto& p : pairs) {
        out << YAML::Key;
        quoted(out, p.name);
        out << YAML::Value;
        quoted(out, p.value);
    }
    out << YAML::EndMap;
}

// A JSON value as YAML the scenario loader turns back into the same JSON:
// strings quoted, numbers, booleans and null plain.
void emit_json(YAML::Emitter& out, const boost::json::value& v) {
    if (const auto* o = v.if_object()) {
        out << YAML::BeginMap;
        for (const auto& kv : *o) {
            out << YAML::Key;
            quoted(out, std::string(kv.key()));
            out << YAML::Value;
            emit_json(out, kv.value());
        }
        out << YAML::EndMap;
    } else if (const auto* a = v.if_array()) {
        out << YAML::BeginSeq;
        for (const auto& item : *a) emit_json(out, item);
        out << YAML::EndSeq;
    } else if (const auto* s = v.if_string()) {
        quoted(out, std::string(*s));
    } else if (v.is_null()) {
        out << YAML::Null;
    } else {
        out << boost::json::serialize(v);  // a number, true or false: plain
    }
}

void emit_check(YAML::Emitter& out, const recorded_request& r) {
    if (r.status == 0) return;
    out << YAML::Key << "check" << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "status" << YAML::Value;
    if (r.status == 304) {
        // Recorded from the browser's cache; the replay asks without the
        // conditional headers and gets the page itself.
        out << YAML::Flow << YAML::BeginSeq << 200 << 304 << YAML::EndSeq;
    } else {
        out << r.status;
    }
    out << YAML::EndMap;
}

void emit_request(YAML::Emitter& out, const recorded_request& r) {
    if (r.sleep_before_ms > 0) {
        out << YAML::BeginMap << YAML::Key << "sleep" << YAML::Value
            << std::to_string(r.sleep_before_ms) + "ms" << YAML::EndMap;
    }
    out << YAML::BeginMap << YAML::Key << r.method << YAML::Value;
    quoted(out, r.url);
    if (!r.headers.empty()) emit_pairs(out, "headers", r.headers);
    switch (r.body) {
        case recorded_request::body_kind::none:
            break;
        case recorded_request::body_kind::form:
            out << YAML::Key << "form" << YAML::Value << YAML::BeginMap;
            for (const auto& f : r.form) {
                out << YAML::Key;
                quoted(out, f.name);
                out << YAML::Value;
                if (f.variable.empty()) quoted(out, f.value);
                else out << YAML::DoubleQuoted << "{{ " + f.variable + " }}";
            }
            out << YAML::EndMap;
            break;
        case recorded_request::body_kind::json:
            out << YAML::Key << "json" << YAML::Value;
            emit_json(out, r.json);
            break;
        case recorded_request::body_kind::raw:
            out << YAML::Key << "body" << YAML::Value;
            quoted(out, r.raw);
            break;
    }
    if (r.redirect) out << YAML::Key << "follow_redirects" << YAML::Value << false;
    emit_check(out, r);
    if (!r.extract.empty()) {
        out << YAML::Key << "extract" << YAML::Value << YAML::BeginMap;
        for (const auto& [variable, input] : r.extract) {
            out << YAML::Key << variable << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
                << "input" << YAML::Value;
            quoted(out, input);
            out << YAML::EndMap;
        }
        out << YAML::EndMap;
    }
    out << YAML::EndMap;
}

void emit_page(YAML::Emitter& out, const recorded_page& page) {
    out << YAML::Key;
    quoted(out, page.name);
    out << YAML::Value << YAML::BeginMap << YAML::Key << "steps" << YAML::Value << YAML::BeginSeq;
    if (page.sleep_before_ms > 0) {
        out << YAML::BeginMap << YAML::Key << "sleep" << YAML::Value
            << std::to_string(page.sleep_before_ms) + "ms" << YAML::EndMap;
    }
    for (const auto& r : page.requests) emit_request(out, r);
    out << YAML::EndSeq << YAML::EndMap;
}

std::string header_comment(const recording& r, const convert_options& opts) {
    std::string text =
        "Converted by `swarm convert` from " +
        (opts.source_name.empty() ? std::string("a HAR recording") : opts.source_name) + ": " +
        std::to_string(r.requests) + " requests on " + std::to_string(r.pages.size()) + " pages";
    if (r.static_skipped > 0)
        text += "; " + std::to_string(r.static_skipped) +
                " static assets left out (--include-static keeps them)";
    return text + ".\nOne iteration replays the recording: one task per page, in order.";
}

}  // namespace

std::string emit_scenario(const recording& r, const convert_options& opts) {
    YAML::Emitter out;
    out << YAML::Comment(header_comment(r, opts)) << YAML::Newline;
    out << YAML::BeginMap;
    out << YAML::Key << "host" << YAML::Value;
    quoted(out, r.host);
    out << YAML::Key << "users" << YAML::Value << YAML::BeginMap;
    out << YAML::Key;
    quoted(out, opts.class_name);
    out << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "wait" << YAML::Value << "1s";
    out << YAML::Key << "tasks" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "recording" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "sequential" << YAML::Value << true;
    out << YAML::Key << "iterations" << YAML::Value << r.pages.size();
    out << YAML::Key << "wait" << YAML::Value << "0s";  // think times are the recorded sleeps
    out << YAML::Key << "tasks" << YAML::Value << YAML::BeginMap;
    for (const auto& page : r.pages) emit_page(out, page);
    out << YAML::EndMap << YAML::EndMap << YAML::EndMap << YAML::EndMap << YAML::EndMap;
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

}  // namespace swarm::authoring
