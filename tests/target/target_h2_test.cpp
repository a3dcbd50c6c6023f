// `swarm target` over HTTP/2: h2c with prior knowledge and h2 over TLS (ALPN)
// on the same port as HTTP/1.1, driven by independent clients (curl, h2load
// from nghttp2-client), their counts held against /__stats per protocol, and
// every route answering as it does over HTTP/1.1.

#include "tests/support/http_client.hpp"
#include "tests/support/target_process.hpp"
#include "tests/support/test_pki.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace swarm::test {
namespace {

struct tool_result {
    int exit_code = -1;  // -1 when killed at the timeout
    std::string out;     // stdout (stderr goes to the test log)
};

std::string quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// Runs `argv` (a program from PATH) to completion, killed after `timeout_s`.
tool_result run_tool(const std::vector<std::string>& argv, int timeout_s = 60) {
    std::string cmd = "timeout -s KILL " + std::to_string(timeout_s);
    for (const auto& a : argv) cmd += " " + quoted(a);
    tool_result result;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return result;
    char buf[4096];
    while (auto n = std::fread(buf, 1, sizeof buf, p)) result.out.append(buf, n);
    const int status = pclose(p);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

bool have(const std::string& program) {
    return std::system(("command -v " + program + " >/dev/null 2>&1").c_str()) == 0;
}

// curl speaking HTTP/2 with prior knowledge (h2c) or over TLS via ALPN.
std::vector<std::string> curl_h2(const std::string& url) {
    if (url.starts_with("https://")) return {"curl", "-sS", "-k", "--http2"};
    return {"curl", "-sS", "--http2-prior-knowledge"};
}

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

boost::json::object stats_of(const std::string& url) {
    const auto res = http_get(url + "/__stats");
    EXPECT_EQ(res.status, 200);
    return boost::json::parse(res.body).as_object();
}

std::uint64_t route_count(const boost::json::object& stats, const std::string& key, int status) {
    const auto* route = stats.at("routes").as_object().if_contains(key);
    if (!route) return 0;
    const auto* count = route->as_object().if_contains(std::to_string(status));
    return count ? count->to_number<std::uint64_t>() : 0;
}

// nghttp -s's table ("id responseEnd requestStart process code size path"),
// in the order the answers completed: each path with its status.
std::vector<std::pair<std::string, int>> nghttp_in_order(const std::string& output) {
    static const std::regex row(R"(^\s*\d+\s+\+\S+\s+\+\S+\s+\S+\s+(\d{3})\s+\d+\s+(\S+)\s*$)");
    std::vector<std::pair<std::string, int>> out;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (std::regex_match(line, m, row)) out.emplace_back(m[2], std::stoi(m[1]));
    }
    return out;
}

// The same, sorted by path.
std::vector<std::pair<std::string, int>> nghttp_answers(const std::string& output) {
    auto out = nghttp_in_order(output);
    std::sort(out.begin(), out.end());
    return out;
}

// "requests: 300 total, 300 started, 300 done, 300 succeeded, 0 failed, ..." → succeeded.
long h2load_succeeded(const std::string& output) {
    std::smatch m;
    static const std::regex line(R"(requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded)");
    return std::regex_search(output, m, line) ? std::stol(m[1]) : -1;
}

class target_h2 : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!have("curl") || !have("h2load") || !have("nghttp")) {
            GTEST_SKIP() << "curl, h2load or nghttp (nghttp2-client) missing: scripts/install-deps";
        }
        if (run_tool({"curl", "--version"}).out.find("HTTP2") == std::string::npos) {
            GTEST_SKIP() << "this curl has no HTTP/2";
        }
        dir_ = std::filesystem::temp_directory_path() /
               ("swarm-target-h2-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    std::filesystem::path dir_;
};

