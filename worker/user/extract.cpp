#include "worker/user/extract.hpp"

#include <re2/re2.h>

#include <array>

namespace swarm::worker::user {
namespace {

using scenario::extraction;

std::optional<std::string> extract_regex(const extraction& e, std::string_view body) {
    if (!e.pattern) return std::nullopt;
    // Room for group 0 and up to 100 groups (the loader's bound on `group`).
    std::array<re2::StringPiece, 101> groups;
    const int n = e.group + 1;
    if (n > static_cast<int>(groups.size())) return std::nullopt;
    if (!e.pattern->Match(body, 0, body.size(), RE2::UNANCHORED, groups.data(), n)) {
        return std::nullopt;
    }
    const auto& g = groups[static_cast<std::size_t>(e.group)];
    return std::string(g.data() ? std::string_view(g.data(), g.size()) : std::string_view());
}

std::optional<std::string> extract_json(const extraction& e, lazy_json& json) {
    const boost::json::value* doc = json.get();
    if (!doc) return std::nullopt;
    const boost::json::value* found = e.path.find(*doc);
    if (!found) return std::nullopt;
    return json_text(*found);
}

// Decodes the few entities a form field's value is likely to carry.
std::string decode_entities(std::string_view text) {
    static constexpr std::pair<std::string_view, char> entities[] = {
        {"&amp;", '&'},  {"&lt;", '<'},   {"&gt;", '>'},
        {"&quot;", '"'}, {"&#39;", '\''}, {"&#x27;", '\''}};
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        bool replaced = false;
        if (text[i] == '&') {
            for (const auto& [entity, c] : entities) {
                if (text.substr(i, entity.size()) == entity) {
                    out += c;
                    i += entity.size();
                    replaced = true;
                    break;
                }
            }
        }
        if (!replaced) out += text[i++];
    }
    return out;
}

// The attribute's value out of whichever of the three alternatives matched.
std::string_view pick(const re2::StringPiece& dq, const re2::StringPiece& sq,
                      const re2::StringPiece& bare) {
    if (dq.data()) return {dq.data(), dq.size()};
    if (sq.data()) return {sq.data(), sq.size()};
    if (bare.data()) return {bare.data(), bare.size()};
    return {};
}

}  // namespace

std::optional<std::string> find_input_value(std::string_view html, std::string_view name) {
    // Compiled once per process; RE2 objects are safe to share between threads.
    static const RE2 input_tag(R"((?i)<input\b([^>]*)>)");
    static const RE2 attribute(
        R"re((?i)([a-z_:][-a-z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?)re");
    re2::StringPiece rest(html.data(), html.size());
    re2::StringPiece attrs;
    while (RE2::FindAndConsume(&rest, input_tag, &attrs)) {
        bool named = false;
        std::optional<std::string_view> value;
        re2::StringPiece a = attrs;
        re2::StringPiece key, dq, sq, bare;
        while (RE2::FindAndConsume(&a, attribute, &key, &dq, &sq, &bare)) {
            const std::string_view k(key.data(), key.size());
            const std::string_view v = pick(dq, sq, bare);
            if (iequals(k, "name")) {
                named = v == name;
            } else if (iequals(k, "value")) {
                value = v;
            }
        }
        if (named) return decode_entities(value.value_or(std::string_view()));
    }
    return std::nullopt;
}

std::optional<std::string> extract_value(const extraction& e, const response_facts& facts) {
    switch (e.how) {
        case extraction::kind::regex:
            return extract_regex(e, facts.response.body);
        case extraction::kind::json:
            return extract_json(e, facts.json);
        case extraction::kind::header: {
            const std::string* h = find_header(facts.response.headers, e.argument);
            return h ? std::optional<std::string>(*h) : std::nullopt;
        }
        case extraction::kind::cookie: {
            const std::string* c = facts.session.cookie(facts.url, e.argument);
            return c ? std::optional<std::string>(*c) : std::nullopt;
        }
        case extraction::kind::input:
            return find_input_value(facts.response.body, e.argument);
    }
    return std::nullopt;
}

}  // namespace swarm::worker::user
