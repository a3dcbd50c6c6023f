#include "worker/user/request_builder.hpp"

#include <algorithm>
#include <array>

#include "common/ascii.hpp"
#include "worker/http/url.hpp"
#include "worker/user/multipart.hpp"

namespace swarm::worker::user {
namespace {

using scenario::named_templates;
using scenario::request_step;

bool all_static(const named_templates& list) {
    return std::all_of(list.begin(), list.end(),
                       [](const auto& kv) { return kv.second.is_static(); });
}

bool body_is_static(const request_step& step) {
    switch (step.body) {
        case request_step::body_kind::none:
            return true;
        case request_step::body_kind::form:
            return all_static(step.form);
        case request_step::body_kind::json:
            return std::none_of(step.json.parts.begin(), step.json.parts.end(),
                                [](const auto& p) { return p.value.has_value(); });
        case request_step::body_kind::raw:
            return step.raw.is_static();
        case request_step::body_kind::multipart:
            return false;  // a boundary of its own per request
    }
    return true;
}

// Renders a template, or copies its text without an environment when static.
void render(const tmpl::template_string& t, tmpl::environment* env, std::string& out) {
    if (t.is_static()) {
        out += t.static_text();
    } else {
        t.render(*env, out);
    }
}

// "k=v&k=v", each side form-encoded. Rendering goes through `scratch` so a
// value is encoded after it is complete.
void append_pairs(const named_templates& pairs, tmpl::environment* env, std::string& out) {
    std::string scratch;
    bool first = true;
    for (const auto& [key, value] : pairs) {
        if (!first) out += '&';
        first = false;
        append_form_encoded(out, key);
        out += '=';
        scratch.clear();
        render(value, env, scratch);
        append_form_encoded(out, scratch);
    }
}

}  // namespace

void render_json_body(const scenario::json_body& body, tmpl::environment* env, std::string& out) {
    std::string scratch;
    for (const auto& part : body.parts) {
        if (!part.value) {
            out += part.literal;
            continue;
        }
        if (part.value->is_whole_expression()) {
            // "{{ expr }}" alone keeps its value's JSON type.
            part.value->render_json(*env, out);
            continue;
        }
        scratch.clear();
        render(*part.value, env, scratch);
        out += '"';
        append_json_escaped(out, scratch);
        out += '"';
    }
}

namespace {

// `env` may be null only when every template involved is static.
void render_url(const request_step& step, std::string_view host, tmpl::environment* env,
                std::string& out) {
    std::string path;
    render(step.url, env, path);
    join_url(host, path, out);
    if (step.query.empty()) return;
    // The query goes before a fragment, after any query already in the URL.
    const auto hash = out.find('#');
    std::string fragment;
    if (hash != std::string::npos) {
        fragment = out.substr(hash);
        out.resize(hash);
    }
    out += out.find('?') == std::string::npos ? '?' : '&';
    append_pairs(step.query, env, out);
    out += fragment;
}

void render_headers(const request_step& step, tmpl::environment* env, http::header_list& out) {
    bool has_content_type = false;
    for (const auto& [name, value] : step.headers) {
        std::string text;
        render(value, env, text);
        out.emplace_back(name, std::move(text));
        has_content_type = has_content_type || iequals(name, "Content-Type");
    }
    const auto type = default_content_type(step.body);
    if (!has_content_type && !type.empty()) out.emplace_back("Content-Type", std::string(type));
}

void render_body(const request_step& step, tmpl::environment* env, std::string& out) {
    switch (step.body) {
        case request_step::body_kind::none:
            return;
        case request_step::body_kind::form:
            append_pairs(step.form, env, out);
            return;
        case request_step::body_kind::raw:
            render(step.raw, env, out);
            return;
        case request_step::body_kind::multipart:
            return;  // build() renders it with its Content-Type
        case request_step::body_kind::json:
            render_json_body(step.json, env, out);
            return;
    }
}

void set_options(const request_step& step, http::request& out) {
    out.method = step.method;
    if (step.timeout) out.timeout = *step.timeout;
    out.follow_redirects = step.follow_redirects;
    out.max_body_bytes = step.max_body_bytes.value_or(0);
    out.discard_body = step.discard_body;
    out.protocol = step.protocol;
}

}  // namespace

std::string_view default_content_type(request_step::body_kind body) {
    switch (body) {
        case request_step::body_kind::form:
            return "application/x-www-form-urlencoded";
        case request_step::body_kind::json:
            return "application/json";
        default:
            return {};
    }
}

void join_url(std::string_view host, std::string_view url, std::string& out) {
    if (url.starts_with("http://") || url.starts_with("https://")) {
        out.append(url);
        return;
    }
    while (host.ends_with('/')) host.remove_suffix(1);
    out.append(host);
    if (!url.starts_with('/')) out += '/';
    out.append(url);
}

void append_form_encoded(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    // Bytes that stay as they are: ALPHA / DIGIT / "-" / "." / "_" / "~".
    static constexpr auto plain = [] {
        std::array<bool, 256> t{};
        for (int c = 0; c < 256; ++c) {
            t[static_cast<std::size_t>(c)] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                             (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                                             c == '_' || c == '~';
        }
        return t;
    }();
    out.reserve(out.size() + text.size() + text.size() / 4);
    std::size_t run = 0;  // start of the pending run of plain bytes
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto u = static_cast<unsigned char>(text[i]);
        if (plain[u]) continue;
        out.append(text, run, i - run);  // a run at a time, not a byte at a time
        run = i + 1;
        if (u == ' ') {
            out += '+';
        } else {
            const char escaped[3] = {'%', hex[u >> 4], hex[u & 15]};
            out.append(escaped, 3);
        }
    }
    out.append(text, run, text.size() - run);
}

void append_json_escaped(std::string& out, std::string_view text) {
    tmpl::append_json_escaped(out, text);
}

prepared_request prepare(const request_step& step, std::string_view host) {
    prepared_request prep;
    if (step.url.is_static() && all_static(step.query)) {
        prep.url.emplace();
        render_url(step, host, nullptr, *prep.url);
        // Parsed once here instead of on every send; an invalid URL is left
        // to the session, which reports it per request.
        if (auto parsed = http::parse_target_url(*prep.url)) {
            prep.parsed_url = std::make_shared<const http::target_url>(std::move(*parsed));
        }
    }
    if (all_static(step.headers)) {
        prep.headers.emplace();
        render_headers(step, nullptr, *prep.headers);
    }
    if (body_is_static(step)) {
        prep.body.emplace();
        render_body(step, nullptr, *prep.body);
    }
    if (prep.url && prep.headers && prep.body) {
        http::request& r = prep.whole.emplace();
        set_options(step, r);
        r.url = std::move(*prep.url);
        r.parsed_url = prep.parsed_url;
        r.headers = std::move(*prep.headers);
        r.body = std::move(*prep.body);
        prep.url.reset();
        prep.headers.reset();
        prep.body.reset();
    }
    return prep;
}

void build(const request_step& step, const prepared_request& prep, std::string_view host,
           tmpl::environment& env, http::request& out) {
    if (prep.whole) {
        out = *prep.whole;
        return;
    }
    set_options(step, out);
    if (prep.url) {
        out.url = *prep.url;
        out.parsed_url = prep.parsed_url;
    } else {
        render_url(step, host, &env, out.url);
    }
    if (prep.headers) {
        out.headers = *prep.headers;
    } else {
        render_headers(step, &env, out.headers);
    }
    if (prep.body) {
        out.body = *prep.body;
    } else if (step.body == request_step::body_kind::multipart) {
        // The loader refused a Content-Type header: this is the only one.
        const auto boundary = render_multipart(step.multipart, env, out.body);
        out.headers.emplace_back("Content-Type", multipart_content_type(boundary));
    } else {
        render_body(step, &env, out.body);
    }
}

}  // namespace swarm::worker::user