TEST_F(target_h2, h2c_and_h1_share_the_port_and_are_counted_per_protocol) {
    const auto target = start_target();
    const auto& u = target.url;
    // One nghttp, five URLs: one h2c connection, five streams.
    const auto h2 = run_tool({"nghttp", "-n", "-s", u + "/about", u + "/search?search=ab",
                              u + "/api/items/7", u + "/status/503", u + "/nowhere"});
    ASSERT_EQ(h2.exit_code, 0) << h2.out;
    const auto answers = nghttp_answers(h2.out);
    EXPECT_EQ(answers, (std::vector<std::pair<std::string, int>>{{"/about", 200},
                                                                 {"/api/items/7", 200},
                                                                 {"/nowhere", 404},
                                                                 {"/search?search=ab", 200},
                                                                 {"/status/503", 503}}))
        << h2.out;
    http_client h1(u);
    EXPECT_EQ(h1.get("/about").status, 200);
    EXPECT_EQ(h1.get("/status/503").status, 503);

    const auto stats = stats_of(u);
    EXPECT_EQ(stats.at("total"), 7);
    EXPECT_EQ(stats.at("protocols"), (boost::json::object{{"h1", 2}, {"h2", 5}}));
    EXPECT_EQ(route_count(stats, "GET /about", 200), 2u);
    EXPECT_EQ(route_count(stats, "GET /status/503", 503), 2u);
    EXPECT_EQ(route_count(stats, "GET /nowhere", 404), 1u);
    EXPECT_EQ(stats.at("h2").at("connections"), 1);
    EXPECT_EQ(stats.at("h2").at("protocol_errors"), 0);
}

TEST_F(target_h2, h2load_counts_equal_the_targets_over_h2c) {
    const auto target = start_target({"--threads", "2"});
    const auto run = run_tool(
        {"h2load", "-n", "600", "-c", "4", "-m", "10", target.url + "/about", target.url + "/"});
    ASSERT_EQ(run.exit_code, 0) << run.out;
    EXPECT_EQ(h2load_succeeded(run.out), 600) << run.out;
    const auto stats = stats_of(target.url);
    EXPECT_EQ(stats.at("protocols"), (boost::json::object{{"h1", 0}, {"h2", 600}}));
    EXPECT_EQ(route_count(stats, "GET /about", 200) + route_count(stats, "GET /", 200), 600u);
    EXPECT_EQ(stats.at("h2").at("connections"), 4);
}

TEST_F(target_h2, tls_alpn_picks_h2_and_http11_still_works) {
    const test_pki pki;
    const auto target = start_target({"--tls-cert", pki.server_pem, "--tls-key", pki.server_key});
    ASSERT_TRUE(target.url.starts_with("https://")) << target.url;
    const std::vector<std::string> out_format = {"-o", "/dev/null", "-w", "%{http_version}\n"};
    const auto h2 = run_tool(curl_h2(target.url) + out_format + std::vector{target.url + "/about"});
    EXPECT_EQ(h2.out, "2\n");
    const auto h1 = run_tool(std::vector<std::string>{"curl", "-sS", "-k", "--http1.1"} +
                             out_format + std::vector{target.url + "/about"});
    EXPECT_EQ(h1.out, "1.1\n");
    const auto load =
        run_tool({"h2load", "-n", "200", "-c", "2", "-m", "4", target.url + "/api/items/3"});
    EXPECT_EQ(h2load_succeeded(load.out), 200) << load.out;
    EXPECT_NE(load.out.find("Application protocol: h2"), std::string::npos) << load.out;

    const auto stats = stats_of(target.url);
    EXPECT_EQ(stats.at("protocols"), (boost::json::object{{"h1", 1}, {"h2", 201}}));
    EXPECT_EQ(route_count(stats, "GET /api/items/3", 200), 200u);
    EXPECT_EQ(stats.at("h2").at("connections"), 3);
}

