#include "common/duration.hpp"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace swarm {
namespace {

// Microseconds per unit, or 0 when the unit is unknown.
double unit_micros(std::string_view unit) {
    if (unit == "us") return 1;
    if (unit == "ms") return 1e3;
    if (unit == "s" || unit.empty()) return 1e6;
    if (unit == "m") return 60e6;
    if (unit == "h") return 3600e6;
    if (unit == "d") return 86400e6;
    return 0;
}

}  // namespace

std::optional<std::chrono::microseconds> parse_duration(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    if (text.empty() || text.size() > 64) return std::nullopt;

    double total = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t number_start = pos;
        while (pos < text.size() &&
               (std::isdigit(static_cast<unsigned char>(text[pos])) || text[pos] == '.'))
            ++pos;
        if (pos == number_start) return std::nullopt;
        const std::string number(text.substr(number_start, pos - number_start));
        char* end = nullptr;
        const double amount = std::strtod(number.c_str(), &end);
        if (end != number.c_str() + number.size()) return std::nullopt;

        const std::size_t unit_start = pos;
        while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) ++pos;
        const auto unit = text.substr(unit_start, pos - unit_start);
        // A bare number is only allowed alone ("5" = 5 s), not inside "1m30".
        if (unit.empty() && (number_start != 0 || pos != text.size())) return std::nullopt;
        const double scale = unit_micros(unit);
        if (scale == 0) return std::nullopt;
        total += amount * scale;
    }
    if (!std::isfinite(total) || total > 1e15) return std::nullopt;  // ~31 years
    return std::chrono::microseconds(static_cast<std::int64_t>(std::llround(total)));
}

std::string format_duration(std::chrono::microseconds d) {
    auto us = d.count();
    if (us == 0) return "0s";
    if (us < 1000) return std::to_string(us) + "us";
    if (us < 1000000) {
        if (us % 1000 == 0) return std::to_string(us / 1000) + "ms";
        return std::to_string(static_cast<double>(us) / 1000.0) + "ms";
    }
    std::string out;
    const auto h = us / 3600000000LL;
    us %= 3600000000LL;
    const auto m = us / 60000000LL;
    us %= 60000000LL;
    if (h) out += std::to_string(h) + "h";
    if (m) out += std::to_string(m) + "m";
    if (us) {
        if (us % 1000000 == 0) {
            out += std::to_string(us / 1000000) + "s";
        } else {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%gs", static_cast<double>(us) / 1e6);
            out += buf;
        }
    }
    return out;
}

}  // namespace swarm
