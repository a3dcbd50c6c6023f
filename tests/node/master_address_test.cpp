// `swarm worker --master`: every form users write, and a named error for
// everything else.
#include <gtest/gtest.h>

#include "worker/master_address.hpp"

namespace swarm::worker {
namespace {

TEST(master_address_test, accepts_host_port_ipv6_and_tcp_forms) {
    const std::pair<const char*, const char*> cases[] = {
        {"10.0.0.5", "tcp://10.0.0.5:5557"},
        {"10.0.0.5:6000", "tcp://10.0.0.5:6000"},
        {"master", "tcp://master:5557"},
        {"swarm-master.load.svc.cluster.local:5557", "tcp://swarm-master.load.svc.cluster.local:5557"},
        {"[::1]:5557", "tcp://[::1]:5557"},
        {"[::1]", "tcp://[::1]:5557"},
        {"[fd00::1:2]:9", "tcp://[fd00::1:2]:9"},
        {"tcp://127.0.0.1:65535", "tcp://127.0.0.1:65535"},
        {"tcp://master", "tcp://master:5557"},
        {"tcp://[::1]:1", "tcp://[::1]:1"},
    };
    for (const auto& [text, endpoint] : cases) {
        const auto a = parse_master_address(text);
        EXPECT_EQ(a.endpoint, endpoint) << text;
        EXPECT_EQ(a.error, "") << text;
    }
}

TEST(master_address_test, refuses_anything_else_with_a_reason) {
    const std::pair<const char*, const char*> cases[] = {
        {"", "no host"},
        {"tcp://", "no host"},
        {"nonsense::", "too many ':'"},
        {"host:", "no port"},
        {"::1", "too many ':'"},
        {"a:b:c", "too many ':'"},
        {"host:port", "'port' is not a number"},
        {"host:0", "not between 1 and 65535"},
        {"host:65536", "not between 1 and 65535"},
        {"host:123456", "is not a number"},
        {"[::1", "without ']'"},
        {"[::1]5557", "after ']'"},
        {"[::1]:", "no port"},
        {"[nothex]:1", "not an IPv6 address"},
        {"ipc:///tmp/x", "only tcp://"},
        {"inproc://swarm", "only tcp://"},
        {"host name", "not a host name"},
        {"-rf", "not a host name"},
        {":5557", "not a host name"},
    };
    for (const auto& [text, reason] : cases) {
        const auto a = parse_master_address(text);
        EXPECT_EQ(a.endpoint, "") << text;
        EXPECT_NE(a.error.find(reason), std::string::npos) << text << " gave: " << a.error;
    }
}

}  // namespace
}  // namespace swarm::worker
