#include "tests/support/free_port.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <stdexcept>

namespace swarm::test {
namespace {

// The low end of the ephemeral range (Linux's default when unreadable).
int ephemeral_low() {
    std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
    int low = 0;
    if (range >> low && low > 2048) return low;
    return 32768;
}

// Binds 127.0.0.1:port (or the kernel's choice for 0); the port bound, or 0.
std::uint16_t try_bind(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    socklen_t len = sizeof a;
    std::uint16_t bound = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
        bound = ntohs(a.sin_port);
    }
    ::close(fd);
    return bound;
}

}  // namespace

std::uint16_t free_port() {
    const int high = ephemeral_low();  // exclusive
    const int low = high / 2;
    thread_local std::mt19937 random{std::random_device{}()};
    std::uniform_int_distribution<int> pick(low, high - 1);
    for (int attempt = 0; attempt < 200; ++attempt) {
        if (const auto port = try_bind(static_cast<std::uint16_t>(pick(random)))) return port;
    }
    // A band full of listeners: the kernel's choice is still better than none.
    if (const auto port = try_bind(0)) return port;
    throw std::runtime_error("free_port: no free port on 127.0.0.1");
}

}  // namespace swarm::test
