// The cookie jar's RFC 6265 rules, on a fixed clock.

#include <gtest/gtest.h>

#include "worker/http/cookie_jar.hpp"

namespace swarm::worker::http {
namespace {

using namespace std::chrono_literals;

const auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

cookie_origin at(std::string_view host, std::string_view path = "/", bool secure = false) {
    return {host, path, secure};
}

TEST(http_cookie_jar, stores_name_value_and_sends_it_back) {
    cookie_jar jar;
    jar.set("session=abc123; Path=/; HttpOnly; SameSite=Lax", at("example.com", "/user/signin"),
            t0);
    EXPECT_EQ(jar.header_for(at("example.com", "/account"), t0), "session=abc123");
    ASSERT_EQ(jar.size(), 1u);
    EXPECT_TRUE(jar.all()[0].http_only);
    EXPECT_TRUE(jar.all()[0].host_only);
}

TEST(http_cookie_jar, ignores_malformed_set_cookie) {
    cookie_jar jar;
    jar.set("no-equals-sign", at("a.com"), t0);
    jar.set("=value-without-name", at("a.com"), t0);
    jar.set("", at("a.com"), t0);
    EXPECT_EQ(jar.size(), 0u);
}

TEST(http_cookie_jar, trims_whitespace_and_keeps_empty_values) {
    cookie_jar jar;
    jar.set("  a =  1  ; Path=/", at("a.com"), t0);
    jar.set("b=", at("a.com"), t0);
    EXPECT_EQ(jar.header_for(at("a.com"), t0), "a=1; b=");
}

TEST(http_cookie_jar, host_only_cookie_is_not_sent_to_subdomains) {
    cookie_jar jar;
    jar.set("h=1", at("example.com"), t0);
    EXPECT_EQ(jar.header_for(at("example.com"), t0), "h=1");
    EXPECT_EQ(jar.header_for(at("www.example.com"), t0), "");
    EXPECT_EQ(jar.header_for(at("EXAMPLE.COM"), t0), "h=1");  // hosts compare case-insensitively
}

TEST(http_cookie_jar, domain_cookie_is_sent_to_subdomains) {
    cookie_jar jar;
    jar.set("d=1; Domain=.Example.com", at("www.example.com"), t0);
    ASSERT_EQ(jar.size(), 1u);
    EXPECT_EQ(jar.all()[0].domain, "example.com");
    EXPECT_FALSE(jar.all()[0].host_only);
    EXPECT_EQ(jar.header_for(at("example.com"), t0), "d=1");
    EXPECT_EQ(jar.header_for(at("a.b.example.com"), t0), "d=1");
    EXPECT_EQ(jar.header_for(at("notexample.com"), t0), "");
}

TEST(http_cookie_jar, rejects_domain_that_does_not_cover_the_host) {
    cookie_jar jar;
    jar.set("x=1; Domain=other.com", at("www.example.com"), t0);
    jar.set("y=1; Domain=www.example.com.evil", at("www.example.com"), t0);
    jar.set("z=1; Domain=com", at("www.example.com"), t0);  // a bare top-level domain
    EXPECT_EQ(jar.size(), 0u);
}

TEST(http_cookie_jar, domain_matching_rules) {
    EXPECT_TRUE(cookie_domain_matches("example.com", "example.com"));
    EXPECT_TRUE(cookie_domain_matches("www.example.com", "example.com"));
    EXPECT_FALSE(cookie_domain_matches("wwwexample.com", "example.com"));
    EXPECT_FALSE(cookie_domain_matches("example.com", "www.example.com"));
    EXPECT_FALSE(cookie_domain_matches("1.2.3.4", "2.3.4"));  // never for IP addresses
}

TEST(http_cookie_jar, ip_host_gets_host_only_cookies) {
    cookie_jar jar;
    jar.set("ip=1; Path=/", at("127.0.0.1"), t0);
    EXPECT_EQ(jar.header_for(at("127.0.0.1"), t0), "ip=1");
    EXPECT_EQ(jar.header_for(at("127.0.0.2"), t0), "");
}

TEST(http_cookie_jar, default_path_is_the_directory_of_the_request_path) {
    EXPECT_EQ(cookie_default_path(""), "/");
    EXPECT_EQ(cookie_default_path("/"), "/");
    EXPECT_EQ(cookie_default_path("/login"), "/");
    EXPECT_EQ(cookie_default_path("/user/signin"), "/user");
    EXPECT_EQ(cookie_default_path("/a/b/"), "/a/b");
    EXPECT_EQ(cookie_default_path("relative"), "/");
    cookie_jar jar;
    jar.set("p=1", at("a.com", "/user/signin"), t0);
    jar.set("q=1; Path=relative", at("a.com", "/user/signin"), t0);  // not absolute: default
    ASSERT_EQ(jar.size(), 2u);
    EXPECT_EQ(jar.all()[0].path, "/user");
    EXPECT_EQ(jar.all()[1].path, "/user");
    EXPECT_EQ(jar.header_for(at("a.com", "/user"), t0), "p=1; q=1");
    EXPECT_EQ(jar.header_for(at("a.com", "/account"), t0), "");
}

TEST(http_cookie_jar, path_matching_rules) {
    EXPECT_TRUE(cookie_path_matches("/docs", "/docs"));
    EXPECT_TRUE(cookie_path_matches("/docs/web", "/docs"));
    EXPECT_TRUE(cookie_path_matches("/docs/web", "/docs/"));
    EXPECT_FALSE(cookie_path_matches("/docsets", "/docs"));
    EXPECT_FALSE(cookie_path_matches("/", "/docs"));
    EXPECT_TRUE(cookie_path_matches("", "/"));
}

TEST(http_cookie_jar, orders_longer_paths_first_then_older_first) {
    cookie_jar jar;
    jar.set("root=1; Path=/", at("a.com"), t0);
    jar.set("deep=1; Path=/a/b", at("a.com"), t0);
    jar.set("mid=1; Path=/a", at("a.com"), t0);
    jar.set("root2=1; Path=/", at("a.com"), t0);
    EXPECT_EQ(jar.header_for(at("a.com", "/a/b/c"), t0), "deep=1; mid=1; root=1; root2=1");
}

TEST(http_cookie_jar, replaces_by_name_domain_and_path_keeping_creation_order) {
    cookie_jar jar;
    jar.set("a=1; Path=/", at("a.com"), t0);
    jar.set("b=1; Path=/", at("a.com"), t0);
    jar.set("a=2; Path=/", at("a.com"), t0);   // same triple: replaced in place
    jar.set("a=3; Path=/x", at("a.com"), t0);  // other path: a second cookie
    EXPECT_EQ(jar.size(), 3u);
    EXPECT_EQ(jar.header_for(at("a.com", "/"), t0), "a=2; b=1");
    EXPECT_EQ(jar.header_for(at("a.com", "/x"), t0), "a=3; a=2; b=1");
}

TEST(http_cookie_jar, max_age_sets_expiry_and_zero_deletes) {
    cookie_jar jar;
    jar.set("m=1; Max-Age=60", at("a.com"), t0);
    EXPECT_EQ(jar.header_for(at("a.com"), t0 + 59s), "m=1");
    EXPECT_EQ(jar.header_for(at("a.com"), t0 + 60s), "");
    EXPECT_EQ(jar.size(), 0u);  // dropped once expired
    jar.set("n=1", at("a.com"), t0);
    jar.set("n=1; Max-Age=0", at("a.com"), t0);
    EXPECT_EQ(jar.size(), 0u);
    jar.set("o=1", at("a.com"), t0);
    jar.set("o=1; Max-Age=-5", at("a.com"), t0);
    EXPECT_EQ(jar.size(), 0u);
}

// A Max-Age that fits in int64 but not once added to the clock overflowed
// (UB; in practice a past expiry that deleted the cookie).
TEST(http_cookie_jar, a_huge_max_age_keeps_the_cookie) {
    cookie_jar jar;
    jar.set("m=1; Max-Age=9223372036854775807", at("a.com"), t0);
    jar.set("n=1; Max-Age=99999999999999999999999", at("a.com"), t0);
    EXPECT_EQ(jar.header_for(at("a.com"), t0 + 24h * 365 * 100), "m=1; n=1");
}

TEST(http_cookie_jar, expires_attribute_and_max_age_precedence) {
    cookie_jar jar;
    // t0 is 2023-11-14 22:13:20 UTC.
    jar.set("e=1; Expires=Wed, 15 Nov 2023 00:00:00 GMT", at("a.com"), t0);
    EXPECT_EQ(jar.header_for(at("a.com"), t0), "e=1");
    EXPECT_EQ(jar.header_for(at("a.com"), t0 + 2h), "");
    // A past Expires deletes; Max-Age wins over Expires in either order.
    jar.set("f=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=100", at("a.com"), t0);
    jar.set("g=1; Max-Age=100; Expires=Thu, 01 Jan 1970 00:00:00 GMT", at("a.com"), t0);
    jar.set("h=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT", at("a.com"), t0);
    EXPECT_EQ(jar.header_for(at("a.com"), t0), "f=1; g=1");
    // An unparseable Expires is ignored: a session cookie.
    jar.set("s=1; Expires=someday", at("a.com"), t0);
    EXPECT_EQ(jar.header_for(at("a.com"), t0 + 24h * 365 * 50), "s=1");
}

TEST(http_cookie_jar, parses_cookie_dates_in_their_many_forms) {
    std::int64_t t = 0;
    ASSERT_TRUE(parse_cookie_date("Sun, 06 Nov 1994 08:49:37 GMT", t));
    EXPECT_EQ(t, 784111777);
    ASSERT_TRUE(parse_cookie_date("Sunday, 06-Nov-94 08:49:37 GMT", t));
    EXPECT_EQ(t, 784111777);
    ASSERT_TRUE(parse_cookie_date("Sun Nov  6 08:49:37 1994", t));
    EXPECT_EQ(t, 784111777);
    ASSERT_TRUE(parse_cookie_date("06 nov 2030 8:9:7", t));
    EXPECT_FALSE(parse_cookie_date("Sun, 32 Nov 1994 08:49:37 GMT", t));
    EXPECT_FALSE(parse_cookie_date("Sun, 06 Nov 1994 25:49:37 GMT", t));
    EXPECT_FALSE(parse_cookie_date("Sun, 06 Nov 1994", t));
    EXPECT_FALSE(parse_cookie_date("tomorrow", t));
}

TEST(http_cookie_jar, secure_cookies_go_only_over_https) {
    cookie_jar jar;
    jar.set("s=1; Secure", at("a.com", "/", true), t0);
    jar.set("p=1", at("a.com", "/", true), t0);
    EXPECT_EQ(jar.header_for(at("a.com", "/", false), t0), "p=1");
    EXPECT_EQ(jar.header_for(at("a.com", "/", true), t0), "s=1; p=1");
    EXPECT_EQ(jar.find(at("a.com", "/", false), "s", t0), nullptr);
    ASSERT_NE(jar.find(at("a.com", "/", true), "s", t0), nullptr);
}

TEST(http_cookie_jar, find_returns_the_cookie_that_would_be_sent_first) {
    cookie_jar jar;
    jar.set("k=root; Path=/", at("a.com"), t0);
    jar.set("k=deep; Path=/x", at("a.com"), t0);
    ASSERT_NE(jar.find(at("a.com", "/x/y"), "k", t0), nullptr);
    EXPECT_EQ(jar.find(at("a.com", "/x/y"), "k", t0)->value, "deep");
    EXPECT_EQ(jar.find(at("a.com", "/"), "k", t0)->value, "root");
    EXPECT_EQ(jar.find(at("b.com", "/"), "k", t0), nullptr);
}

TEST(http_cookie_jar, ignores_cookies_over_4_kib) {
    cookie_jar jar;
    jar.set("big=" + std::string(cookie_jar::max_cookie_bytes, 'x'), at("a.com"), t0);
    EXPECT_EQ(jar.size(), 0u);
    jar.set("ok=" + std::string(cookie_jar::max_cookie_bytes - 2, 'x'), at("a.com"), t0);
    EXPECT_EQ(jar.size(), 1u);
}

TEST(http_cookie_jar, ignores_path_and_domain_over_1_kib) {
    cookie_jar jar;
    const std::string long_path = "/" + std::string(2000, 'p');
    jar.set("p=1; Path=" + long_path, at("a.com", "/dir/page"), t0);
    jar.set("d=1; Domain=" + std::string(1100, 'x') + ".a.com", at("www.a.com"), t0);
    ASSERT_EQ(jar.size(), 2u);
    EXPECT_EQ(jar.all()[0].path, "/dir");  // the default path
    EXPECT_EQ(jar.all()[1].domain, "www.a.com");
    EXPECT_TRUE(jar.all()[1].host_only);
}

TEST(http_cookie_jar, holds_at_most_300_cookies_evicting_the_oldest) {
    cookie_jar jar;
    for (int i = 0; i < 400; ++i) {
        jar.set("c" + std::to_string(i) + "=v", at("a.com"), t0);
    }
    EXPECT_EQ(jar.size(), cookie_jar::max_cookies);
    EXPECT_EQ(jar.find(at("a.com"), "c0", t0), nullptr);
    EXPECT_NE(jar.find(at("a.com"), "c399", t0), nullptr);
    EXPECT_NE(jar.find(at("a.com"), "c100", t0), nullptr);
}

}  // namespace
}  // namespace swarm::worker::http
