#include "common/byte_size.hpp"

#include <array>
#include <charconv>
#include <utility>

#include "common/ascii.hpp"

namespace swarm {

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
    std::uint64_t number = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc() || end == text.data()) return std::nullopt;
    std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
    static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 8> units{{
        {"", 1},
        {"B", 1},
        {"KiB", std::uint64_t{1} << 10},
        {"MiB", std::uint64_t{1} << 20},
        {"GiB", std::uint64_t{1} << 30},
        {"kB", 1000},
        {"MB", 1000 * 1000},
        {"GB", 1000 * 1000 * 1000},
    }};
    for (const auto& [name, factor] : units) {
        // "KB" and "kb" are common spellings of the decimal kilo; the binary units are exact.
        const bool same = name == "kB" ? iequals(unit, name) : unit == name;
        if (!same) continue;
        if (number == 0 || number > max_byte_size / factor) return std::nullopt;
        return number * factor;
    }
    return std::nullopt;
}

}  // namespace swarm
