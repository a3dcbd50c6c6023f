// The client against a real `swarm target`: keep-alive, cookies, CSRF,
// redirects, gzip, timeouts, limits, refused connections and idle memory.

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <memory>
#include <vector>

#include "tests/support/target_process.hpp"
#include "tests/worker_http/test_run.hpp"
#include "worker/http/client.hpp"

namespace swarm::worker::http {
namespace {

using namespace std::chrono_literals;
using testing::failure;
using testing::get;
using testing::run_send;

class http_client_target : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { target_ = new test::running_target(test::start_target()); }
    static void TearDownTestSuite() {
        delete target_;
        target_ = nullptr;
    }
    static std::string url(const std::string& path) { return target_->url + path; }

    boost::asio::io_context ioc_;
    client client_{ioc_.get_executor(), client_options{}};
    static test::running_target* target_;
};

test::running_target* http_client_target::target_ = nullptr;

request post_form(const std::string& url, const std::string& body) {
    request req = get(url);
    req.method = scenario::http_method::post;
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    req.body = body;
    return req;
}

TEST_F(http_client_target, keep_alive_reuses_one_connection) {
    for (int i = 0; i < 5; ++i) {
        const auto res = run_send(ioc_, client_, get(url("/")));
        ASSERT_TRUE(res) << failure(res);
        EXPECT_EQ(res->status, 200);
        EXPECT_FALSE(res->body.empty());
        EXPECT_GT(res->latency.count(), 0);
        EXPECT_EQ(res->url, url("/"));
    }
    EXPECT_EQ(client_.connections_opened(), 1u);
}

TEST_F(http_client_target, sends_user_agent_and_user_headers) {
    client_options opts;
    opts.user_agent = "swarm/9.9";
    client c(ioc_.get_executor(), opts);
    request req = get(url("/echo"));
    req.headers = {{"X-Trace", "abc"}};
    const auto res = run_send(ioc_, c, req);
    ASSERT_TRUE(res) << failure(res);
    EXPECT_NE(res->body.find("\"User-Agent\":\"swarm/9.9\""), std::string::npos) << res->body;
    EXPECT_NE(res->body.find("\"X-Trace\":\"abc\""), std::string::npos) << res->body;
    EXPECT_NE(res->body.find("\"Accept-Encoding\":\"gzip\""), std::string::npos) << res->body;
}

TEST_F(http_client_target, user_headers_replace_defaults_and_framing_stays_ours) {
    request req = post_form(url("/echo"), "a=1&b=2");
    req.headers.push_back({"user-agent", "custom/1"});
    req.headers.push_back({"Content-Length", "999"});
    req.headers.push_back({"Cookie", "mine=1"});
    const auto res = run_send(ioc_, client_, req);
    ASSERT_TRUE(res) << failure(res);
    EXPECT_NE(res->body.find("\"method\":\"POST\""), std::string::npos) << res->body;
    EXPECT_NE(res->body.find("\"user-agent\":\"custom/1\""), std::string::npos) << res->body;
    EXPECT_EQ(res->body.find("\"User-Agent\""), std::string::npos) << res->body;
    EXPECT_NE(res->body.find("\"Content-Length\":\"7\""), std::string::npos) << res->body;
    EXPECT_NE(res->body.find("\"Cookie\":\"mine=1\""), std::string::npos) << res->body;
    EXPECT_NE(res->body.find("\"body\":\"a=1&b=2\""), std::string::npos) << res->body;

    request empty = post_form(url("/echo"), "");  // POST says its length even when 0
    const auto res2 = run_send(ioc_, client_, empty);
    ASSERT_TRUE(res2) << failure(res2);
    EXPECT_NE(res2->body.find("\"Content-Length\":\"0\""), std::string::npos) << res2->body;
    const auto res3 = run_send(ioc_, client_, get(url("/echo")));  // GET without body: none
    ASSERT_TRUE(res3) << failure(res3);
    EXPECT_EQ(res3->body.find("Content-Length"), std::string::npos) << res3->body;
}

TEST_F(http_client_target, signin_sets_the_session_cookie_and_account_answers) {
    auto res = run_send(ioc_, client_, get(url("/account")));
    ASSERT_TRUE(res) << failure(res);
    EXPECT_EQ(res->status, 401);  // a status >= 400 is not a transport error
    res = run_send(ioc_, client_, post_form(url("/user/signin"), "email=a%40b.c&password=pw"));
    ASSERT_TRUE(res) << failure(res);
    ASSERT_EQ(res->status, 200);
    ASSERT_NE(client_.cookie(url("/account"), "session"), nullptr);
    EXPECT_FALSE(client_.cookie(url("/account"), "session")->empty());
    res = run_send(ioc_, client_, get(url("/account")));
    ASSERT_TRUE(res) << failure(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, R"({"email":"a@b.c"})");
}

TEST_F(http_client_target, contact_form_csrf_flow) {
    auto res = run_send(ioc_, client_, get(url("/contact_us")));
    ASSERT_TRUE(res) << failure(res);
    ASSERT_EQ(res->status, 200);
    ASSERT_NE(client_.cookie(url("/"), "visitor"), nullptr);
    const std::string marker = "name=\"csrf_token\" value=\"";
    const auto at = res->body.find(marker);
    ASSERT_NE(at, std::string::npos);
    const auto start = at + marker.size();
    const std::string token = res->body.substr(start, res->body.find('"', start) - start);
    res = run_send(ioc_, client_, post_form(url("/contact_us"), "csrf_token=wrong&message=hi"));
    ASSERT_TRUE(res) << failure(res);
    EXPECT_EQ(res->status, 403);
    res = run_send(ioc_, client_,
                   post_form(url("/contact_us"), "csrf_token=" + token + "&message=hi"));
    ASSERT_TRUE(res) << failure(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_NE(res->body.find("Thank you"), std::string::npos);
}

TEST_F(http_client_target, follows_redirect_chains_to_the_end) {
    const auto res = run_send(ioc_, client_, get(url("/redirect/3")));
    ASSERT_TRUE(res) << failure(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->url, url("/about"));
    EXPECT_EQ(client_.connections_opened(), 1u);  // every hop on the same connection
}

TEST_F(http_client_target, returns_the_redirect_when_not_following) {
    request req = get(url("/redirect/3"));
    req.follow_redirects = false;
    const auto res = run_send(ioc_, client_, req);
    ASSERT_TRUE(res) << failure(res);
    EXPECT_EQ(res->status, 302);
    ASSERT_NE(res->header("location"), nullptr);
    EXPECT_EQ(*res->header("Location"), "/redirect/2");
}

TEST_F(http_client_target, stops_after_ten_redirects) {
    auto res = run_send(ioc_, client_, get(url("/redirect/10")));
    ASSERT_TRUE(res) << failure(res);
    EXPECT_EQ(res->url, url("/about"));
    res = run_send(ioc_, client_, get(url("/redirect/11")));
    EXPECT_EQ(failure(res), "too many redirects (10)");
    EXPECT_EQ(res.error().kind, errc::too_many_redirects);
}

TEST_F(http_client_target, decodes_gzip_and_counts_wire_bytes) {
    const auto res = run_send(ioc_, client_, get(url("/gzip")));
    ASSERT_TRUE(res) << failure(res);
    EXPECT_EQ(res->status, 200);
    ASSERT_NE(res->header("Content-Encoding"), nullptr);
    EXPECT_NE(res->body.find("<html"), std::string::npos);
    EXPECT_LT(res->wire_bytes, res->body.size());
    EXPECT_GT(res->wire_bytes, 0u);
}

TEST_F(http_client_target, request_timeout_says_the_configured_time) {
    const auto res = run_send(ioc_, client_, get(url("/slow?ms=2000"), 200ms));
    ASSERT_FALSE(res);
    EXPECT_EQ(failure(res), "timeout after 200ms");
    EXPECT_EQ(res.error().kind, errc::timeout);
    EXPECT_GE(res.error().latency, 200ms);
    EXPECT_LT(res.error().latency, 1500ms);
    // The connection was closed; the next request opens a new one.
    const auto next = run_send(ioc_, client_, get(url("/about")));
    ASSERT_TRUE(next) << failure(next);
    EXPECT_EQ(client_.connections_opened(), 2u);
}

// The connect deadline (connect_timeout) covers only connecting: once
// connected, the request's own, later deadline applies to the exchange.
TEST_F(http_client_target, a_response_slower_than_the_connect_timeout_still_arrives) {
    client_options opts;
    opts.connect_timeout = 150ms;
    client c(ioc_.get_executor(), opts);
    const auto res = run_send(ioc_, c, get(url("/slow?ms=600"), 5s));
    ASSERT_TRUE(res) << failure(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_GE(res->latency, 600ms);
}

// A send's deadline ends with the send: a kept connection outlives it, and
// the next send on it is not cut short by the earlier, shorter deadline.
TEST_F(http_client_target, a_finished_sends_deadline_does_not_touch_the_next_send) {
    ASSERT_TRUE(run_send(ioc_, client_, get(url("/"), 300ms)));
    const auto res = run_send(ioc_, client_, get(url("/slow?ms=600"), 5s));
    ASSERT_TRUE(res) << failure(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(client_.connections_opened(), 1u);
}

TEST_F(http_client_target, body_over_the_limit_fails) {
    client_options opts;
    opts.max_body_bytes = 1 << 20;
    client c(ioc_.get_executor(), opts);
    auto res = run_send(ioc_, c, get(url("/bytes/1048576")));
    ASSERT_TRUE(res) << failure(res);
    EXPECT_EQ(res->body.size(), 1u << 20);
    res = run_send(ioc_, c, get(url("/bytes/1048577")));
    EXPECT_EQ(failure(res), "body too large (limit 1 MiB)");
    EXPECT_EQ(res.error().kind, errc::body_too_large);
}

// Out of file descriptors, a request fails with a message that names the
// cause; Asio's range connect alone reported "operation aborted".
TEST_F(http_client_target, no_descriptor_left_is_named_and_the_next_request_works) {
    // Every message comparison once first, with descriptors to spare (the
    // sanitizer runtime needs files to check them the first time).
    ASSERT_TRUE(run_send(ioc_, client_, get(url("/"))));
    client_.close();
    rlimit original{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &original), 0);
    std::vector<int> held;  // fill the table up to a lowered limit
    rlimit low = original;
    low.rlim_cur = 64;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
    for (int fd; (fd = ::dup(0)) >= 0;) held.push_back(fd);
    const auto res = run_send(ioc_, client_, get(url("/")));
    for (const int fd : held) ::close(fd);
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &original), 0);
    EXPECT_EQ(failure(res),
              "cannot open a connection: too many open files (raise `ulimit -n`, or run fewer "
              "users per worker)");
    EXPECT_TRUE(run_send(ioc_, client_, get(url("/"))));
}

TEST_F(http_client_target, connection_refused_on_a_closed_port) {
    std::string port;
    {
        boost::asio::ip::tcp::acceptor a(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0});
        port = std::to_string(a.local_endpoint().port());
    }
    const auto res = run_send(ioc_, client_, get("http://127.0.0.1:" + port + "/"));
    EXPECT_EQ(failure(res), "connection refused");
    EXPECT_EQ(res.error().kind, errc::refused);
}

