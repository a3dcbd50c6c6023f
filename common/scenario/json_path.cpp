#include "common/scenario/json_path.hpp"

#include <boost/json/value.hpp>
#include <cctype>
#include <charconv>

namespace swarm::scenario {
namespace {

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '$' ||
           static_cast<unsigned char>(c) >= 0x80;
}

// Parses "[...]" at text[pos] (pos on '['); advances pos past ']'.
result<void> parse_bracket(std::string_view text, std::size_t& pos, json_path::segment& seg) {
    ++pos;
    if (pos < text.size() && (text[pos] == '\'' || text[pos] == '"')) {
        const char quote = text[pos++];
        const auto end = text.find(quote, pos);
        if (end == std::string_view::npos) {
            return fail("unterminated quoted member at offset " + std::to_string(pos - 1));
        }
        seg.member = std::string(text.substr(pos, end - pos));
        pos = end + 1;
    } else {
        const char* first = text.data() + pos;
        const char* last = text.data() + text.size();
        auto [ptr, ec] = std::from_chars(first, last, seg.index);
        if (ec != std::errc() || ptr == first) {
            return fail("expected an array index or a quoted member at offset " +
                        std::to_string(pos));
        }
        seg.is_index = true;
        pos = static_cast<std::size_t>(ptr - text.data());
    }
    if (pos >= text.size() || text[pos] != ']') {
        return fail("expected ']' at offset " + std::to_string(pos));
    }
    ++pos;
    return {};
}

}  // namespace

result<json_path> json_path::parse(std::string_view text) {
    json_path path;
    std::size_t pos = 0;
    if (!text.empty() && text[0] == '$') pos = 1;
    while (pos < text.size()) {
        segment seg;
        if (text[pos] == '.') {
            const auto start = ++pos;
            while (pos < text.size() && is_name_char(text[pos])) ++pos;
            if (pos == start) {
                return fail("expected a member name after '.' at offset " + std::to_string(start));
            }
            seg.member = std::string(text.substr(start, pos - start));
        } else if (text[pos] == '[') {
            if (auto parsed = parse_bracket(text, pos, seg); !parsed) return parsed.error();
        } else if (pos == 0 && is_name_char(text[pos])) {
            // "a.b" without the leading "$." is accepted too
            while (pos < text.size() && is_name_char(text[pos])) ++pos;
            seg.member = std::string(text.substr(0, pos));
        } else {
            return fail("unexpected '" + std::string(1, text[pos]) + "' at offset " +
                        std::to_string(pos));
        }
        path.segments_.push_back(std::move(seg));
    }
    return path;
}

const boost::json::value* json_path::find(const boost::json::value& doc) const {
    const boost::json::value* at = &doc;
    for (const auto& seg : segments_) {
        if (seg.is_index) {
            const auto* arr = at->if_array();
            if (!arr) return nullptr;
            const auto size = static_cast<std::int64_t>(arr->size());
            const auto i = seg.index < 0 ? size + seg.index : seg.index;
            if (i < 0 || i >= size) return nullptr;
            at = &(*arr)[static_cast<std::size_t>(i)];
        } else {
            const auto* obj = at->if_object();
            if (!obj) return nullptr;
            at = obj->if_contains(seg.member);
            if (!at) return nullptr;
        }
    }
    return at;
}

void json_path::select(const boost::json::value& doc,
                       std::vector<const boost::json::value*>& out) const {
    if (const auto* found = find(doc)) out.push_back(found);
}

bool json_path::is_singular() const { return true; }

}  // namespace swarm::scenario
