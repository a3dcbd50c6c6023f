#include "common/scenario/stages_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "common/duration.hpp"
#include "common/printable.hpp"

namespace swarm::scenario {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string quoted(std::string_view s) {
    return "'" + printable(s) + "'";
}

std::string format_rate(double rate) {
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, rate);
    return ec == std::errc{} ? std::string(buffer, end) : std::to_string(rate);
}

result<load_stage> parse_stage(std::string_view text, std::int64_t previous_users) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos)
        return fail("expected DURATION:USERS[@RATE], got " + quoted(text));
    load_stage stage;
    const auto length = parse_duration(trim(text.substr(0, colon)));
    if (!length || length->count() <= 0)
        return fail("duration " + quoted(trim(text.substr(0, colon))) +
                    " is not a positive duration such as 30s or 1m30s");
    if (*length > max_stage_length)
        return fail("duration " + quoted(trim(text.substr(0, colon))) + " is longer than a year");
    stage.length = *length;
    std::string_view rest = text.substr(colon + 1);
    const auto at = rest.find('@');
    const std::string_view users_text = trim(rest.substr(0, at));
    const auto [users_end, users_ec] =
        std::from_chars(users_text.data(), users_text.data() + users_text.size(), stage.users);
    if (users_ec != std::errc{} || users_end != users_text.data() + users_text.size() ||
        stage.users < 0 || stage.users > max_stage_users) {
        return fail("users " + quoted(users_text) + " is not a whole number from 0 to " +
                    std::to_string(max_stage_users));
    }
    if (at == std::string_view::npos) {
        stage.rate =
            std::max<double>(1.0, static_cast<double>(std::llabs(stage.users - previous_users)));
        return stage;
    }
    const std::string_view rate_text = trim(rest.substr(at + 1));
    const std::string rate_copy(rate_text);
    char* end = nullptr;
    const double rate = std::strtod(rate_copy.c_str(), &end);
    if (rate_copy.empty() || end != rate_copy.c_str() + rate_copy.size() || !std::isfinite(rate) ||
        rate <= 0 || rate > 1e8) {
        return fail("rate " + quoted(rate_text) +
                    " is not a number of users per second above 0 (at most 1e8)");
    }
    stage.rate = rate;
    return stage;
}

}  // namespace

result<std::vector<load_stage>> parse_stages(std::string_view text) {
    std::vector<load_stage> stages;
    if (trim(text).empty()) return fail("no stages: expected DURATION:USERS[@RATE],...");
    std::int64_t users = 0;
    std::size_t index = 0;
    while (true) {
        const auto comma = text.find(',');
        ++index;
        if (index > max_load_stages)
            return fail("more than " + std::to_string(max_load_stages) + " stages");
        auto stage = parse_stage(trim(text.substr(0, comma)), users);
        if (!stage) return fail("stage " + std::to_string(index) + ": " + stage.error().message);
        users = stage->users;
        stages.push_back(*stage);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return stages;
}

std::string format_stages(const std::vector<load_stage>& stages) {
    std::string out;
    for (const auto& s : stages) {
        if (!out.empty()) out += ',';
        out +=
            format_duration(s.length) + ':' + std::to_string(s.users) + '@' + format_rate(s.rate);
    }
    return out;
}

}  // namespace swarm::scenario
