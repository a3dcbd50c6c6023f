#include "target/form.hpp"

#include <algorithm>

namespace swarm::target {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out.push_back(' ');
        } else if (s[i] == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            const int hi = hex_value(s[i + 1]);
            const int lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<form_fields> parse_form(std::string_view text) {
    form_fields fields;
    while (!text.empty()) {
        const auto amp = text.find('&');
        const std::string_view field = text.substr(0, amp);
        text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
        if (field.empty()) continue;
        const auto eq = field.find('=');
        auto name = decode(field.substr(0, eq));
        auto value =
            decode(eq == std::string_view::npos ? std::string_view() : field.substr(eq + 1));
        if (!name || !value) return std::nullopt;
        fields.emplace_back(std::move(*name), std::move(*value));
    }
    return fields;
}

std::optional<std::string> form_value(std::string_view text, std::string_view name) {
    auto fields = parse_form(text);
    if (!fields) return std::nullopt;
    for (auto& [key, value] : *fields) {
        if (key == name) return std::move(value);
    }
    return std::nullopt;
}

std::vector<std::pair<std::string_view, std::string_view>> parse_cookies(std::string_view header) {
    std::vector<std::pair<std::string_view, std::string_view>> cookies;
    while (!header.empty()) {
        const auto semi = header.find(';');
        const std::string_view pair = trim(header.substr(0, semi));
        header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos || eq == 0) continue;
        std::string_view value = trim(pair.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
            value = value.substr(1, value.size() - 2);
        }
        cookies.emplace_back(trim(pair.substr(0, eq)), value);
    }
    return cookies;
}

bool is_cookie_name(std::string_view s) {
    static constexpr std::string_view separators = "()<>@,;:\\\"/[]?={} \t";
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return c > 0x20 && c < 0x7f && separators.find(c) == std::string_view::npos;
    });
}

bool is_cookie_value(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
        return c > 0x20 && c < 0x7f && c != '"' && c != ',' && c != ';' && c != '\\';
    });
}

}  // namespace swarm::target
