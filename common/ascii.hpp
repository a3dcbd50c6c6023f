#pragma once
// ASCII case rules of HTTP and HTML (header names, cookie attributes, tag
// names): locale-independent, unlike std::tolower, and the one copy every
// part uses.

#include <string_view>

namespace swarm {

constexpr char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

constexpr bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    }
    return true;
}

static_assert(iequals("Content-Type", "content-TYPE") && !iequals("a", "ab") && !iequals("[", "{"));

}  // namespace swarm
