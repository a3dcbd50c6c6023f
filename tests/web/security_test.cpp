// The web UI's access controls and addressing: HTTP Basic (--web-auth,
// --web-auth-file) on everything but the probes, WebSocket included; HTTPS
// (--tls-cert/--tls-key); --web-base-path; bad options refused with exit 2.
#include <gmock/gmock.h>

#include <boost/json/parse.hpp>

#include <fstream>

#include "tests/support/test_pki.hpp"
#include "tests/web/web_support.hpp"

namespace swarm::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using namespace std::chrono_literals;
namespace json = boost::json;

std::string port_of(const running_ui& ui) {
    return ui.origin.substr(ui.origin.rfind(':') + 1);
}

http_response get_with(http_client& client, const std::string& target, const header_list& headers) {
    http_request req;
    req.target = target;
    req.headers = headers;
    return client.request(req);
}

const header_list good{{"Authorization", "Basic dXNlcjpzM2NyM3Q6eA=="}};   // user:s3cr3t:x
const header_list wrong{{"Authorization", "Basic dXNlcjpzM2NyM3Q6eQ=="}};  // user:s3cr3t:y

TEST(web_security_test, basic_auth_guards_everything_but_the_probes) {
    auto target = start_target({"--threads", "1"});
    auto ui = start_ui(simple_scenario(), {"-H", target.url, "--web-auth", "user:s3cr3t:x"});
    http_client client(ui.origin);
    const auto refused = client.get("/stats/requests");
    EXPECT_EQ(refused.status, 401);
    EXPECT_THAT(refused.header("WWW-Authenticate"), StartsWith("Basic realm="));
    EXPECT_EQ(client.get("/").status, 401);
    EXPECT_EQ(get_with(client, "/stats/requests", wrong).status, 401);
    EXPECT_EQ(get_with(client, "/stats/requests", good).status, 200);
    EXPECT_EQ(get_with(client, "/", good).status, 200);
    EXPECT_EQ(client.get("/healthz").status, 200);
    EXPECT_NE(client.get("/readyz").status, 401);
    EXPECT_EQ(
        client
            .request(
                {"POST", "/swarm", "user_count=1", "application/x-www-form-urlencoded", "", {}})
            .status,
        401);
    EXPECT_EQ(ws_refusal_status("127.0.0.1", port_of(ui), "/ws"), 401);
    ws_client ws("127.0.0.1", port_of(ui), "/ws", good);
    EXPECT_THAT(ws.read(), HasSubstr("\"type\":\"hello\""));
}

TEST(web_security_test, auth_file_accepts_each_listed_user) {
    auto target = start_target({"--threads", "1"});
    const auto file = ::testing::TempDir() + "/web_users.txt";
    std::ofstream(file) << "# users of the UI\nalice:one\n\nuser:s3cr3t:x\n";
    auto ui = start_ui(simple_scenario(), {"-H", target.url, "--web-auth-file", file});
    http_client client(ui.origin);
    EXPECT_EQ(get_with(client, "/workers", good).status, 200);
    EXPECT_EQ(get_with(client, "/workers", {{"Authorization", "Basic YWxpY2U6b25l"}}).status,
              200);  // alice:one
    EXPECT_EQ(get_with(client, "/workers", {{"Authorization", "Basic YWxpY2U6dHdv"}}).status,
              401);  // alice:two
}

