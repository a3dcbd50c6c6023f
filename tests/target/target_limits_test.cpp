// `swarm target` under conditions a site must survive: exact counters under
// concurrency, malformed and oversized requests, several io threads, TLS,
// and signals. Real processes, real sockets on 127.0.0.1.

#include "target/target.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/support/target_process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <thread>
#include <vector>

namespace swarm::test {
namespace {

using namespace std::chrono_literals;

// "GET /about" → status → count, as the test sent it.
using route_counts = std::map<std::string, std::map<int, std::uint64_t>>;

// One request of the mix each client sends, and the answer it expects.
struct planned {
    std::string method;
    std::string target;
    std::string key;  // method + path without the query
    int status;
};

const std::vector<planned>& mix() {
    static const std::vector<planned> requests = {
        {"GET", "/", "GET /", 200},
        {"GET", "/about", "GET /about", 200},
        {"GET", "/search?search=ab", "GET /search", 200},
        {"GET", "/search?search=c", "GET /search", 200},
        {"GET", "/api/items/7", "GET /api/items/7", 200},
        {"GET", "/status/503", "GET /status/503", 503},
        {"GET", "/nowhere", "GET /nowhere", 404},
        {"POST", "/user/signin", "POST /user/signin", 400},
        {"DELETE", "/echo", "DELETE /echo", 200},
    };
    return requests;
}

// Sends the mix `rounds` times on each of `clients` concurrent keep-alive connections.
route_counts send_mix(const std::string& url, int clients, int rounds) {
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(clients));
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&url, rounds] {
            http_client client(url);
            for (int r = 0; r < rounds; ++r) {
                for (const auto& p : mix()) {
                    http_request req;
                    req.method = p.method;
                    req.target = p.target;
                    EXPECT_EQ(client.request(req).status, p.status) << p.target;
                }
            }
            EXPECT_EQ(client.connections_opened(), 1);
        });
    }
    for (auto& t : threads) t.join();
    route_counts expected;
    for (const auto& p : mix())
        expected[p.key][p.status] += static_cast<std::uint64_t>(clients * rounds);
    return expected;
}

boost::json::object stats_of(const std::string& url) {
    const auto res = http_get(url + "/__stats");
    EXPECT_EQ(res.status, 200);
    return boost::json::parse(res.body).as_object();
}

// /__stats must say exactly what was sent: per route+status, per route, per status, total.
void expect_stats_equal(const boost::json::object& stats, const route_counts& expected) {
    std::uint64_t total = 0;
    std::map<std::string, std::uint64_t> per_status;
    boost::json::object routes;
    boost::json::object requests;
    for (const auto& [key, by_status] : expected) {
        boost::json::object route;
        std::uint64_t route_total = 0;
        for (const auto& [code, count] : by_status) {
            route[std::to_string(code)] = count;
            per_status[std::to_string(code)] += count;
            route_total += count;
        }
        routes[key] = route;
        requests[key] = route_total;
        total += route_total;
    }
    boost::json::object statuses;
    for (const auto& [code, count] : per_status) statuses[code] = count;
    EXPECT_EQ(stats.at("total"), total);
    EXPECT_EQ(stats.at("routes"), routes);
    EXPECT_EQ(stats.at("requests"), requests);
    EXPECT_EQ(stats.at("statuses"), statuses);
}

TEST(target_test_counters, stats_equal_exactly_what_concurrent_clients_sent) {
    const auto target = start_target();
    const auto expected = send_mix(target.url, 4, 25);
    expect_stats_equal(stats_of(target.url), expected);
    // Asking again does not count the asking.
    expect_stats_equal(stats_of(target.url), expected);
}

TEST(target_test_counters, reset_zeroes_everything) {
    const auto target = start_target();
    send_mix(target.url, 2, 3);
    http_client client(target.url);
    EXPECT_EQ(client.post_form("/__reset", "").status, 200);
    expect_stats_equal(stats_of(target.url), {});
    EXPECT_EQ(client.get("/about").status, 200);
    EXPECT_EQ(client.get("/__reset").status, 200);
    expect_stats_equal(stats_of(target.url), {});
}

TEST(target_test_threads, two_io_threads_serve_and_count_exactly) {
    const auto target = start_target({"--threads", "2"});
    const auto expected = send_mix(target.url, 6, 20);
    expect_stats_equal(stats_of(target.url), expected);
}

TEST(target_test_limits, garbage_is_400_and_the_server_keeps_serving) {
    const auto target = start_target();
    const std::string answer =
        raw_exchange(target.host, target.port, "\x16\x03\x01 this is not HTTP\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 400 ")) << answer;
    EXPECT_NE(answer.find("Connection: close"), std::string::npos);
    EXPECT_EQ(http_get(target.url + "/").status, 200);
    EXPECT_EQ(stats_of(target.url).at("malformed"), 1);
}

