#include "common/scenario/bundle.hpp"

#include <cstdint>
#include <cstdio>
#include <string_view>

namespace swarm::scenario {

std::string diagnostic::to_string() const {
    std::string out = file;
    if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
    out += ": ";
    if (!path.empty()) out += path + ": ";
    out += message;
    return out;
}

std::size_t bundle::bytes() const {
    std::size_t n = source.size();
    for (const auto& [path, content] : files) n += path.size() + content.size();
    return n;
}

std::string bundle::hash() const {
    // FNV-1a 64 over lengths and contents: a change detector, not a security measure.
    std::uint64_t h = 14695981039346656037ull;
    auto mix = [&h](std::string_view s) {
        const auto n = s.size();
        for (std::size_t i = 0; i < sizeof n; ++i)
            h = (h ^ ((n >> (8 * i)) & 0xff)) * 1099511628211ull;
        for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    };
    mix(source);
    for (const auto& [path, content] : files) {
        mix(path);
        mix(content);
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

}  // namespace swarm::scenario
