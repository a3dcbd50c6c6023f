#include "tests/support/h2_server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/parse.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "tests/support/free_port.hpp"
#include "tests/support/http_client.hpp"

namespace swarm::test {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Debian puts them in /usr/sbin, which a user's PATH may lack.
std::string sbin_path(const std::string& program) {
    for (const char* dir : {"/usr/sbin/", "/usr/bin/"}) {
        std::string path = dir + program;
        if (std::filesystem::exists(path)) return path;
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

void wait_listening(const std::string& name, unsigned short port) {
    for (int i = 0; i < 500 && !accepts(port); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!accepts(port)) {
        throw std::runtime_error(name + " did not listen on 127.0.0.1:" + std::to_string(port));
    }
}

// A fresh directory under the test's temporary one.
std::string fresh_dir(const std::string& stem) {
    std::string dir = ::testing::TempDir() + stem + "-" + std::to_string(::getpid()) + "-" +
                      std::to_string(free_port());
    std::filesystem::create_directories(dir);
    return dir;
}

// The files nghttpd and nginx serve.
void write_site(const std::string& docroot) {
    std::ofstream(docroot + "/index.html") << "hello h2\n";
    std::ofstream(docroot + "/big.bin") << std::string(256 * 1024, 'x');
}

const h2_test_routes static_site_routes{.page = "/index.html",
                                        .page_text = "hello h2",
                                        .big = "/big.bin",
                                        .post = "/echo",
                                        .echo = "/echo"};

}  // namespace

int h2_test_server::wait_requests(int n, std::chrono::milliseconds limit) const {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (requests() < n && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return requests();
}

// --- nghttpd ----------------------------------------------------------------

bool nghttpd_server::available() {
    return !sbin_path("nghttpd").empty();
}

nghttpd_server::nghttpd_server(bool tls) : docroot_(fresh_dir("swarm-h2")) {
    write_site(docroot_);
    std::vector<std::string> argv = {sbin_path("nghttpd"), "-v", "--echo-upload", "-a",
                                     "127.0.0.1",          "-d", docroot_};
    if (!tls) argv.emplace_back("--no-tls");
    port_ = free_port();
    argv.push_back(std::to_string(port_));
    if (tls) {
        pki_ = std::make_unique<test_pki>();
        argv.push_back(pki_->server_key);
        argv.push_back(pki_->server_pem);
    }
    process_ = std::make_unique<child_process>(argv);
    wait_listening("nghttpd", port_);
}

nghttpd_server::~nghttpd_server() {
    process_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(docroot_, ignored);
}

std::string nghttpd_server::url(const std::string& path) const {
    return (pki_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_) + path;
}

const h2_test_routes& nghttpd_server::routes() const {
    return static_site_routes;
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

// --- swarm target -----------------------------------------------------------

namespace {

std::unique_ptr<test_pki> pki_if(bool tls) {
    return tls ? std::make_unique<test_pki>() : nullptr;
}

std::vector<std::string> tls_args(const test_pki* pki) {
    if (!pki) return {};
    return {"--tls-cert", pki->server_pem, "--tls-key", pki->server_key};
}

// A counter of the target's /__stats (asked over HTTP/1.1, which it does not count).
int target_stat(const std::string& url, const char* key, const char* sub = nullptr) {
    const auto res = http_get(url + "/__stats");
    if (res.status != 200) throw std::runtime_error(url + "/__stats answered " + res.body);
    const auto stats = boost::json::parse(res.body);
    const auto& value = stats.as_object().at(key);
    return (sub ? value.as_object().at(sub) : value).to_number<int>();
}

}  // namespace

target_h2_server::target_h2_server(bool tls)
    : pki_(pki_if(tls)), target_(start_target(tls_args(pki_.get()))) {}

const h2_test_routes& target_h2_server::routes() const {
    static const h2_test_routes routes{.page = "/about",
                                       .page_text = "About us",
                                       .big = "/bytes/262144",
                                       .post = "/echo",
                                       .echo = "/echo"};
    return routes;
}

int target_h2_server::requests() const {
    return target_stat(target_.url, "total");
}

int target_h2_server::h2_requests() const {
    return target_stat(target_.url, "protocols", "h2");
}

// --- nginx ------------------------------------------------------------------

bool nginx_server::available() {
    return !sbin_path("nginx").empty();
}

nginx_server::nginx_server() : prefix_(fresh_dir("swarm-nginx")), port_(free_port()) {
    std::filesystem::create_directories(prefix_ + "/www");
    write_site(prefix_ + "/www");
    // As root its workers would run as nobody, who may not enter the test's
    // directories: they run as root too (as another user, as that user).
    std::ofstream(prefix_ + "/nginx.conf")
        << (::geteuid() == 0 ? "user root;\n" : "")
        << "worker_processes 1;\ndaemon off;\nerror_log stderr error;\n"
        << "pid " << prefix_ << "/nginx.pid;\n"
        << "events { worker_connections 512; }\n"
        << "http {\n"
        << "  log_format swarm_test '$server_protocol $request_method $uri $status';\n"
        << "  access_log " << prefix_ << "/access.log swarm_test;\n"
        << "  client_body_temp_path " << prefix_ << "/body;\n"
        << "  proxy_temp_path " << prefix_ << "/proxy;\n"
        << "  fastcgi_temp_path " << prefix_ << "/fastcgi;\n"
        << "  uwsgi_temp_path " << prefix_ << "/uwsgi;\n"
        << "  scgi_temp_path " << prefix_ << "/scgi;\n"
        << "  server {\n"
        << "    listen 127.0.0.1:" << port_ << " ssl http2;\n"
        << "    ssl_certificate " << pki_.server_pem << ";\n"
        << "    ssl_certificate_key " << pki_.server_key << ";\n"
        << "    root " << prefix_ << "/www;\n"
        << "    log_not_found off;\n"
        << "    location = /post { return 200 \"posted\\n\"; }\n"
        << "  }\n"
        << "}\n";
    process_ = std::make_unique<child_process>(
        std::vector<std::string>{sbin_path("nginx"), "-p", prefix_, "-c", prefix_ + "/nginx.conf"});
    wait_listening("nginx", port_);
}

nginx_server::~nginx_server() {
    process_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(prefix_, ignored);
}

std::string nginx_server::url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(port_) + path;
}

const h2_test_routes& nginx_server::routes() const {
    static const h2_test_routes routes{.page = "/index.html",
                                       .page_text = "hello h2",
                                       .big = "/big.bin",
                                       .post = "/post",
                                       .echo = ""};  // it has no echo
    return routes;
}

namespace {

// Lines of an access log, and those that start with `protocol` ("" for all).
int log_lines(const std::string& path, const std::string& protocol) {
    std::ifstream in(path);
    int n = 0;
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with(protocol + (protocol.empty() ? "" : " "))) ++n;
    }
    return n;
}

}  // namespace

int nginx_server::requests() const {
    return log_lines(prefix_ + "/access.log", "");
}

int nginx_server::h2_requests() const {
    return log_lines(prefix_ + "/access.log", "HTTP/2.0");
}

// --- by name ----------------------------------------------------------------

std::string h2_server_test_name(std::string name) {
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

std::unique_ptr<h2_test_server> make_h2_server(const std::string& name) {
    if (name == "nghttpd-h2c") return std::make_unique<nghttpd_server>(false);
    if (name == "nghttpd-tls") return std::make_unique<nghttpd_server>(true);
    if (name == "target-h2c") return std::make_unique<target_h2_server>(false);
    if (name == "target-tls") return std::make_unique<target_h2_server>(true);
    if (name == "nginx-tls") return std::make_unique<nginx_server>();
    throw std::invalid_argument("unknown HTTP/2 test server '" + name + "'");
}

std::string h2_server_missing(const std::string& name) {
    if (name.starts_with("nghttpd") && !nghttpd_server::available()) {
        return "nghttpd (nghttp2-server) missing";
    }
    if (name.starts_with("nginx") && !nginx_server::available()) {
        return "nginx missing (scripts/install-deps installs it)";
    }
    return {};
}

}  // namespace swarm::test
