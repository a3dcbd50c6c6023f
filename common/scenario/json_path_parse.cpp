// JSONPath queries, segments and selectors (RFC 9535 §2.1–2.5).
#include <cctype>
#include <charconv>
#include <utility>

#include "common/scenario/json_path_parser.hpp"

namespace swarm::scenario {
namespace json_path_detail {
namespace {

// I-JSON's exact integers (RFC 9535 §2.1): indexes and slice bounds.
constexpr std::int64_t max_exact_int = (std::int64_t{1} << 53) - 1;

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// RFC 9535's member-name-shorthand characters, plus the '-' and '$' (and a
// leading digit) that swarm's first JSONPath accepted.
bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '$' ||
           static_cast<unsigned char>(c) >= 0x80;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

json_path::selector make_selector(json_path::selector::kind how, std::string name = {}) {
    json_path::selector sel;
    sel.how = how;
    sel.name = std::move(name);
    return sel;
}

std::string describe(char c) {
    if (static_cast<unsigned char>(c) < 0x20) return "control character";
    return "'" + std::string(1, c) + "'";
}

}  // namespace

bool parser::eat(std::string_view s) {
    if (pos_ > text_.size() || text_.substr(pos_).substr(0, s.size()) != s) return false;
    pos_ += s.size();
    return true;
}

void parser::skip_blank() {
    while (!at_end() && is_blank(text_[pos_])) ++pos_;
}

error parser::fail_at(const std::string& what, std::size_t offset) {
    return fail(what + " at offset " + std::to_string(offset));
}

result<void> parser::enter(std::size_t offset) {
    if (depth_ >= json_path::max_nesting) {
        return fail_at("filter nested deeper than " + std::to_string(json_path::max_nesting),
                       offset);
    }
    ++depth_;
    return {};
}

result<json_path> parser::whole_query() {
    if (text_.size() > json_path::max_text) {
        return fail("JSONPath longer than " + std::to_string(json_path::max_text) + " bytes");
    }
    json_path path;
    if (peek() == '$') {
        ++pos_;
    } else if (!at_end() && is_name_char(peek())) {
        // "a.b": the leading "$." may be left out
        json_path::segment seg;
        seg.selectors.push_back(make_selector(json_path::selector::kind::name, member_name()));
        access::segments(path).push_back(std::move(seg));
    }
    if (auto parsed = segments(path); !parsed) return parsed.error();
    if (!at_end()) return fail_at("unexpected " + describe(peek()), pos_);
    finish(path, false);
    return path;
}

void parser::finish(json_path& path, bool relative) {
    bool singular = true;
    for (const auto& seg : access::segments(path)) {
        const auto how = seg.selectors.front().how;
        if (seg.descendant || seg.selectors.size() != 1 ||
            (how != json_path::selector::kind::name && how != json_path::selector::kind::index)) {
            singular = false;
        }
    }
    access::set_flags(path, singular, relative);
}

result<void> parser::segments(json_path& path) {
    for (;;) {
        const auto before = pos_;
        skip_blank();
        if (peek() != '.' && peek() != '[') {
            pos_ = before;  // the blanks belong to what follows (a filter's operator)
            return {};
        }
        json_path::segment seg;
        auto parsed = peek() == '[' ? bracketed(seg) : dot_segment(seg);
        if (!parsed) return parsed.error();
        access::segments(path).push_back(std::move(seg));
    }
}

std::string parser::member_name() {
    const auto start = pos_;
    while (!at_end() && is_name_char(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
}

// pos_ on '.': `.name`, `.*`, `..name`, `..*` or `..[...]`.
result<void> parser::dot_segment(json_path::segment& seg) {
    ++pos_;
    if (peek() == '.') {
        ++pos_;
        seg.descendant = true;
        if (peek() == '[') return bracketed(seg);
    }
    if (peek() == '*') {
        ++pos_;
        seg.selectors.push_back(make_selector(json_path::selector::kind::wildcard));
        return {};
    }
    const auto start = pos_;
    auto name = member_name();
    if (name.empty()) {
        return fail_at(seg.descendant ? "expected a member name, '*' or '[' after '..'"
                                      : "expected a member name after '.'",
                       start);
    }
    seg.selectors.push_back(make_selector(json_path::selector::kind::name, std::move(name)));
    return {};
}

// pos_ on '[': `[selector, selector...]`.
result<void> parser::bracketed(json_path::segment& seg) {
    ++pos_;
    for (;;) {
        skip_blank();
        auto sel = selector();
        if (!sel) return sel.error();
        seg.selectors.push_back(std::move(*sel));
        skip_blank();
        if (peek() == ',') {
            ++pos_;
            continue;
        }
        if (peek() != ']') return fail_at("expected ']'", pos_);
        ++pos_;
        return {};
    }
}

result<json_path::selector> parser::selector() {
    const char c = peek();
    if (c == '\'' || c == '"') {
        auto name = string_literal("unterminated quoted member");
        if (!name) return name.error();
        return make_selector(json_path::selector::kind::name, std::move(*name));
    }
    if (c == '*') {
        ++pos_;
        return make_selector(json_path::selector::kind::wildcard);
    }
    if (c == '?') {
        const auto at = pos_++;
        if (auto entered = enter(at); !entered) return entered.error();
        skip_blank();
        auto expr = logical_or();
        leave();
        if (!expr) return expr.error();
        auto sel = make_selector(json_path::selector::kind::filter);
        sel.filter = std::make_shared<const logical>(std::move(*expr));
        return sel;
    }
    if (c == '-' || c == ':' || is_digit(c)) return index_or_slice();
    return fail_at("expected a selector", pos_);
}

// `3`, `-1`, `1:3`, `::-1`, `1:5:2` (RFC 9535 §2.3.3, §2.3.4).
result<json_path::selector> parser::index_or_slice() {
    auto sel = make_selector(json_path::selector::kind::index);
    std::optional<std::int64_t> first;
    if (peek() != ':') {
        auto n = integer();
        if (!n) return n.error();
        first = *n;
        const auto before = pos_;
        skip_blank();
        if (peek() != ':') {
            pos_ = before;
            sel.index = *first;
            return sel;
        }
    }
    sel.how = json_path::selector::kind::slice;
    sel.range.start = first;
    ++pos_;  // the first ':'
    skip_blank();
    if (peek() == '-' || is_digit(peek())) {
        auto n = integer();
        if (!n) return n.error();
        sel.range.end = *n;
        skip_blank();
    }
    if (peek() == ':') {
        ++pos_;
        skip_blank();
        if (peek() == '-' || is_digit(peek())) {
            auto n = integer();
            if (!n) return n.error();
            sel.range.step = *n;
        }
    }
    return sel;
}

// `0`, `-12`; no leading zeros, no "-0", within ±(2^53-1).
result<std::int64_t> parser::integer() {
    const auto start = pos_;
    if (peek() == '-') ++pos_;
    if (!is_digit(peek())) return fail_at("expected an integer", start);
    if (peek() == '0' && (is_digit(peek(1)) || pos_ != start)) {
        return fail_at("an integer may not start with 0 (nor be -0)", start);
    }
    while (is_digit(peek())) ++pos_;
    std::int64_t value = 0;
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    auto [ptr, ec] = std::from_chars(first, last, value);
    if (ec != std::errc() || ptr != last || value > max_exact_int || value < -max_exact_int) {
        return fail_at("integer out of range (±2^53-1)", start);
    }
    return value;
}

// pos_ on the opening quote; the string's value, escapes resolved.
result<std::string> parser::string_literal(const char* unterminated) {
    const auto start = pos_;
    const char quote = text_[pos_++];
    std::string out;
    for (;;) {
        if (at_end()) return fail_at(unterminated, start);
        const char c = text_[pos_];
        if (c == quote) {
            ++pos_;
            return out;
        }
        if (static_cast<unsigned char>(c) < 0x20) {
            return fail_at("control character in a string (escape it)", pos_);
        }
        if (c == '\\') {
            if (auto escaped = escape(out, quote); !escaped) return escaped.error();
            continue;
        }
        out += c;
        ++pos_;
    }
}

// pos_ on the backslash: `\n`, `\'`, `\uXXXX` (with surrogate pairs)...
result<void> parser::escape(std::string& out, char quote) {
    const auto start = pos_;
    ++pos_;
    const char c = peek();
    ++pos_;
    // RFC 9535 §2.3.1.1's one-character escapes and what they stand for
    constexpr std::string_view escapes = "bfnrt/\\";
    constexpr std::string_view meanings = "\b\f\n\r\t/\\";
    if (const auto at = escapes.find(c); c != '\0' && at != std::string_view::npos) {
        out += meanings[at];
        return {};
    }
    if (c != 'u') {
        // a quote is escaped only inside its own kind of quotes
        if (c != quote || c == '\0') return fail_at("invalid escape in a string", start);
        out += c;
        return {};
    }
    auto high = hex4();
    if (!high) return high.error();
    unsigned cp = *high;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return fail_at("lone low surrogate", start);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (!eat("\\u")) return fail_at("high surrogate without its low surrogate", start);
        auto low = hex4();
        if (!low) return low.error();
        if (*low < 0xDC00 || *low > 0xDFFF) {
            return fail_at("high surrogate without its low surrogate", start);
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (*low - 0xDC00);
    }
    append_utf8(out, cp);
    return {};
}

result<unsigned> parser::hex4() {
    unsigned value = 0;
    for (int i = 0; i < 4; ++i) {
        const char c = peek();
        unsigned digit = 0;
        if (is_digit(c)) {
            digit = static_cast<unsigned>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            digit = static_cast<unsigned>(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            digit = static_cast<unsigned>(c - 'A' + 10);
        } else {
            return fail_at("expected 4 hex digits after \\u", pos_);
        }
        value = value * 16 + digit;
        ++pos_;
    }
    return value;
}

}  // namespace json_path_detail

result<json_path> json_path::parse(std::string_view text) {
    return json_path_detail::parser(text).whole_query();
}

}  // namespace swarm::scenario
