// The seed example scenarios/website.yaml against a fake site, with the
// CSRF token extracted from the contact page and posted back.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/worker_user/harness.hpp"

namespace swarm::worker::user {
namespace {

using testing::harness;

std::string website_without_think_time() {
    std::ifstream in(std::string(SWARM_SOURCE_DIR) + "/scenarios/website.yaml");
    std::stringstream text;
    text << in.rdbuf();
    std::string source = text.str();
    // Think time of 1-15 s would make the test take minutes; everything else is as shipped.
    const std::string wait = "wait: {between: [1s, 15s]}";
    const auto at = source.find(wait);
    EXPECT_NE(at, std::string::npos);
    if (at != std::string::npos) source.replace(at, wait.size(), "wait: 0s");
    return source;
}

TEST(website, signs_in_browses_and_posts_the_contact_form_with_its_token) {
    harness h(website_without_think_time());
    ASSERT_TRUE(h.program);
    const std::string site = "http://127.0.0.1:8080";
    h.web->routes["GET " + site + "/about"].body = "<h1>About</h1><p>Founded in 1999</p>";
    h.web->routes["GET " + site + "/contact_us"].body =
        "<form method=post><input value=\"tok-42\" type=\"hidden\" name=\"csrf_token\">"
        "<input name=email></form>";
    h.start(5);
    h.stop_after(400);
    h.run();

    ASSERT_GE(h.web->received.size(), 400u);
    const auto& signin = h.web->received[0];
    EXPECT_EQ(signin.url, site + "/user/signin");
    EXPECT_EQ(signin.body, "email=user5%40example.com&password=what%21thatsmypasswordtoo");

    const auto posts = h.web->count("POST " + site + "/contact_us");
    EXPECT_GT(posts, 5u);  // weight 1 of 16 over ~400 tasks
    EXPECT_EQ(posts, h.web->count("GET " + site + "/contact_us"));
    for (const auto& r : h.web->received) {
        if (r.method != scenario::http_method::post || r.url != site + "/contact_us") continue;
        EXPECT_EQ(r.body,
                  "csrf_token=tok-42&email=user5%40example.com&subject=Sales+inquiry&"
                  "message=I+am+very+interested+in+your+product...");
    }
    EXPECT_GT(h.count("GET", "/"), h.count("GET", "/about"));
    EXPECT_EQ(h.count("POST", "/user/signin"), 1u);
    EXPECT_EQ(h.count("POST", "/contact_us"), posts);
    EXPECT_EQ(h.delta.requests.total().requests(), h.web->received.size());
    EXPECT_EQ(h.delta.requests.total().failures(), 0u);
    EXPECT_TRUE(h.delta.errors.empty());
}

TEST(website, about_without_founded_is_a_failed_check) {
    harness h(website_without_think_time());
    h.web->routes["GET http://127.0.0.1:8080/about"].body = "<h1>About</h1>";
    h.start();
    h.stop_after(200);
    h.run();
    EXPECT_GT(h.count("GET", "/about"), 0u);
    EXPECT_EQ(h.failures("GET", "/about"), h.count("GET", "/about"));
    EXPECT_EQ(h.errors("GET", "/about", "body does not contain 'Founded'"),
              h.count("GET", "/about"));
}

}  // namespace
}  // namespace swarm::worker::user
