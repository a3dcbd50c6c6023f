#include "tests/support/h2_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace swarm::test {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// A port the kernel just had free on 127.0.0.1 (nghttpd takes no port 0).
unsigned short free_port() {
    net::io_context ioc;
    tcp::acceptor a(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    return a.local_endpoint().port();
}

// Debian puts it in /usr/sbin, which a user's PATH may lack.
std::string nghttpd_path() {
    for (const char* p : {"/usr/sbin/nghttpd", "/usr/bin/nghttpd"}) {
        if (std::filesystem::exists(p)) return p;
    }
    return {};
}

bool accepts(unsigned short port) {
    net::io_context ioc;
    tcp::socket s(ioc);
    boost::system::error_code ec;
    s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
    return !ec;
}

}  // namespace

int h2_test_server::wait_requests(int n, std::chrono::milliseconds limit) const {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (requests() < n && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return requests();
}

bool nghttpd_server::available() {
    return !nghttpd_path().empty();
}

nghttpd_server::nghttpd_server(bool tls) : tls_(tls) {
    docroot_ = std::filesystem::temp_directory_path() /
               ("swarm-h2-" + std::to_string(::getpid()) + "-" + std::to_string(free_port()));
    std::filesystem::create_directories(docroot_);
    std::ofstream(docroot_ + "/index.html") << "hello h2\n";
    std::ofstream(docroot_ + "/big.bin") << std::string(256 * 1024, 'x');
    std::vector<std::string> argv = {nghttpd_path(), "-v", "--echo-upload", "-a",
                                     "127.0.0.1",    "-d", docroot_};
    if (!tls_) argv.emplace_back("--no-tls");
    port_ = free_port();
    argv.push_back(std::to_string(port_));
    if (tls_) {
        pki_ = std::make_unique<test_pki>();
        argv.push_back(pki_->server_key);
        argv.push_back(pki_->server_pem);
    }
    process_ = std::make_unique<child_process>(argv);
    for (int i = 0; i < 500 && !accepts(port_); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!accepts(port_)) throw std::runtime_error("nghttpd did not listen on " + url("/"));
}

nghttpd_server::~nghttpd_server() {
    process_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(docroot_, ignored);
}

std::string nghttpd_server::url(const std::string& path) const {
    return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_) + path;
}

int nghttpd_server::requests() const {
    int n = 0;
    for (const auto& line : process_->lines()) {
        if (line.find(") :method: ") != std::string::npos &&
            line.find("recv (stream_id=") != std::string::npos) {
            ++n;
        }
    }
    return n;
}

std::unique_ptr<h2_test_server> make_h2_server(const std::string& name) {
    if (name == "nghttpd-h2c") return std::make_unique<nghttpd_server>(false);
    if (name == "nghttpd-tls") return std::make_unique<nghttpd_server>(true);
    throw std::invalid_argument("unknown HTTP/2 test server '" + name + "'");
}

}  // namespace swarm::test
