#include "tests/web/web_support.hpp"

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/parse.hpp>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

namespace swarm::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

running_ui start_ui(const std::string& scenario, const std::vector<std::string>& args) {
    std::vector<std::string> argv{swarm_binary(), "run", scenario, "--web-port", "0",
                                  "--threads",    "1"};
    argv.insert(argv.end(), args.begin(), args.end());
    running_ui ui;
    ui.process = std::make_unique<child_process>(argv);
    const std::string prefix = "swarm: web UI at ";
    const auto line = ui.process->wait_for_line(prefix, std::chrono::seconds(30));
    if (!line) {
        std::string seen;
        for (const auto& l : ui.process->lines()) seen += l + "\n";
        throw std::runtime_error("no web UI line from swarm run; it printed:\n" + seen);
    }
    ui.url = line->substr(prefix.size());
    const auto slash = ui.url.find('/', ui.url.find("://") + 3);
    ui.origin = ui.url.substr(0, slash);
    ui.base = ui.url.substr(slash, ui.url.size() - slash - 1);
    return ui;
}

std::string simple_scenario() {
    auto path = ::testing::TempDir() + "/web_simple.yaml";
    // ctest runs each test in its own process, several at once, all writing
    // this file: write aside and rename, so a reader never sees it half written.
    const auto aside = path + "." + std::to_string(::getpid());
    std::ofstream(aside) << R"y(
users:
  Browser:
    wait: {constant: 20ms}
    tasks:
      home: {weight: 3, get: /, name: home}
      about: {weight: 1, get: /about, name: about}
)y";
    std::filesystem::rename(aside, path);
    return path;
}

boost::json::value json_of(const http_response& r) {
    boost::system::error_code ec;
    auto v = boost::json::parse(r.body, ec);
    return ec ? boost::json::value() : v;
}

boost::json::value poll_json(http_client& client, const std::string& target,
                             const std::function<bool(const boost::json::value&)>& done,
                             std::chrono::milliseconds timeout, const header_list& headers) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    boost::json::value doc;
    for (;;) {
        http_request req;
        req.target = target;
        req.headers = headers;
        doc = json_of(client.request(req));
        if (done(doc) || std::chrono::steady_clock::now() > until) return doc;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

boost::json::value stop_and_wait(http_client& client) {
    const auto r = client.get("/stop");
    EXPECT_EQ(r.status, 200) << r.body;
    return poll_json(
        client, "/stats/requests",
        [](const boost::json::value& d) { return d.at("state").as_string() == "stopped"; },
        std::chrono::seconds(20));
}

const boost::json::object& aggregated(const boost::json::value& requests) {
    return requests.at("stats").as_array().back().as_object();
}

namespace {

void connect_with_timeout(tcp::socket& socket, net::io_context& ioc, const std::string& host,
                          const std::string& port, std::chrono::milliseconds timeout) {
    tcp::resolver resolver(ioc);
    net::connect(socket, resolver.resolve(host, port));
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>(timeout.count() % 1000 * 1000);
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// Upgrades `ws` (connected, and TLS-handshaken for wss) with `headers`; the
// HTTP status of a refusal, 0 when accepted.
template <class Stream>
int upgrade(websocket::stream<Stream>& ws, const std::string& host, const std::string& port,
            const std::string& target, const header_list& headers) {
    ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
        for (const auto& [name, value] : headers) req.set(name, value);
    }));
    websocket::response_type res;
    beast::error_code ec;
    ws.handshake(res, host + ":" + port, target, ec);
    if (!ec) return 0;
    return res.result_int() != 0 ? static_cast<int>(res.result_int()) : -1;
}

}  // namespace

struct ws_client::impl {
    net::io_context ioc;
    ssl::context tls{ssl::context::tls_client};
    std::optional<websocket::stream<tcp::socket>> plain;
    std::optional<websocket::stream<ssl::stream<tcp::socket>>> secure;

    // Connects (and for wss verifies the server against `ca_file`); the upgrade's refusal status.
    int open(const ws_endpoint& where, const header_list& headers,
             std::chrono::milliseconds timeout) {
        if (where.ca_file.empty()) {
            plain.emplace(ioc);
            connect_with_timeout(plain->next_layer(), ioc, where.host, where.port, timeout);
            return upgrade(*plain, where.host, where.port, where.target, headers);
        }
        tls.load_verify_file(where.ca_file);
        tls.set_verify_mode(ssl::verify_peer);
        secure.emplace(ioc, tls);
        connect_with_timeout(beast::get_lowest_layer(*secure), ioc, where.host, where.port,
                             timeout);
        secure->next_layer().set_verify_callback(ssl::host_name_verification(where.host));
        secure->next_layer().handshake(ssl::stream_base::client);
        return upgrade(*secure, where.host, where.port, where.target, headers);
    }
};

ws_client::ws_client(const std::string& host, const std::string& port, const std::string& target,
                     const header_list& headers, std::chrono::milliseconds timeout)
    : ws_client(ws_endpoint{host, port, target, ""}, headers, timeout) {}

ws_client::ws_client(const ws_endpoint& where, const header_list& headers,
                     std::chrono::milliseconds timeout)
    : impl_(std::make_unique<impl>()) {
    if (const int status = impl_->open(where, headers, timeout); status != 0)
        throw std::runtime_error("websocket upgrade refused: HTTP " + std::to_string(status));
}

ws_client::~ws_client() = default;

std::string ws_client::read() {
    beast::flat_buffer buffer;
    beast::error_code ec;
    if (impl_->secure) {
        impl_->secure->read(buffer, ec);
    } else {
        impl_->plain->read(buffer, ec);
    }
    if (ec) throw std::runtime_error("websocket read: " + ec.message());
    return beast::buffers_to_string(buffer.data());
}

int ws_refusal_status(const std::string& host, const std::string& port, const std::string& target,
                      const header_list& headers) {
    return ws_refusal_status(ws_endpoint{host, port, target, ""}, headers);
}

int ws_refusal_status(const ws_endpoint& where, const header_list& headers) {
    ws_client::impl c;
    return c.open(where, headers, std::chrono::seconds(10));
}

}  // namespace swarm::test