TEST(web_security_test, tls_serves_https) {
    test_pki pki;
    auto target = start_target({"--threads", "1"});
    auto ui = start_ui(simple_scenario(), {"-H", target.url, "--tls-cert", pki.server_pem,
                                           "--tls-key", pki.server_key});
    ASSERT_THAT(ui.url, StartsWith("https://127.0.0.1:"));
    http_client client(ui.origin);
    EXPECT_EQ(client.get("/healthz").status, 200);
    EXPECT_THAT(client.get("/").body, HasSubstr("app.js"));
    // Plain HTTP on the TLS port gets no HTTP answer.
    EXPECT_THAT(raw_exchange("127.0.0.1", port_of(ui), "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 3s),
                Not(StartsWith("HTTP/1.1 200")));
}

TEST(web_security_test, wss_pushes_snapshots_over_tls_and_refuses_without_credentials) {
    test_pki pki;
    auto target = start_target({"--threads", "1"});
    auto ui =
        start_ui(simple_scenario(), {"-H", target.url, "--tls-cert", pki.server_pem, "--tls-key",
                                     pki.server_key, "--web-auth", "user:s3cr3t:x"});
    const ws_endpoint wss{"127.0.0.1", port_of(ui), "/ws", pki.ca_pem};
    EXPECT_EQ(ws_refusal_status(wss), 401);
    EXPECT_EQ(ws_refusal_status(wss, wrong), 401);
    ws_client ws(wss, good);
    EXPECT_THAT(ws.read(), HasSubstr("\"type\":\"hello\""));
    // The pushes after the hello are snapshots, once a second.
    const auto snapshot = json::parse(ws.read());
    EXPECT_EQ(snapshot.at("type").as_string(), "snapshot");
    EXPECT_EQ(snapshot.at("state").as_string(), "ready");
    EXPECT_TRUE(snapshot.at("stats").is_array());
    // A plain ws:// upgrade on the TLS port is never accepted (what comes
    // back is a TLS alert, which is no HTTP answer).
    EXPECT_NE(ws_refusal_status("127.0.0.1", port_of(ui), "/ws", good), 0);
}

TEST(web_security_test, base_path_moves_everything_under_it) {
    auto target = start_target({"--threads", "1"});
    auto ui = start_ui(simple_scenario(), {"-H", target.url, "--web-base-path", "/load/test/"});
    EXPECT_EQ(ui.base, "/load/test");
    http_client client(ui.origin);
    EXPECT_EQ(client.get("/load/test/healthz").status, 200);
    EXPECT_THAT(client.get("/load/test/").body, HasSubstr("app.js"));
    EXPECT_EQ(client.get("/load/test/stats/requests").status, 200);
    EXPECT_EQ(client.get("/stats/requests").status, 404);
    EXPECT_EQ(client.get("/load/testing/stats/requests").status, 404);
    // Without the trailing slash: a redirect to it (the UI's relative URLs need it).
    const auto bare = client.get("/load/test");
    EXPECT_EQ(bare.status, 308);
    EXPECT_EQ(bare.header("Location"), "/load/test/");
    EXPECT_EQ(client.get("/load/test?x=1").header("Location"), "/load/test/?x=1");
    EXPECT_THAT(client.get(bare.header("Location")).body, HasSubstr("app.js"));
    ws_client ws("127.0.0.1", port_of(ui), "/load/test/ws");
    EXPECT_THAT(ws.read(), HasSubstr("\"type\":\"hello\""));
}

TEST(web_security_test, bad_web_options_exit_2_with_a_message) {
    const std::vector<std::vector<std::string>> cases{
        {"--web-auth", "nocolon"},
        {"--web-base-path", "/a b"},
        {"--tls-cert", "/etc/hostname"},
    };
    for (const auto& extra : cases) {
        std::vector<std::string> argv{swarm_binary(), "run", simple_scenario(), "--web-port", "0"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        child_process p(argv);
        EXPECT_EQ(p.wait_exit(20s), 2) << extra[0];
    }
}

TEST(web_security_test, a_taken_port_is_a_clear_error) {
    auto target = start_target({"--threads", "1"});
    const auto port = target.port;
    child_process p({swarm_binary(), "run", simple_scenario(), "-H", target.url, "--web-port", port,
                     "--threads", "1"});
    // A start-up error before any test (README's exit codes): 2, as a bad
    // option; no test ran, so it is neither a test's failure (1) nor lost
    // infrastructure during a test (5).
    EXPECT_EQ(p.wait_exit(20s), 2);
}

}  // namespace
}  // namespace swarm::test
