// The cookie jar's shortcut past the expiry sweep: a cookie still leaves the
// Cookie header the moment it expires, whether it was set with Max-Age,
// replaced by a shorter-lived one, or sits among session cookies; and a
// host in capitals or IPv6 brackets still finds its cookies.

#include <gtest/gtest.h>

#include "worker/http/cookie_jar.hpp"

namespace swarm::worker::http {
namespace {

using clock_type = cookie_jar::clock;
const clock_type::time_point t0 = clock_type::time_point(std::chrono::seconds(1'800'000'000));
const cookie_origin site{"example.com", "/", false};

TEST(cookie_expiry, a_cookie_leaves_the_header_when_it_expires) {
    cookie_jar jar;
    jar.set("s=session", site, t0);
    jar.set("short=1; Max-Age=10", site, t0);
    EXPECT_EQ(jar.header_for(site, t0 + std::chrono::seconds(9)), "s=session; short=1");
    EXPECT_EQ(jar.header_for(site, t0 + std::chrono::seconds(10)), "s=session");
    EXPECT_EQ(jar.size(), 1u);
}

TEST(cookie_expiry, a_replacement_with_a_shorter_life_expires_on_time) {
    cookie_jar jar;
    jar.set("a=1; Max-Age=1000", site, t0);
    EXPECT_EQ(jar.header_for(site, t0 + std::chrono::seconds(5)), "a=1");
    jar.set("a=2; Max-Age=10", site, t0 + std::chrono::seconds(5));
    EXPECT_EQ(jar.header_for(site, t0 + std::chrono::seconds(14)), "a=2");
    EXPECT_EQ(jar.header_for(site, t0 + std::chrono::seconds(15)), "");
    // And a longer life after a shorter one: still there until the new end.
    jar.set("b=1; Max-Age=10", site, t0);
    jar.set("b=2; Max-Age=100", site, t0);
    EXPECT_EQ(jar.header_for(site, t0 + std::chrono::seconds(50)), "b=2");
}

TEST(cookie_expiry, clear_forgets_expiries_too) {
    cookie_jar jar;
    jar.set("a=1; Max-Age=10", site, t0);
    jar.clear();
    jar.set("b=1", site, t0);
    EXPECT_EQ(jar.header_for(site, t0 + std::chrono::seconds(100)), "b=1");
}

TEST(cookie_expiry, hosts_match_whatever_their_case_or_brackets) {
    cookie_jar jar;
    jar.set("a=1", {"Example.COM", "/", false}, t0);
    EXPECT_EQ(jar.header_for(site, t0), "a=1");
    EXPECT_EQ(jar.header_for({"EXAMPLE.com", "/x", false}, t0), "a=1");
    jar.set("v6=1", {"[::1]", "/", false}, t0);
    EXPECT_EQ(jar.header_for({"::1", "/", false}, t0), "v6=1");
    EXPECT_EQ(jar.header_for({"[::1]", "/", false}, t0), "v6=1");
    ASSERT_NE(jar.find({"EXAMPLE.COM", "/", false}, "a", t0), nullptr);
}

}  // namespace
}  // namespace swarm::worker::http
