#include "tests/support/ipv6.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace swarm::test {

bool has_ipv6_loopback() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor probe(io);
    boost::system::error_code ec;
    probe.open(boost::asio::ip::tcp::v6(), ec);
    if (!ec) probe.bind({boost::asio::ip::address_v6::loopback(), 0}, ec);
    return !ec;
}

}  // namespace swarm::test
