#pragma once
// How many CPUs this process may really use: the default of --threads. A
// container asking for 1 CPU on a 64-core node sees 64 cores through
// hardware_concurrency() but gets one core's worth of time; 64 threads then
// only add context switches. The answer is the smallest of the CPU affinity
// mask (sched_getaffinity: taskset, cpusets) and the cgroup CPU quota
// (v2 cpu.max, or v1 cpu.cfs_quota_us / cpu.cfs_period_us), rounded up.
//
// The parsing is pure over text and a folder, so tests run it on fixture
// files; usable_cpus() reads the real /proc and /sys. Any thread.

#include <filesystem>
#include <optional>
#include <string_view>

namespace swarm::worker {

// A cgroup v2 cpu.max ("150000 100000" → 2, "max 100000" → nullopt):
// ceil(quota / period), at least 1; nullopt when unlimited or unreadable.
std::optional<unsigned> cpus_of_cpu_max(std::string_view text);

// cgroup v1: cpu.cfs_quota_us ("-1" = unlimited) over cpu.cfs_period_us.
std::optional<unsigned> cpus_of_cfs_quota(std::string_view quota, std::string_view period);

// The tightest CPU quota on the cgroup that /proc/self/cgroup (`self_cgroup`,
// its text) names, read from the cgroup filesystem mounted at `root`
// (/sys/fs/cgroup): v2 takes every ancestor's cpu.max into account; v1 the
// cpu controller's folder. A folder missing under `root` (a container that
// sees only its own cgroup there) falls back to the mount's top.
std::optional<unsigned> cgroup_cpu_limit(const std::filesystem::path& root,
                                         std::string_view self_cgroup);

// min(affinity_cpus, the quota), at least 1; affinity 0 (unknown) counts as 1.
unsigned usable_cpus(unsigned affinity_cpus, std::optional<unsigned> quota_cpus);

// This process's: sched_getaffinity, /proc/self/cgroup under /sys/fs/cgroup.
unsigned usable_cpus();

}  // namespace swarm::worker
