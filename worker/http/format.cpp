#include "worker/http/format.hpp"

#include <cstdio>

namespace swarm::worker::http {

std::string format_bytes(std::uint64_t bytes) {
    constexpr std::uint64_t kib = 1024;
    constexpr std::uint64_t mib = kib * 1024;
    if (bytes >= mib && bytes % mib == 0) return std::to_string(bytes / mib) + " MiB";
    if (bytes >= kib && bytes % kib == 0) return std::to_string(bytes / kib) + " KiB";
    return std::to_string(bytes) + " bytes";
}

std::string format_duration(std::chrono::microseconds d) {
    const auto us = d.count();
    if (us % 1'000'000 == 0) return std::to_string(us / 1'000'000) + "s";
    if (us >= 1'000'000 && us % 100'000 == 0) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(us) / 1e6);
        return buf;
    }
    if (us % 1000 == 0) return std::to_string(us / 1000) + "ms";
    return std::to_string(us) + "us";
}

}  // namespace swarm::worker::http
