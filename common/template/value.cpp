#include "common/template/value.hpp"

#include <charconv>
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

bool truthy(const value& v) {
    return std::visit(
        [](const auto& x) -> bool {
            using type = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<type, std::monostate>) {
                return false;
            } else if constexpr (std::is_same_v<type, bool>) {
                return x;
            } else if constexpr (std::is_same_v<type, std::int64_t>) {
                return x != 0;
            } else if constexpr (std::is_same_v<type, std::string>) {
                return !x.empty() && x != "false";
            } else {
                return x != nullptr;
            }
        },
        v);
}

}  // namespace swarm::tmpl
