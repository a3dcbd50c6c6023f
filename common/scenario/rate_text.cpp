#include "common/scenario/rate_text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "common/printable.hpp"

namespace swarm::scenario {

result<double> parse_rate(std::string_view text) {
    const std::string quoted = "'" + printable(text, 120) + "'";
    const auto slash = text.find('/');
    const std::string number(text.substr(0, slash));
    double per = 1;  // seconds per unit
    if (slash != std::string_view::npos) {
        const auto unit = text.substr(slash + 1);
        if (unit == "s") per = 1;
        else if (unit == "m") per = 60;
        else if (unit == "h") per = 3600;
        else
            return fail("unknown unit in " + quoted +
                        ": a rate is per second (/s), per minute (/m) or per hour (/h)");
    }
    char* end = nullptr;
    const double value = std::strtod(number.c_str(), &end);
    // strtod also reads "inf", "nan" and hex: only plain decimal numbers here.
    const bool plain =
        !number.empty() && number.find_first_not_of("0123456789.eE+-") == std::string::npos;
    if (!plain || end != number.c_str() + number.size() || !std::isfinite(value)) {
        return fail(
            "expected a rate like 200/s, 12000/m or 30/h (a bare number is per second), "
            "got " +
            quoted);
    }
    if (value < 0) return fail("a rate cannot be negative, got " + quoted);
    const double per_second = value / per;
    if (per_second > 0 && per_second < min_arrival_rate * (1 - 1e-12)) {
        return fail("a rate above 0 is at least 1/h, got " + quoted);
    }
    if (per_second > max_arrival_rate) {
        return fail("a rate is at most " + format_rate(max_arrival_rate) + ", got " + quoted);
    }
    return per_second;
}

namespace {
bool whole(double v) {
    return std::abs(v - std::round(v)) <= 1e-9 * std::max(1.0, v);
}
}  // namespace

std::string format_rate(double per_second) {
    // Below one a second, the unit it was probably written in: 30/h, not 0.00833/s.
    double value = per_second;
    const char* unit = "/s";
    if (per_second > 0 && per_second < 1 && !whole(per_second * 10)) {
        if (whole(per_second * 60)) {
            value = per_second * 60;
            unit = "/m";
        } else if (whole(per_second * 3600)) {
            value = per_second * 3600;
            unit = "/h";
        }
    }
    if (whole(value)) value = std::round(value);
    char buffer[64];
    const auto [end, ec] =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
    if (ec != std::errc{} || end - buffer > 12) {
        std::snprintf(buffer, sizeof buffer, "%.6g", value);
        return buffer + std::string(unit);
    }
    return std::string(buffer, end) + unit;
}

}  // namespace swarm::scenario
