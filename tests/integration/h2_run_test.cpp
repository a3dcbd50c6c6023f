// `swarm run --headless` over HTTP/2 against an independent server (the
// test's parameter; nghttpd today, h2c and TLS with ALPN): swarm's request
// count equals the server's own, with no failures, for `protocol: h2c` and
// for `auto` over https, and `protocol:` per request too.
#include <gmock/gmock.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/run_support.hpp"
#include "tests/support/h2_server.hpp"

namespace swarm::test {
namespace {

class h2_run_test : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        if (!nghttpd_server::available()) GTEST_SKIP() << "nghttpd (nghttp2-server) missing";
        server_ = make_h2_server(GetParam());
        tls_ = GetParam().ends_with("tls");
        dir_ = ::testing::TempDir() + "h2_run_" + GetParam();
        std::filesystem::create_directories(dir_);
    }
    std::string scenario(const std::string& class_keys, const std::string& tasks) const {
        auto path = dir_ + "/h2.yaml";
        std::ofstream(path) << "users:\n  U:\n    wait: {constant: 50ms}\n"
                            << class_keys << "    tasks:\n"
                            << tasks;
        return path;
    }
    run_outcome run(const std::string& path) const {
        std::vector<std::string> args{"-H", server_->url(""), "-u", "3", "-r", "30", "-t", "2s"};
        if (tls_) {
            args.emplace_back("--ca-file");
            args.push_back(dynamic_cast<const nghttpd_server&>(*server_).ca_pem());
        }
        return run_swarm(path, args);
    }
    void expect_clean(const run_outcome& r) const {
        EXPECT_EQ(r.exit_code, 0) << r.output;
        ASSERT_TRUE(r.result.is_object()) << r.output;
        const auto requests = total_requests(r.result);
        EXPECT_GT(requests, 10) << r.output;
        EXPECT_EQ(total_failures(r.result), 0) << r.output;
        EXPECT_EQ(server_->wait_requests(static_cast<int>(requests)), requests) << r.output;
    }

    std::unique_ptr<h2_test_server> server_;
    bool tls_ = false;
    std::string dir_;
};

TEST_P(h2_run_test, counts_equal_the_servers) {
    const std::string protocol = tls_ ? "auto" : "h2c";
    expect_clean(run(scenario("    protocol: " + protocol + "\n",
                              "      page: {get: /index.html, check: {body_contains: hello h2}}\n"
                              "      post: {post: /echo, body: 'x={{ user_id }}'}\n")));
}

TEST_P(h2_run_test, a_request_may_set_its_own_protocol) {
    // The class asks HTTP/1.1 (which nghttpd does not speak), the requests HTTP/2.
    const std::string protocol = tls_ ? "auto" : "h2c";
    expect_clean(run(scenario("    protocol: h1\n",
                              "      page: {get: /index.html, protocol: " + protocol + "}\n")));
}

INSTANTIATE_TEST_SUITE_P(servers, h2_run_test, ::testing::Values("nghttpd-h2c", "nghttpd-tls"),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                             std::string name = p.param;
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

}  // namespace
}  // namespace swarm::test
