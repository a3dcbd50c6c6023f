// `swarm run --headless` over HTTP/2 against servers that count by their own
// means (the test's parameter: nghttpd and `swarm target`, h2c and TLS with
// ALPN, and nginx over TLS): swarm's request count equals the server's, with
// no failures, for `protocol: h2c` and for `auto` over https, and
// `protocol:` per request too; the server saw every request over HTTP/2,
// and with `protocol: h1` every one over HTTP/1.1; one origin asked both in a
// `parallel:` block gets each request its own.
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
        if (const auto why = h2_server_missing(GetParam()); !why.empty()) GTEST_SKIP() << why;
        server_ = make_h2_server(GetParam());
        tls_ = !server_->ca_pem().empty();
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
    // A page (its text checked) and a POST.
    std::string page_and_post() const {
        const auto& r = server_->routes();
        return "      page: {get: " + r.page + ", check: {body_contains: " + r.page_text +
               "}}\n      post: {post: " + r.post + ", body: 'x={{ user_id }}'}\n";
    }
    // HTTP/2 as the server supports it: by ALPN over https, else prior knowledge.
    std::string h2_protocol() const { return tls_ ? "auto" : "h2c"; }
    run_outcome run(const std::string& path) const {
        std::vector<std::string> args{"-H", server_->url(""), "-u", "3", "-r", "30", "-t", "2s"};
        if (tls_) {
            args.emplace_back("--ca-file");
            args.push_back(server_->ca_pem());
        }
        return run_swarm(path, args);
    }
    // No failures, and the server counted what swarm reports; returns that count.
    std::int64_t expect_clean(const run_outcome& r) const {
        EXPECT_EQ(r.exit_code, 0) << r.output;
        EXPECT_TRUE(r.result.is_object()) << r.output;
        if (!r.result.is_object()) return -1;
        const auto requests = total_requests(r.result);
        EXPECT_GT(requests, 10) << r.output;
        EXPECT_EQ(total_failures(r.result), 0) << r.output;
        EXPECT_EQ(server_->wait_requests(static_cast<int>(requests)), requests) << r.output;
        return requests;
    }

    std::unique_ptr<h2_test_server> server_;
    bool tls_ = false;
    std::string dir_;
};

TEST_P(h2_run_test, counts_equal_the_servers) {
    const auto requests =
        expect_clean(run(scenario("    protocol: " + h2_protocol() + "\n", page_and_post())));
    EXPECT_EQ(server_->h2_requests(), requests);
}

TEST_P(h2_run_test, a_request_may_set_its_own_protocol) {
    // The class asks HTTP/1.1 (which nghttpd does not speak), the requests HTTP/2.
    const auto requests = expect_clean(
        run(scenario("    protocol: h1\n", "      page: {get: " + server_->routes().page +
                                               ", protocol: " + h2_protocol() + "}\n")));
    EXPECT_EQ(server_->h2_requests(), requests);
}

TEST_P(h2_run_test, protocol_h1_speaks_http_1_1_only) {
    if (!server_->speaks_h1()) GTEST_SKIP() << GetParam() << " speaks HTTP/2 only";
    // Over https the server offers h2 by ALPN; swarm must not take it.
    expect_clean(run(scenario("    protocol: h1\n", page_and_post())));
    EXPECT_EQ(server_->h2_requests(), 0);
}

// One origin asked both protocols, in a `parallel:` block too (the target
// counts them apart): the h1 request gets HTTP/1.1 while HTTP/2 streams are
// open, the others HTTP/2.
TEST(h2_run_mixed, a_parallel_block_mixing_protocols_gives_each_its_own) {
    const target_h2_server server(true);
    const auto path = write_scenario("h2_mixed.yaml", R"y(users:
  U:
    wait: {constant: 50ms}
    tasks:
      page:
        steps:
          - get: /about
          - parallel:
              - {get: "/slow?ms=100", name: slow}
              - {get: /about, name: legacy, protocol: h1}
)y");
    const auto r = run_swarm(path, {"-H", server.url(""), "--ca-file", server.ca_pem(), "-u", "2",
                                    "-r", "20", "-t", "2s"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    ASSERT_TRUE(r.result.is_object()) << r.output;
    EXPECT_EQ(total_failures(r.result), 0) << r.output;
    auto rows = requests_by_entry(r.result);
    const auto h1 = rows["GET legacy"];
    const auto h2 = rows["GET /about"] + rows["GET slow"];
    EXPECT_GT(h1, 3) << r.output;
    EXPECT_EQ(server.wait_requests(static_cast<int>(h1 + h2)), h1 + h2) << r.output;
    EXPECT_EQ(server.h2_requests(), h2) << r.output;
}

INSTANTIATE_TEST_SUITE_P(servers, h2_run_test, ::testing::ValuesIn(test::h2_server_names),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                             return test::h2_server_test_name(p.param);
                         });

}  // namespace
}  // namespace swarm::test
