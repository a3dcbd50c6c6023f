#include "bench/fanin/http_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>

namespace swarm::bench {

namespace {

std::optional<probe_result> exchange(int port, const std::string& request) {
    const auto start = std::chrono::steady_clock::now();
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::nullopt;
    timeval deadline{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &deadline, sizeof deadline);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &deadline, sizeof deadline);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string response;
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ok = ok && ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
                   static_cast<ssize_t>(request.size());
    char buf[16384];
    for (ssize_t n = 0; ok && (n = ::recv(fd, buf, sizeof buf, 0)) != 0;) {
        if (n < 0) ok = false;
        else response.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    probe_result r;
    if (!ok || std::sscanf(response.c_str(), "HTTP/1.%*d %d", &r.status) != 1) return std::nullopt;
    r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    r.bytes = response.size();
    if (const auto end = response.find("\r\n\r\n"); end != std::string::npos)
        r.body = response.substr(end + 4);
    return r;
}

}  // namespace

std::optional<probe_result> http_get(int port, const std::string& path) {
    return exchange(port,
                    "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
}

std::optional<probe_result> http_post_form(int port, const std::string& path,
                                           const std::string& form) {
    return exchange(port,
                    "POST " + path +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                        std::to_string(form.size()) + "\r\n\r\n" + form);
}

}  // namespace swarm::bench
