#include "common/template/value.hpp"

#include <boost/json/value.hpp>

#include <charconv>
#include <cmath>
#include <limits>
#include <type_traits>

namespace swarm::tmpl {

const std::string* record::find(std::string_view name) const {
    for (const auto& [key, text] : fields) {
        if (key == name) return &text;
    }
    return nullptr;
}

void append_integer(std::string& out, std::int64_t n) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
    (void)ec;  // 24 bytes always hold an int64
    out.append(digits, end);
}

void append_double(std::string& out, double d) {
    if (std::isnan(d)) {
        out += "nan";
        return;
    }
    if (std::isinf(d)) {
        out += d < 0 ? "-inf" : "inf";
        return;
    }
    char digits[32];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, d);
    (void)ec;  // 32 bytes always hold the shortest form of a double
    const std::string_view text(digits, static_cast<std::size_t>(end - digits));
    out += text;
    // "2" would read back as an integer: a float keeps its kind ("2.0").
    if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

void append_json_escaped(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (u < 0x20) {
                    out += "\\u00";
                    out += hex[u >> 4];
                    out += hex[u & 15];
                } else {
                    out += c;
                }
        }
    }
}

void append_json_string(std::string& out, std::string_view text) {
    out += '"';
    append_json_escaped(out, text);
    out += '"';
}

namespace {

void append_record(std::string& out, const record_ptr& r) {
    if (!r) return;
    bool first = true;
    for (const auto& [key, text] : r->fields) {
        if (!first) out += '&';
        first = false;
        out += key;
        out += '=';
        out += text;
    }
}

void append_json_number(std::string& out, double d) {
    if (std::isfinite(d)) {
        append_double(out, d);
    } else {
        out += "null";  // JSON has no NaN or infinity
    }
}

// Compact JSON with our number format (Boost.JSON writes 1.5 as "1.5E0").
// Recursion is bounded by the parser's depth limit on every value we hold.
void append_json_tree(std::string& out, const boost::json::value& j) {
    switch (j.kind()) {
        case boost::json::kind::null:
            out += "null";
            return;
        case boost::json::kind::bool_:
            out += j.get_bool() ? "true" : "false";
            return;
        case boost::json::kind::int64:
            append_integer(out, j.get_int64());
            return;
        case boost::json::kind::uint64: {
            char digits[24];
            auto [end, ec] = std::to_chars(digits, digits + sizeof digits, j.get_uint64());
            (void)ec;
            out.append(digits, end);
            return;
        }
        case boost::json::kind::double_:
            append_json_number(out, j.get_double());
            return;
        case boost::json::kind::string:
            append_json_string(out, j.get_string());
            return;
        case boost::json::kind::array: {
            out += '[';
            bool first = true;
            for (const auto& item : j.get_array()) {
                if (!first) out += ',';
                first = false;
                append_json_tree(out, item);
            }
            out += ']';
            return;
        }
        case boost::json::kind::object: {
            out += '{';
            bool first = true;
            for (const auto& member : j.get_object()) {
                if (!first) out += ',';
                first = false;
                append_json_string(out, member.key());
                out += ':';
                append_json_tree(out, member.value());
            }
            out += '}';
            return;
        }
    }
}

void append_record_json(std::string& out, const record_ptr& r) {
    out += '{';
    if (r) {
        bool first = true;
        for (const auto& [key, text] : r->fields) {
            if (!first) out += ',';
            first = false;
            append_json_string(out, key);
            out += ':';
            append_json_string(out, text);
        }
    }
    out += '}';
}

}  // namespace

void append_to(std::string& out, const value& v) {
    std::visit(
        [&out](const auto& x) {
            using type = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<type, bool>) {
                out += x ? "true" : "false";
            } else if constexpr (std::is_same_v<type, std::int64_t>) {
                append_integer(out, x);
            } else if constexpr (std::is_same_v<type, std::string>) {
                out += x;
            } else if constexpr (std::is_same_v<type, record_ptr>) {
                append_record(out, x);
            } else if constexpr (std::is_same_v<type, double>) {
                append_double(out, x);
            } else if constexpr (std::is_same_v<type, null_value>) {
                out += "null";
            } else if constexpr (std::is_same_v<type, json_ptr>) {
                if (x) append_json_tree(out, *x);
            }
        },
        v);
}

void append_json(std::string& out, const value& v) {
    std::visit(
        [&out](const auto& x) {
            using type = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<type, std::monostate> ||
                          std::is_same_v<type, null_value>) {
                out += "null";
            } else if constexpr (std::is_same_v<type, bool>) {
                out += x ? "true" : "false";
            } else if constexpr (std::is_same_v<type, std::int64_t>) {
                append_integer(out, x);
            } else if constexpr (std::is_same_v<type, std::string>) {
                append_json_string(out, x);
            } else if constexpr (std::is_same_v<type, record_ptr>) {
                append_record_json(out, x);
            } else if constexpr (std::is_same_v<type, double>) {
                append_json_number(out, x);
            } else if constexpr (std::is_same_v<type, json_ptr>) {
                if (x) {
                    append_json_tree(out, *x);
                } else {
                    out += "null";
                }
            }
        },
        v);
}

std::string to_string(const value& v) {
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    std::string out;
    append_to(out, v);
    return out;
}

value from_json(const boost::json::value& j) {
    switch (j.kind()) {
        case boost::json::kind::null:
            return null_value{};
        case boost::json::kind::bool_:
            return j.get_bool();
        case boost::json::kind::int64:
            return j.get_int64();
        case boost::json::kind::uint64: {
            const std::uint64_t u = j.get_uint64();
            if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                return static_cast<std::int64_t>(u);
            }
            return static_cast<double>(u);
        }
        case boost::json::kind::double_:
            return j.get_double();
        case boost::json::kind::string:
            return std::string(j.get_string());
        default:
            return json_ptr(std::make_shared<const boost::json::value>(j));
    }
}

value list_of(std::span<const boost::json::value* const> items) {
    boost::json::array list;
    list.reserve(items.size());
    for (const auto* item : items) {
        if (item) list.push_back(*item);
    }
    return json_ptr(std::make_shared<const boost::json::value>(std::move(list)));
}

const boost::json::array* as_list(const value& v) {
    const auto* j = std::get_if<json_ptr>(&v);
    return j && *j ? (*j)->if_array() : nullptr;
}

bool truthy(const value& v) {
    return std::visit(
        [](const auto& x) -> bool {
            using type = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<type, std::monostate> ||
                          std::is_same_v<type, null_value>) {
                return false;
            } else if constexpr (std::is_same_v<type, bool>) {
                return x;
            } else if constexpr (std::is_same_v<type, std::int64_t>) {
                return x != 0;
            } else if constexpr (std::is_same_v<type, double>) {
                return x != 0 && !std::isnan(x);
            } else if constexpr (std::is_same_v<type, std::string>) {
                return !x.empty() && x != "false";
            } else if constexpr (std::is_same_v<type, json_ptr>) {
                if (!x) return false;
                if (const auto* a = x->if_array()) return !a->empty();
                if (const auto* o = x->if_object()) return !o->empty();
                return true;
            } else {
                return x != nullptr;
            }
        },
        v);
}

}  // namespace swarm::tmpl