TEST(target_test_limits, bad_content_length_is_400) {
    const auto target = start_target();
    const std::string answer = raw_exchange(
        target.host, target.port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 400 ")) << answer;
    EXPECT_EQ(http_get(target.url + "/about").status, 200);
}

TEST(target_test_limits, oversized_header_is_431) {
    const auto target = start_target();
    const std::string request =
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20 * 1024, 'a') + "\r\n\r\n";
    const std::string answer = raw_exchange(target.host, target.port, request);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 431 ")) << answer.substr(0, 200);
    EXPECT_EQ(http_get(target.url + "/").status, 200);
}

TEST(target_test_limits, oversized_body_is_413_and_counted) {
    const auto target = start_target();
    http_client client(target.url);
    http_request req;
    req.method = "POST";
    req.target = "/echo";
    req.body = std::string(1024 * 1024 + 1, 'b');
    EXPECT_EQ(client.request(req).status, 413);
    req.body.resize(1024 * 1024);
    EXPECT_EQ(client.request(req).status, 200);
    expect_stats_equal(stats_of(target.url), {{"POST /echo", {{413, 1}, {200, 1}}}});
}

TEST(target_test_limits, pipelined_requests_are_answered_in_order) {
    const auto target = start_target();
    const std::string answer = raw_exchange(target.host, target.port,
                                            "GET /status/201 HTTP/1.1\r\nHost: x\r\n\r\n"
                                            "GET /status/202 HTTP/1.1\r\nHost: x\r\n\r\n"
                                            "GET /status/203 HTTP/1.1\r\nHost: x\r\nConnection: "
                                            "close\r\n\r\n");
    const auto a = answer.find("HTTP/1.1 201");
    const auto b = answer.find("HTTP/1.1 202");
    const auto c = answer.find("HTTP/1.1 203");
    ASSERT_NE(c, std::string::npos) << answer;
    EXPECT_LT(a, b);
    EXPECT_LT(b, c);
}

class target_test_tls : public ::testing::Test {
  protected:
    void SetUp() override {
        if (std::system("command -v openssl >/dev/null 2>&1") != 0) {
            GTEST_SKIP() << "openssl CLI not found; cannot make a test certificate";
        }
        dir_ = std::filesystem::temp_directory_path() /
               ("swarm-target-tls-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        const std::string command =
            "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " +
            (dir_ / "key.pem").string() + " -out " + (dir_ / "cert.pem").string() +
            " >/dev/null 2>&1";
        ASSERT_EQ(std::system(command.c_str()), 0) << command;
    }
    void TearDown() override {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    std::filesystem::path dir_;
};

TEST_F(target_test_tls, serves_https_with_a_self_signed_certificate) {
    const auto target = start_target(
        {"--tls-cert", (dir_ / "cert.pem").string(), "--tls-key", (dir_ / "key.pem").string()});
    ASSERT_TRUE(target.url.starts_with("https://")) << target.url;
    http_client client(target.url);
    const auto about = client.get("/about");
    EXPECT_EQ(about.status, 200);
    EXPECT_NE(about.body.find("Founded"), std::string::npos);
    EXPECT_EQ(client.get("/bytes/100000").body.size(), 100000u);
    EXPECT_EQ(client.connections_opened(), 1);
    expect_stats_equal(stats_of(target.url),
                       {{"GET /about", {{200, 1}}}, {"GET /bytes/100000", {{200, 1}}}});
}

TEST(target_test_process, sigterm_and_sigint_stop_it_with_exit_code_0) {
    for (const int signal : {SIGTERM, SIGINT}) {
        auto target = start_target();
        http_client client(target.url);
        EXPECT_EQ(client.get("/").status, 200);  // an idle keep-alive connection stays open
        target.process->send_signal(signal);
        EXPECT_EQ(target.process->wait_exit(10s), 0) << "signal " << signal;
    }
}

TEST(target_test_process, bad_listen_address_fails_with_exit_code_1) {
    child_process process({swarm_binary(), "target", "--listen", "127.0.0.1:notaport"});
    EXPECT_EQ(process.wait_exit(20s), 1);
}

TEST(target_test_process, why_it_cannot_listen_goes_to_the_logger_it_is_given) {
    log_capture log;
    target::options opts;
    opts.listen = "127.0.0.1";  // no port
    opts.log = log.logger("swarm target");
    EXPECT_EQ(target::run(opts), 1);
    EXPECT_THAT(log.lines(), ::testing::ElementsAre("swarm target: --listen must be HOST:PORT"));
}

}  // namespace
}  // namespace swarm::test
