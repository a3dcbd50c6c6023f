#include "worker/user/extract.hpp"

#include <re2/re2.h>

#include <array>
#include <vector>

#include "common/ascii.hpp"

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

std::optional<tmpl::value> extract_json(const extraction& e, lazy_json& json) {
    const boost::json::value* doc = json.get();
    if (!doc) return std::nullopt;
    if (e.path.is_singular()) {
        const boost::json::value* found = e.path.find(*doc);
        if (!found) return std::nullopt;
        return tmpl::from_json(*found);
    }
    // Every match, as a list; none at all is "no match", as for one value.
    std::vector<const boost::json::value*> matches;
    e.path.select(*doc, matches);
    if (matches.empty()) return std::nullopt;
    return tmpl::list_of(matches);
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

// A hand-written scanner rather than the two RE2 patterns it replaces
// ((?i)<input\b([^>]*)> and, over each tag's attributes,
// ([a-z_:][-a-z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?
// found one after another): the same matches, at a small fraction of the
// cost (RE2 took ~26 000 instructions on the seed site's contact page).
// extract_test compares the two on many inputs. (With (?i), RE2 also let
// U+017F and U+212A into attribute names; here names are ASCII.)

bool is_word(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_name_start(char c) {
    return is_letter(c) || c == '_' || c == ':';
}
bool is_name_char(char c) {
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}
// RE2's \s.
bool is_html_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}
bool is_bare_value_char(char c) {
    return !is_html_space(c) && c != '"' && c != '\'' && c != '=' && c != '<' && c != '>' &&
           c != '`';
}

// The attributes of the next <input ...> tag at or after `from` (what lies
// between "<input" and the first '>'), advancing `from` past the tag.
std::optional<std::string_view> next_input_tag(std::string_view html, std::size_t& from) {
    static constexpr std::string_view input = "input";
    while (from < html.size()) {
        const auto lt = html.find('<', from);
        if (lt == std::string_view::npos) break;
        from = lt + 1;
        const std::size_t after = lt + 1 + input.size();
        if (after >= html.size() || is_word(html[after]) ||
            !iequals(html.substr(lt + 1, 5), input)) {
            continue;
        }
        const auto gt = html.find('>', after);
        if (gt == std::string_view::npos) break;  // nor will any later tag close
        from = gt + 1;
        return html.substr(after, gt - after);
    }
    from = html.size();
    return std::nullopt;
}

struct attribute {
    std::string_view key;
    std::string_view value;  // empty when the attribute has none
};

// The next attribute in `attrs` at or after `pos`, advancing `pos` past it.
std::optional<attribute> next_attribute(std::string_view attrs, std::size_t& pos) {
    while (pos < attrs.size() && !is_name_start(attrs[pos])) ++pos;  // junk between attributes
    if (pos >= attrs.size()) return std::nullopt;
    const std::size_t key_begin = pos;
    while (pos < attrs.size() && is_name_char(attrs[pos])) ++pos;
    attribute a{attrs.substr(key_begin, pos - key_begin), {}};
    // `= value`, all or nothing: without a value the match is the bare name.
    std::size_t p = pos;
    while (p < attrs.size() && is_html_space(attrs[p])) ++p;
    if (p >= attrs.size() || attrs[p] != '=') return a;
    ++p;
    while (p < attrs.size() && is_html_space(attrs[p])) ++p;
    if (p >= attrs.size()) return a;
    if (attrs[p] == '"' || attrs[p] == '\'') {
        const auto close = attrs.find(attrs[p], p + 1);
        if (close == std::string_view::npos) return a;
        a.value = attrs.substr(p + 1, close - p - 1);
        pos = close + 1;
        return a;
    }
    const std::size_t value_begin = p;
    while (p < attrs.size() && is_bare_value_char(attrs[p])) ++p;
    if (p == value_begin) return a;
    a.value = attrs.substr(value_begin, p - value_begin);
    pos = p;
    return a;
}

}  // namespace

std::optional<std::string> find_input_value(std::string_view html, std::string_view name) {
    std::size_t from = 0;
    while (const auto attrs = next_input_tag(html, from)) {
        bool named = false;
        std::optional<std::string_view> value;
        std::size_t pos = 0;
        while (const auto a = next_attribute(*attrs, pos)) {
            if (iequals(a->key, "name")) {
                named = a->value == name;
            } else if (iequals(a->key, "value")) {
                value = a->value;
            }
        }
        if (named) return decode_entities(value.value_or(std::string_view()));
    }
    return std::nullopt;
}

std::optional<tmpl::value> extract_value(const extraction& e, const response_facts& facts) {
    std::optional<std::string> text;
    switch (e.how) {
        case extraction::kind::json:
            return extract_json(e, facts.json);
        case extraction::kind::regex:
            text = extract_regex(e, facts.response.body);
            break;
        case extraction::kind::header:
            if (const std::string* h = facts.response.header(e.argument)) text = *h;
            break;
        case extraction::kind::cookie:
            if (const std::string* c = facts.session.cookie(facts.url, e.argument)) text = *c;
            break;
        case extraction::kind::input:
            text = find_input_value(facts.response.body, e.argument);
            break;
    }
    if (!text) return std::nullopt;
    return tmpl::value(std::move(*text));
}

}  // namespace swarm::worker::user
