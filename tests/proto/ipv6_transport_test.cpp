// The tcp transport over IPv6 loopback: a master bound to [::1] hears a
// worker that connects to [::1], and the worker hears its welcome. Needs ::1
// on the loopback interface; says so and skips when the machine has none.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>

#include <zmq.hpp>

#include "proto/address.hpp"
#include "proto/transport.hpp"

namespace swarm::proto {
namespace {

using namespace std::chrono_literals;

bool has_ipv6_loopback() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor probe(io);
    boost::system::error_code ec;
    probe.open(boost::asio::ip::tcp::v6(), ec);
    if (!ec) probe.bind({boost::asio::ip::address_v6::loopback(), 0}, ec);
    return !ec;
}

TEST(ipv6_transport_test, a_worker_reaches_a_master_bound_to_ipv6_loopback) {
    if (!has_ipv6_loopback()) GTEST_SKIP() << "no ::1 on this machine";
    zmq::context_t ctx;
    const auto bind = parse_tcp_address("[::1]:0", address_use::bind);
    ASSERT_EQ(bind.error, "");
    master_endpoint master(ctx, bind.endpoint);
    const std::string bound = master.bound_endpoint();
    ASSERT_THAT(bound, ::testing::StartsWith("tcp://[::1]:"));

    // The worker side goes through the same parser `swarm worker --master` uses.
    const auto port = bound.substr(bound.rfind(':') + 1);
    const auto target = parse_tcp_address("[::1]:" + port, address_use::connect);
    ASSERT_EQ(target.error, "");
    worker_endpoint worker(ctx, target.endpoint, "w6");
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

}  // namespace
}  // namespace swarm::proto