TEST_F(http_client_target, bad_urls_fail_without_network) {
    auto res = run_send(ioc_, client_, get("ftp://127.0.0.1/x"));
    EXPECT_EQ(failure(res), "unsupported URL scheme 'ftp'");
    EXPECT_EQ(res.error().kind, errc::unsupported_scheme);
    res = run_send(ioc_, client_, get("http://bad host/"));
    EXPECT_EQ(failure(res), "invalid URL 'http://bad host/'");
    EXPECT_EQ(res.error().kind, errc::invalid_url);
    res = run_send(ioc_, client_, get("http://no-such-host.invalid/", 5s));
    EXPECT_TRUE(failure(res).starts_with("DNS failure: no-such-host.invalid: ")) << failure(res);
    EXPECT_EQ(res.error().kind, errc::dns);
}

TEST_F(http_client_target, close_ends_a_pending_send_promptly) {
    send_result out;
    bool done = false;
    boost::asio::co_spawn(
        ioc_,
        [&]() -> boost::asio::awaitable<void> {
            out = co_await client_.send(get(url("/slow?ms=5000")));
            done = true;
        },
        boost::asio::detached);
    ioc_.run_for(300ms);
    ASSERT_FALSE(done);
    const auto closed_at = std::chrono::steady_clock::now();
    client_.close();
    ioc_.run_for(2s);
    EXPECT_TRUE(done);
    EXPECT_LT(std::chrono::steady_clock::now() - closed_at, 2s);
    EXPECT_EQ(failure(out), "cancelled: test stopped");
    EXPECT_EQ(out.error().kind, errc::cancelled);
}