// The same bytes over both protocols, through the same route functions.
TEST_F(target_h2, routes_answer_over_h2_as_over_h1) {
    const auto target = start_target();
    const auto& u = target.url;
    const auto h1 = [&](const std::vector<std::string>& args) {
        return run_tool(std::vector<std::string>{"curl", "-sS", "--http1.1"} + args).out;
    };
    const auto h2 = [&](const std::vector<std::string>& args) {
        return run_tool(curl_h2(u) + args).out;
    };
    // Static pages, filler bytes, JSON.
    for (const std::string route :
         {"/about", "/bytes/200000", "/api/items/42", "/search?search=c"}) {
        const auto over_h1 = h1({u + route});
        EXPECT_FALSE(over_h1.empty()) << route;
        EXPECT_EQ(h2({u + route}), over_h1) << route;
    }
    // POST bodies: /echo's body, and a multipart upload with a binary file.
    EXPECT_NE(h2({"--data-binary", "a=1&b=2", u + "/echo"}).find(R"("body":"a=1&b=2")"),
              std::string::npos);
    {
        std::ofstream file(path("photo.bin"), std::ios::binary);
        for (int i = 0; i < 300000; ++i) file.put(static_cast<char>(i * 7));
    }
    const std::vector<std::string> upload = {"-F", "title=hello", "-F",
                                             "photo=@" + path("photo.bin"), u + "/upload"};
    const auto uploaded = h2(upload);
    EXPECT_EQ(uploaded, h1(upload));
    EXPECT_NE(uploaded.find(R"("size":300000)"), std::string::npos) << uploaded;
    // gzip when asked for, decoded by curl to the same page.
    const auto headers =
        h2({"-D", "-", "-o", "/dev/null", "-H", "Accept-Encoding: gzip", u + "/gzip"});
    EXPECT_NE(headers.find("content-encoding: gzip"), std::string::npos) << headers;
    EXPECT_EQ(h2({"--compressed", u + "/gzip"}), h1({u + "/gzip"}));
    // A session: sign in over h2, the cookie jar carries it to /account.
    const std::string jar = path("cookies.txt");
    h2({"-c", jar, "-d", "email=ann@example.com", "-d", "password=pw", "-o", "/dev/null",
        u + "/user/signin"});
    EXPECT_EQ(h2({"-b", jar, u + "/account"}), R"({"email":"ann@example.com"})");
    EXPECT_EQ(h2({"-w", "%{response_code}", "-o", "/dev/null", u + "/account"}), "401");

    const auto stats = stats_of(u);
    EXPECT_EQ(stats.at("uploads").at("requests"), 2);
    EXPECT_EQ(route_count(stats, "POST /user/signin", 200), 1u);
    EXPECT_EQ(route_count(stats, "GET /account", 200), 1u);
    EXPECT_EQ(route_count(stats, "GET /account", 401), 1u);
}

// A delayed answer (/slow) holds only its own stream: the others on the same
// connection are answered meanwhile.
TEST_F(target_h2, a_slow_stream_does_not_hold_up_the_connection) {
    const auto target = start_target();
    const auto& u = target.url;
    // /slow is asked first, on the same connection; /about is answered first.
    const auto run = run_tool({"nghttp", "-n", "-s", u + "/slow?ms=1500", u + "/about"});
    ASSERT_EQ(run.exit_code, 0) << run.out;
    EXPECT_EQ(nghttp_in_order(run.out),
              (std::vector<std::pair<std::string, int>>{{"/about", 200}, {"/slow?ms=1500", 200}}))
        << run.out;
    const auto stats = stats_of(u);
    EXPECT_EQ(stats.at("h2").at("connections"), 1);
    EXPECT_EQ(stats.at("protocols").at("h2"), 2);
}

TEST_F(target_h2, limits_are_the_same_as_over_h1) {
    const auto target = start_target();
    const auto& u = target.url;
    {
        std::ofstream big(path("big.bin"), std::ios::binary);
        big << std::string(1024 * 1024 + 1, 'b');
    }
    const std::vector<std::string> status = {"-o", "/dev/null", "-w", "%{response_code}"};
    EXPECT_EQ(
        run_tool(curl_h2(u) + status +
                 std::vector<std::string>{"--data-binary", "@" + path("big.bin"), u + "/echo"})
            .out,
        "413");
    EXPECT_EQ(run_tool(curl_h2(u) + status +
                       std::vector<std::string>{"-H", "X-Big: " + std::string(20 * 1024, 'a'),
                                                u + "/about"})
                  .out,
              "431");
    EXPECT_EQ(run_tool(curl_h2(u) + status + std::vector{u + "/about"}).out, "200");
    const auto stats = stats_of(u);
    EXPECT_EQ(route_count(stats, "POST /echo", 413), 1u);
    EXPECT_EQ(stats.at("malformed"), 1);  // the 431: no route is counted for it
    EXPECT_EQ(stats.at("protocols").at("h2"), 2);
}

}  // namespace
}  // namespace swarm::test
