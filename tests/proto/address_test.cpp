// `swarm worker --master` and `swarm master --bind`: every form users write,
// the endpoint each becomes, and a named error for everything else.
#include <gtest/gtest.h>

#include "proto/address.hpp"

namespace swarm::proto {
namespace {

using cases = std::vector<std::pair<const char*, const char*>>;

void expect_endpoints(const cases& list, address_use use) {
    for (const auto& [text, endpoint] : list) {
        const auto a = parse_tcp_address(text, use);
        ASSERT_TRUE(a) << text << " gave: " << a.error().message;
        EXPECT_EQ(*a, endpoint) << text;
    }
}

void expect_errors(const cases& list, address_use use) {
    for (const auto& [text, reason] : list) {
        const auto a = parse_tcp_address(text, use);
        ASSERT_FALSE(a) << text << " gave: " << *a;
        EXPECT_NE(a.error().message.find(reason), std::string::npos)
            << text << " gave: " << a.error().message;
    }
}

TEST(address_test, a_worker_accepts_host_port_ipv6_and_tcp_forms) {
    expect_endpoints({{"10.0.0.5", "tcp://10.0.0.5:5557"},
                      {"10.0.0.5:6000", "tcp://10.0.0.5:6000"},
                      {"master", "tcp://master:5557"},
                      {"swarm-master.load.svc.cluster.local:5557",
                       "tcp://swarm-master.load.svc.cluster.local:5557"},
                      {"[::1]:5557", "tcp://[::1]:5557"},
                      {"[::1]", "tcp://[::1]:5557"},
                      {"[fd00::1:2]:9", "tcp://[fd00::1:2]:9"},
                      {"tcp://127.0.0.1:65535", "tcp://127.0.0.1:65535"},
                      {"tcp://master", "tcp://master:5557"},
                      {"tcp://[::1]:1", "tcp://[::1]:1"}},
                     address_use::connect);
}

TEST(address_test, a_worker_refuses_anything_else_with_a_reason) {
    expect_errors({{"", "no host"},
                   {"tcp://", "no host"},
                   {"nonsense::", "too many ':'"},
                   {"host:", "no port"},
                   {"::1", "too many ':'"},
                   {"a:b:c", "too many ':'"},
                   {"host:port", "'port' is not a number"},
                   {"host:-1", "'-1' is not a number"},
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
                   {"*:5557", "not a host name"}},
                  address_use::connect);
}

TEST(address_test, a_master_binds_every_interface_any_port_and_ipv6) {
    expect_endpoints({{"0.0.0.0:5557", "tcp://0.0.0.0:5557"},
                      {":6000", "tcp://0.0.0.0:6000"},
                      {"", "tcp://0.0.0.0:5557"},
                      {"*:5557", "tcp://*:5557"},
                      {"127.0.0.1:0", "tcp://127.0.0.1:*"},
                      {"127.0.0.1", "tcp://127.0.0.1:5557"},
                      {"[::1]:0", "tcp://[::1]:*"},
                      {"[::]:5557", "tcp://[::]:5557"},
                      {"tcp://127.0.0.1:7000", "tcp://127.0.0.1:7000"},
                      {"eth0:5557", "tcp://eth0:5557"}},
                     address_use::bind);
}

TEST(address_test, a_master_refuses_a_bad_bind_with_a_reason) {
    expect_errors({{"127.0.0.1:65536", "not between 0 and 65535"},
                   {"127.0.0.1:x", "not a number"},
                   {"::1:5557", "too many ':'"},
                   {"[::1", "without ']'"},
                   {"inproc://x", "only tcp://"},
                   {"bad host:1", "not a host name"}},
                  address_use::bind);
}

}  // namespace
}  // namespace swarm::proto
