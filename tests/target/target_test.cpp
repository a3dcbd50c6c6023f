// `swarm target` as a client sees it: one real process per test, real sockets
// on 127.0.0.1, every route's status, key content and headers.

#include "target/form.hpp"
#include "target/words.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/target_process.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

namespace swarm::test {
namespace {

using namespace std::chrono_literals;

class target_test : public ::testing::Test {
  protected:
    void SetUp() override { target_ = start_target(); }

    running_target target_;
};

boost::json::value json_of(const http_response& res) {
    return boost::json::parse(res.body);
}

std::string gunzip(const std::string& data) {
    z_stream z{};
    EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
    std::string out(1 << 20, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
    out.resize(z.total_out);
    inflateEnd(&z);
    return out;
}

TEST_F(target_test, home_is_html_with_cache_headers) {
    http_client client(target_.url);
    const auto res = client.get("/");
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(res.header("Cache-Control"), "");
    EXPECT_NE(res.header("Expires"), "");
    EXPECT_NE(res.body.find("<html"), std::string::npos);
    EXPECT_EQ(res.header("Content-Length"), std::to_string(res.body.size()));
}

TEST_F(target_test, about_mentions_founded_and_has_cache_headers) {
    const auto res = http_get(target_.url + "/about");
    EXPECT_EQ(res.status, 200);
    EXPECT_NE(res.body.find("Founded"), std::string::npos);
    EXPECT_NE(res.header("Cache-Control"), "");
    EXPECT_NE(res.header("Expires"), "");
}

TEST_F(target_test, head_sends_length_without_body) {
    http_client client(target_.url);
    http_request req;
    req.method = "HEAD";
    req.target = "/about";
    const auto head = client.request(req);
    const auto get = client.get("/about");
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.body, "");
    EXPECT_EQ(head.header("Content-Length"), std::to_string(get.body.size()));
}

TEST_F(target_test, keep_alive_reuses_one_connection_and_close_is_honoured) {
    http_client client(target_.url);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(client.get("/").status, 200);
    EXPECT_EQ(client.connections_opened(), 1);
    http_request req;
    req.headers = {{"Connection", "close"}};
    const auto res = client.request(req);
    EXPECT_EQ(res.header("Connection"), "close");
    EXPECT_EQ(client.get("/").status, 200);
    EXPECT_EQ(client.connections_opened(), 2);
}

TEST_F(target_test, signin_sets_a_session_cookie_that_opens_the_account) {
    http_client client(target_.url);
    const auto signin = client.post_form("/user/signin", "email=ada%40example.com&password=pw");
    ASSERT_EQ(signin.status, 200);
    const std::string session = signin.set_cookie("session");
    ASSERT_EQ(session.size(), 32u);
    const std::string line = signin.header("Set-Cookie");
    EXPECT_NE(line.find("Path=/"), std::string::npos);
    EXPECT_NE(line.find("HttpOnly"), std::string::npos);

    const auto account = client.get("/account", "session=" + session);
    ASSERT_EQ(account.status, 200);
    EXPECT_EQ(json_of(account).at("email"), "ada@example.com");
}

TEST_F(target_test, signin_without_email_or_password_is_400) {
    http_client client(target_.url);
    EXPECT_EQ(client.post_form("/user/signin", "email=a%40b.c").status, 400);
    EXPECT_EQ(client.post_form("/user/signin", "email=&password=x").status, 400);
    EXPECT_EQ(client.post_form("/user/signin", "").status, 400);
}

TEST_F(target_test, account_without_a_valid_session_is_401) {
    http_client client(target_.url);
    EXPECT_EQ(client.get("/account").status, 401);
    EXPECT_EQ(client.get("/account", "session=00000000000000000000000000000000").status, 401);
}

std::string csrf_token_in(const std::string& html) {
    const std::string marker = R"(name="csrf_token" value=")";
    const auto at = html.find(marker);
    if (at == std::string::npos) return {};
    const auto start = at + marker.size();
    return html.substr(start, html.find('"', start) - start);
}

TEST_F(target_test, contact_us_accepts_the_token_bound_to_the_visitor_cookie) {
    http_client client(target_.url);
    const auto form = client.get("/contact_us");
    ASSERT_EQ(form.status, 200);
    const std::string visitor = form.set_cookie("visitor");
    const std::string token = csrf_token_in(form.body);
    ASSERT_FALSE(visitor.empty());
    ASSERT_FALSE(token.empty());
    const std::string cookie = "visitor=" + visitor;
    EXPECT_EQ(client.post_form("/contact_us", "csrf_token=" + token + "&message=hi", cookie).status,
              200);
    // The same token with another visitor's cookie is refused.
    EXPECT_EQ(client.post_form("/contact_us", "csrf_token=" + token, "visitor=other").status, 403);
}

TEST_F(target_test, contact_us_binds_the_token_to_the_session_when_signed_in) {
    http_client client(target_.url);
    const auto signin = client.post_form("/user/signin", "email=a%40b.c&password=pw");
    const std::string cookie = "session=" + signin.set_cookie("session");
    const auto form = client.get("/contact_us", cookie);
    EXPECT_TRUE(form.set_cookie("visitor").empty());
    const std::string token = csrf_token_in(form.body);
    EXPECT_EQ(client.post_form("/contact_us", "csrf_token=" + token, cookie).status, 200);
}

TEST_F(target_test, contact_us_without_or_with_a_wrong_token_is_403) {
    http_client client(target_.url);
    const auto form = client.get("/contact_us");
    const std::string cookie = "visitor=" + form.set_cookie("visitor");
    EXPECT_EQ(client.post_form("/contact_us", "message=hi", cookie).status, 403);
    EXPECT_EQ(client.post_form("/contact_us", "csrf_token=abc", cookie).status, 403);
    EXPECT_EQ(client.post_form("/contact_us", "csrf_token=" + csrf_token_in(form.body)).status,
              403);
}

TEST_F(target_test, search_returns_the_words_starting_with_the_prefix) {
    http_client client(target_.url);
    const auto res = client.get("/search?search=wa");
    ASSERT_EQ(res.status, 200);
    EXPECT_EQ(res.header("Content-Type"), "application/json");
    const auto found = json_of(res).as_array();
    ASSERT_FALSE(found.empty());
    for (const auto& w : found) EXPECT_TRUE(w.as_string().starts_with("wa")) << w;
    EXPECT_NE(std::find(found.begin(), found.end(), boost::json::value("water")), found.end());
    EXPECT_TRUE(json_of(client.get("/search?search=qqq")).as_array().empty());
}

TEST_F(target_test, item_is_json_and_a_non_numeric_id_is_404) {
    http_client client(target_.url);
    const auto res = client.get("/api/items/42");
    ASSERT_EQ(res.status, 200);
    const auto item = json_of(res).as_object();
    EXPECT_EQ(item.at("id"), 42);
    EXPECT_FALSE(item.at("name").as_string().empty());
    EXPECT_GT(item.at("price").to_number<double>(), 0.0);
    EXPECT_EQ(client.get("/api/items/abc").status, 404);
    EXPECT_EQ(client.get("/api/items/").status, 404);
}

TEST_F(target_test, slow_waits_without_blocking_other_connections) {
    const auto start = std::chrono::steady_clock::now();
    std::thread slow([&] {
        http_client client(target_.url);
        EXPECT_EQ(client.get("/slow?ms=600").status, 200);
        EXPECT_GE(std::chrono::steady_clock::now() - start, 600ms);
    });
    std::this_thread::sleep_for(100ms);
    http_client fast(target_.url);
    EXPECT_EQ(fast.get("/").status, 200);
    // The single io thread answered while /slow was still waiting.
    EXPECT_LT(std::chrono::steady_clock::now() - start, 550ms);
    slow.join();
}

TEST_F(target_test, status_answers_the_code_asked_for_within_100_to_599) {
    http_client client(target_.url);
    EXPECT_EQ(client.get("/status/418").status, 418);
    EXPECT_EQ(client.get("/status/503").status, 503);
    EXPECT_EQ(client.get("/status/204").status, 204);
    EXPECT_EQ(client.get("/status/600").status, 400);
    EXPECT_EQ(client.get("/status/99").status, 400);
    EXPECT_EQ(client.get("/status/x").status, 400);
}

TEST_F(target_test, bytes_sends_exactly_n_bytes) {
    http_client client(target_.url);
    EXPECT_EQ(client.get("/bytes/0").body.size(), 0u);
    EXPECT_EQ(client.get("/bytes/10").body.size(), 10u);
    EXPECT_EQ(client.get("/bytes/200000").body.size(), 200000u);
    EXPECT_EQ(client.get("/bytes/1x").status, 400);
}

TEST_F(target_test, redirect_chain_hops_n_times_to_about) {
    http_client client(target_.url);
    std::string target = "/redirect/3";
    int hops = 0;
    for (; hops < 10; ++hops) {
        const auto res = client.get(target);
        if (res.status != 302) break;
        target = res.header("Location");
    }
    EXPECT_EQ(hops, 3);
    EXPECT_EQ(target, "/about");
}

TEST_F(target_test, redirect_to_sends_a_302_to_the_path) {
    http_client client(target_.url);
    const auto res = client.get("/redirect?to=%2Fsearch%3Fsearch%3Da");
    EXPECT_EQ(res.status, 302);
    EXPECT_EQ(res.header("Location"), "/search?search=a");
    EXPECT_EQ(client.get("/redirect").status, 400);
    EXPECT_EQ(client.get("/redirect?to=%2F%0D%0AX:1").status, 400);
}

TEST_F(target_test, gzip_compresses_only_when_the_client_accepts_it) {
    http_client client(target_.url);
    const auto plain = client.get("/gzip");
    EXPECT_EQ(plain.status, 200);
    EXPECT_EQ(plain.header("Content-Encoding"), "");
    http_request req;
    req.target = "/gzip";
    req.headers = {{"Accept-Encoding", "deflate, gzip;q=0.8"}};
    const auto zipped = client.request(req);
    EXPECT_EQ(zipped.header("Content-Encoding"), "gzip");
    EXPECT_LT(zipped.body.size(), plain.body.size());
    EXPECT_EQ(gunzip(zipped.body), plain.body);
}

TEST_F(target_test, cookies_set_then_listed) {
    http_client client(target_.url);
    const auto set = client.get("/cookies/set?flavour=oat&count=3");
    EXPECT_EQ(set.status, 200);
    EXPECT_EQ(set.set_cookie("flavour"), "oat");
    EXPECT_EQ(set.set_cookie("count"), "3");
    const auto listed = client.get("/cookies", "flavour=oat; count=3");
    EXPECT_EQ(json_of(listed), boost::json::parse(R"({"flavour":"oat","count":"3"})"));
    EXPECT_EQ(client.get("/cookies/set?bad%3Bname=1").status, 400);
}

TEST_F(target_test, echo_reflects_method_target_headers_and_body) {
    http_client client(target_.url);
    http_request req;
    req.method = "PUT";
    req.target = "/echo?x=1";
    req.body = "hello";
    req.content_type = "text/plain";
    req.headers = {{"X-Test", "yes"}};
    const auto res = client.request(req);
    ASSERT_EQ(res.status, 200);
    const auto echo = json_of(res).as_object();
    EXPECT_EQ(echo.at("method"), "PUT");
    EXPECT_EQ(echo.at("target"), "/echo?x=1");
    EXPECT_EQ(echo.at("body"), "hello");
    EXPECT_EQ(echo.at("headers").at("X-Test"), "yes");
}

TEST_F(target_test, unknown_path_is_404_and_wrong_method_is_405) {
    http_client client(target_.url);
    EXPECT_EQ(client.get("/no/such/page").status, 404);
    const auto res = client.post_form("/about", "a=1");
    EXPECT_EQ(res.status, 405);
    EXPECT_EQ(res.header("Allow"), "GET, HEAD");
}

TEST(target_test_parts, word_list_is_sorted_distinct_and_a_few_hundred_long) {
    const auto list = target::words();
    EXPECT_GE(list.size(), 300u);
    EXPECT_TRUE(std::is_sorted(list.begin(), list.end()));
    EXPECT_EQ(std::adjacent_find(list.begin(), list.end()), list.end());
}

TEST(target_test_parts, form_decoding_handles_plus_percent_and_malformed_input) {
    const auto fields = target::parse_form("a=x+y%21&b&&c=%41");
    ASSERT_TRUE(fields);
    EXPECT_EQ(*fields, (target::form_fields{{"a", "x y!"}, {"b", ""}, {"c", "A"}}));
    EXPECT_FALSE(target::parse_form("a=%4"));
    EXPECT_FALSE(target::parse_form("a=%zz"));
}

}  // namespace
}  // namespace swarm::test
