#include "tests/support/hostile_server.hpp"

#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <sys/socket.h>

namespace swarm::test {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct hostile_server::connection {
    hostile_connection conn;
    int fd;  // for shutdown() from the destructor, which unblocks the thread's reads
    std::thread thread;

    connection(tcp::socket s, hostile_server& server)
        : conn(std::move(s), server), fd(conn.socket().native_handle()) {}
};

hostile_connection::hostile_connection(tcp::socket socket, hostile_server& server)
    : socket_(std::move(socket)), server_(server) {}

bool hostile_connection::read_request(std::string* head) {
    net::streambuf buf(1 << 20);  // a head beyond 1 MiB is not a request we send
    boost::system::error_code ec;
    const auto n = net::read_until(socket_, buf, "\r\n\r\n", ec);
    if (ec) return false;
    std::string text(net::buffers_begin(buf.data()),
                     net::buffers_begin(buf.data()) + static_cast<std::ptrdiff_t>(n));
    const auto cl = text.find("Content-Length: ");
    if (cl != std::string::npos) {
        const auto length = std::stoul(text.substr(cl + 16));
        const auto have = buf.size() - n;
        std::string rest(length > have ? length - have : 0, '\0');
        if (!rest.empty()) net::read(socket_, net::buffer(rest), ec);
    }
    ++server_.requests_;
    if (head) *head = std::move(text);
    return true;
}

bool hostile_connection::send(const std::string& bytes) {
    boost::system::error_code ec;
    net::write(socket_, net::buffer(bytes), ec);
    return !ec;
}

void hostile_connection::drip(const std::string& piece, std::chrono::milliseconds every) {
    while (!stopping() && send(piece)) std::this_thread::sleep_for(every);
}

bool hostile_connection::stopping() const {
    return server_.stop_;
}

hostile_server::hostile_server(behaviour b)
    : acceptor_(ioc_, {net::ip::make_address("127.0.0.1"), 0}), behaviour_(std::move(b)) {
    thread_ = std::thread([this] { serve(); });
}

// Wakes a blocking accept with a connection of our own. Asio throws only when
// no socket can be made at all; then there is nothing better to do here.
void hostile_server::wake_accept() noexcept {
    try {
        net::io_context wake_ioc;
        tcp::socket wake(wake_ioc);
        boost::system::error_code ec;
        wake.connect({net::ip::make_address("127.0.0.1"), port_number()}, ec);
    } catch (...) {
    }
}

hostile_server::~hostile_server() {
    stop_ = true;
    wake_accept();
    thread_.join();
    std::lock_guard lock(mutex_);
    for (auto& c : connections_) ::shutdown(c->fd, SHUT_RDWR);
    for (auto& c : connections_) c->thread.join();
}

std::uint16_t hostile_server::port_number() const {
    return acceptor_.local_endpoint().port();
}

std::string hostile_server::url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_number()) + path;
}

void hostile_server::serve() {
    while (!stop_) {
        tcp::socket socket(ioc_);
        boost::system::error_code ec;
        acceptor_.accept(socket, ec);
        if (ec || stop_) return;
        ++accepted_;
        std::lock_guard lock(mutex_);
        auto& c = connections_.emplace_back(std::make_unique<connection>(std::move(socket), *this));
        c->thread = std::thread([this, conn = &c->conn, fd = c->fd] {
            behaviour_(*conn);
            // The peer sees the close now; the descriptor itself stays open
            // until the destructor, so its shutdown() never hits a reused one.
            ::shutdown(fd, SHUT_RDWR);
        });
    }
}

}  // namespace swarm::test
