#include "worker/usable_cpus.hpp"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace swarm::worker {
namespace {

std::optional<std::string> read_text(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    return text;
}

std::optional<long long> whole_number(std::string_view text) {
    text = trimmed(text);
    long long n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return n;
}

std::optional<unsigned> quota_cpus(long long quota, long long period) {
    if (quota <= 0 || period <= 0) return std::nullopt;
    return static_cast<unsigned>(std::max(1LL, (quota + period - 1) / period));
}

std::optional<unsigned> tighter(std::optional<unsigned> a, std::optional<unsigned> b) {
    if (!a) return b;
    if (!b) return a;
    return std::min(*a, *b);
}

// `relative` ("/kubepods/pod1/ctr") under `top`, and each of its parents up
// to `top`; only `top` when that folder is not there.
std::vector<std::filesystem::path> cgroup_folders(const std::filesystem::path& top,
                                                  std::string_view relative) {
    std::filesystem::path folder = top;
    const std::filesystem::path rel = std::string(trimmed(relative));
    if (!rel.relative_path().empty()) folder /= rel.relative_path();
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec)) return {top};
    std::vector<std::filesystem::path> out;
    for (auto p = folder; p.string().size() >= top.string().size(); p = p.parent_path()) {
        out.push_back(p);
        if (p == top || p == p.parent_path()) break;
    }
    return out;
}

// One line of /proc/self/cgroup: "ID:CONTROLLERS:PATH".
struct cgroup_line {
    std::string_view controllers;
    std::string_view path;
};

std::optional<cgroup_line> parse_line(std::string_view line) {
    const auto first = line.find(':');
    if (first == std::string_view::npos) return std::nullopt;
    const auto second = line.find(':', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    return cgroup_line{line.substr(first + 1, second - first - 1), line.substr(second + 1)};
}

bool names_cpu_controller(std::string_view controllers) {
    while (!controllers.empty()) {
        const auto comma = controllers.find(',');
        if (controllers.substr(0, comma) == "cpu") return true;
        if (comma == std::string_view::npos) break;
        controllers.remove_prefix(comma + 1);
    }
    return false;
}

std::optional<unsigned> v2_limit(const std::filesystem::path& root, std::string_view path) {
    std::optional<unsigned> limit;
    for (const auto& folder : cgroup_folders(root, path)) {
        if (const auto text = read_text(folder / "cpu.max"))
            limit = tighter(limit, cpus_of_cpu_max(*text));
    }
    return limit;
}

std::optional<unsigned> v1_limit(const std::filesystem::path& root, const cgroup_line& line) {
    // Mounted as "cpu,cpuacct" (with a "cpu" link) on most systems.
    for (const auto& mount : {std::string(line.controllers), std::string("cpu")}) {
        std::error_code ec;
        if (!std::filesystem::is_directory(root / mount, ec)) continue;
        std::optional<unsigned> limit;
        for (const auto& folder : cgroup_folders(root / mount, line.path)) {
            const auto quota = read_text(folder / "cpu.cfs_quota_us");
            const auto period = read_text(folder / "cpu.cfs_period_us");
            if (quota && period) limit = tighter(limit, cpus_of_cfs_quota(*quota, *period));
        }
        return limit;
    }
    return std::nullopt;
}

}  // namespace

std::optional<unsigned> cpus_of_cpu_max(std::string_view text) {
    text = trimmed(text);
    const auto space = text.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    const auto quota = whole_number(text.substr(0, space));  // "max": none
    const auto period = whole_number(text.substr(space + 1));
    if (!quota || !period) return std::nullopt;
    return quota_cpus(*quota, *period);
}

std::optional<unsigned> cpus_of_cfs_quota(std::string_view quota, std::string_view period) {
    const auto q = whole_number(quota);
    const auto p = whole_number(period);
    if (!q || !p) return std::nullopt;
    return quota_cpus(*q, *p);
}

std::optional<unsigned> cgroup_cpu_limit(const std::filesystem::path& root,
                                         std::string_view self_cgroup) {
    std::optional<unsigned> limit;
    while (!self_cgroup.empty()) {
        const auto end = self_cgroup.find('\n');
        const auto line = parse_line(self_cgroup.substr(0, end));
        self_cgroup.remove_prefix(end == std::string_view::npos ? self_cgroup.size() : end + 1);
        if (!line) continue;
        if (line->controllers.empty()) {
            limit =
                tighter(limit, v2_limit(root, line->path));  // "0::/path": the unified hierarchy
        } else if (names_cpu_controller(line->controllers)) {
            limit = tighter(limit, v1_limit(root, *line));
        }
    }
    return limit;
}

unsigned usable_cpus(unsigned affinity_cpus, std::optional<unsigned> quota_cpus) {
    const unsigned cpus = std::max(1u, affinity_cpus);
    return quota_cpus ? std::max(1u, std::min(cpus, *quota_cpus)) : cpus;
}

unsigned usable_cpus() {
    unsigned affinity = std::thread::hardware_concurrency();
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        affinity = static_cast<unsigned>(CPU_COUNT(&set));
    const auto self = read_text("/proc/self/cgroup");
    return usable_cpus(affinity, self ? cgroup_cpu_limit("/sys/fs/cgroup", *self) : std::nullopt);
}

}  // namespace swarm::worker