// 20 000 idle users per worker at <= 4 KiB each: a client with its idle
// keep-alive connection must stay well under that.
TEST_F(http_client_target, idle_users_with_connections_stay_small) {
    constexpr int users = 200;
    std::vector<std::unique_ptr<client>> clients;
    clients.reserve(users);
    ioc_.run();  // settle the context's own lazy allocations
    const std::size_t before = testing::heap_bytes();
    for (int i = 0; i < users; ++i) {
        clients.push_back(std::make_unique<client>(ioc_.get_executor(), client_options{}));
    }
    int done = 0;
    for (auto& c : clients) {
        boost::asio::co_spawn(
            ioc_,
            [&, cl = c.get()]() -> boost::asio::awaitable<void> {
                send_result out = co_await cl->send(get(url("/"), 10s));
                EXPECT_TRUE(out) << failure(out);
                request req = post_form(url("/user/signin"), "email=u%40x&password=p");
                out = co_await cl->send(req);
                EXPECT_TRUE(out) << failure(out);
                ++done;
            },
            boost::asio::detached);
    }
    ioc_.restart();
    ioc_.run_for(30s);
    ASSERT_EQ(done, users);
    const std::size_t after = testing::heap_bytes();
    const double per_user = static_cast<double>(after - before) / users;
    std::printf(
        "sizeof(client) = %zu bytes; idle heap per user (with a keep-alive connection "
        "and a session cookie) = %.0f bytes\n",
        sizeof(client), per_user);
    for (auto& c : clients) EXPECT_EQ(c->connections_opened(), 1u);
    EXPECT_LT(per_user, 4096.0);  // includes the client object itself
}

}  // namespace
}  // namespace swarm::worker::http
