// --threads' default (worker/usable_cpus.hpp): the CPU quota of the cgroup
// the process is in, read from fixture trees laid out as /sys/fs/cgroup is
// (tests/cli/fixtures/cgroup), and the affinity mask bounding it.
#include "worker/usable_cpus.hpp"

#include <gtest/gtest.h>
#include <sched.h>

#include <string>

namespace swarm::worker {
namespace {

std::filesystem::path fixture(const std::string& name) {
    return std::filesystem::path(SWARM_SOURCE_DIR) / "tests/cli/fixtures/cgroup" / name;
}

TEST(usable_cpus_test, cpu_max_is_quota_over_period_rounded_up) {
    EXPECT_EQ(cpus_of_cpu_max("100000 100000\n"), 1u);
    EXPECT_EQ(cpus_of_cpu_max("150000 100000\n"), 2u);
    EXPECT_EQ(cpus_of_cpu_max("50000 100000"), 1u);  // half a CPU still runs one thread
    EXPECT_EQ(cpus_of_cpu_max("6400000 100000"), 64u);
    EXPECT_EQ(cpus_of_cpu_max("max 100000\n"), std::nullopt);
    EXPECT_EQ(cpus_of_cpu_max(""), std::nullopt);
    EXPECT_EQ(cpus_of_cpu_max("garbage"), std::nullopt);
    EXPECT_EQ(cpus_of_cpu_max("0 100000"), std::nullopt);
}

TEST(usable_cpus_test, cfs_quota_minus_one_is_unlimited) {
    EXPECT_EQ(cpus_of_cfs_quota("-1\n", "100000\n"), std::nullopt);
    EXPECT_EQ(cpus_of_cfs_quota("200000\n", "100000\n"), 2u);
    EXPECT_EQ(cpus_of_cfs_quota("250000", "100000"), 3u);
    EXPECT_EQ(cpus_of_cfs_quota("200000", "x"), std::nullopt);
}

TEST(usable_cpus_test, v2_takes_the_tightest_quota_along_the_path) {
    // kubepods 4 CPUs, pod unlimited, container 1.5: 2.
    EXPECT_EQ(cgroup_cpu_limit(fixture("v2"), "0::/kubepods/pod/ctr\n"), 2u);
    // The parent's 1 CPU bounds an unlimited child.
    EXPECT_EQ(cgroup_cpu_limit(fixture("v2"), "0::/limited/child\n"), 1u);
    EXPECT_EQ(cgroup_cpu_limit(fixture("v2"), "0::/kubepods\n"), 4u);
}

TEST(usable_cpus_test, v2_in_its_own_cgroup_namespace_reads_the_mount_top) {
    EXPECT_EQ(cgroup_cpu_limit(fixture("v2-namespaced"), "0::/\n"), 3u);
    // A host path the container cannot see: the mount's top is its cgroup.
    EXPECT_EQ(cgroup_cpu_limit(fixture("v2-namespaced"), "0::/system.slice/docker-1.scope\n"), 3u);
}

TEST(usable_cpus_test, v1_reads_the_cpu_controller_folder) {
    const std::string hybrid = "12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n0::/\n";
    EXPECT_EQ(cgroup_cpu_limit(fixture("v1"), hybrid), 2u);
    EXPECT_EQ(cgroup_cpu_limit(fixture("v1"), "4:cpu,cpuacct:/docker/free\n"), std::nullopt);
    // Other controllers do not count.
    EXPECT_EQ(cgroup_cpu_limit(fixture("v1"), "4:cpuacct:/docker/abc\n"), std::nullopt);
}

TEST(usable_cpus_test, no_cgroup_information_means_no_limit) {
    EXPECT_EQ(cgroup_cpu_limit(fixture("v2"), ""), std::nullopt);
    EXPECT_EQ(cgroup_cpu_limit(fixture("missing"), "0::/\n"), std::nullopt);
    EXPECT_EQ(cgroup_cpu_limit(fixture("v2"), "not a cgroup line"), std::nullopt);
}

TEST(usable_cpus_test, the_smaller_of_affinity_and_quota_and_at_least_one) {
    EXPECT_EQ(usable_cpus(64, 1u), 1u);  // 1 CPU asked for on a 64-core node
    EXPECT_EQ(usable_cpus(2, 8u), 2u);   // taskset -c 0,1 under a larger quota
    EXPECT_EQ(usable_cpus(8, std::nullopt), 8u);
    EXPECT_EQ(usable_cpus(0, std::nullopt), 1u);
    EXPECT_EQ(usable_cpus(4, 0u), 1u);
}

TEST(usable_cpus_test, this_process_gets_at_least_one_and_no_more_than_its_affinity) {
    cpu_set_t set;
    CPU_ZERO(&set);
    ASSERT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
    const auto n = usable_cpus();
    EXPECT_GE(n, 1u);
    EXPECT_LE(n, static_cast<unsigned>(CPU_COUNT(&set)));
}

}  // namespace
}  // namespace swarm::worker
