// The tcp transport over IPv6 loopback: a master bound to [::1] hears a
// worker that connects to [::1], and the worker hears its welcome. Needs ::1
// on the loopback interface; says so and skips when the machine has none.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include <zmq.hpp>

#include "proto/address.hpp"
#include "proto/transport.hpp"
#include "tests/support/ipv6.hpp"

namespace swarm::proto {
namespace {

using namespace std::chrono_literals;

TEST(ipv6_transport_test, a_worker_reaches_a_master_bound_to_ipv6_loopback) {
    if (!test::has_ipv6_loopback()) GTEST_SKIP() << "no ::1 on this machine";
    zmq::context_t ctx;
    const auto bind = parse_tcp_address("[::1]:0", address_use::bind);
    ASSERT_TRUE(bind) << bind.error().message;
    master_endpoint master(ctx, *bind);
    const std::string bound = master.bound_endpoint();
    ASSERT_THAT(bound, ::testing::StartsWith("tcp://[::1]:"));

    // The worker side goes through the same parser `swarm worker --master` uses.
    const auto port = bound.substr(bound.rfind(':') + 1);
    const auto target = parse_tcp_address("[::1]:" + port, address_use::connect);
    ASSERT_TRUE(target) << target.error().message;
    worker_endpoint worker(ctx, *target, "w6");
    hello h;
    h.host = "v6-host";
    h.name = "v6";
    worker.send(h);

    const auto in = master.receive(10s);
    ASSERT_TRUE(in) << "the master heard nothing over [::1]";
    ASSERT_TRUE(std::holds_alternative<hello>(in->body));
    EXPECT_EQ(std::get<hello>(in->body).name, "v6");
    master.send(in->worker, welcome{7});
    const auto reply = worker.receive(10s);
    ASSERT_TRUE(reply) << "the worker heard nothing over [::1]";
    ASSERT_TRUE(std::holds_alternative<welcome>(*reply));
    EXPECT_EQ(std::get<welcome>(*reply).index, 7u);
}

// "*" binds every interface of both families: an IPv4 and an IPv6 worker
// reach the same master.
TEST(ipv6_transport_test, a_master_bound_to_every_interface_hears_both_families) {
    if (!test::has_ipv6_loopback()) GTEST_SKIP() << "no ::1 on this machine";
    zmq::context_t ctx;
    master_endpoint master(ctx, parse_tcp_address("*:0", address_use::bind).value());
    const std::string bound = master.bound_endpoint();
    const auto port = bound.substr(bound.rfind(':') + 1);
    worker_endpoint v4(ctx, parse_tcp_address("127.0.0.1:" + port, address_use::connect).value(),
                       "w4");
    worker_endpoint v6(ctx, parse_tcp_address("[::1]:" + port, address_use::connect).value(), "w6");
    v4.send(hello{});
    v6.send(hello{});
    std::set<std::string> heard;
    for (int i = 0; i < 2; ++i) {
        const auto in = master.receive(10s);
        ASSERT_TRUE(in) << "heard only " << heard.size() << " of 2 workers on " << bound;
        heard.insert(in->worker);
    }
    EXPECT_EQ(heard, (std::set<std::string>{"w4", "w6"}));
}

// An IPv4 bind keeps naming itself in IPv4 (what `swarm master` prints and
// workers are told to connect to).
TEST(ipv6_transport_test, an_ipv4_master_names_its_address_in_ipv4) {
    zmq::context_t ctx;
    master_endpoint master(ctx, parse_tcp_address("127.0.0.1:0", address_use::bind).value());
    EXPECT_THAT(master.bound_endpoint(), ::testing::StartsWith("tcp://127.0.0.1:"));
}

}  // namespace
}  // namespace swarm::proto
