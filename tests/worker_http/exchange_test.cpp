// The exchange template over Beast's in-memory test stream — failing the n-th
// operation for n = 0, 1, 2… — plus the client's small pure parts: URL
// parsing, redirect resolution, gzip decoding and message formatting.

#include <gtest/gtest.h>
#include <zlib.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>

#include "worker/http/client.hpp"
#include "worker/http/decode.hpp"
#include "worker/http/exchange.hpp"
#include "worker/http/format.hpp"
#include "worker/http/url.hpp"
#include "worker/user/failure_text.hpp"

namespace swarm::worker::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

const std::string canned_response =
    "HTTP/1.1 100 Continue\r\n\r\n"
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";

struct stream_run {
    bool done = false;
    exchange_outcome outcome;
    std::string sent;  // what reached the server side
};

// One exchange over a test stream whose n-th operation fails.
stream_run exchange_failing_at(std::size_t n, std::size_t read_size) {
    net::io_context ioc;
    beast::test::fail_count fc(n);
    beast::test::stream client_side(ioc, fc, canned_response);
    beast::test::stream server_side(ioc);
    client_side.connect(server_side);
    client_side.read_size(read_size);  // many small reads: many operations to fail
    const std::string req = "POST /form HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\na=1";
    stream_run run;
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
            run.outcome = co_await exchange(client_side, req, false, exchange_limits{});
            run.done = true;
        },
        net::detached);
    ioc.run_for(std::chrono::seconds(5));
    run.sent = server_side.str();
    return run;
}

TEST(http_exchange, completes_over_the_test_stream_skipping_interim_responses) {
    const auto run = exchange_failing_at(1000, 7);
    ASSERT_TRUE(run.done);
    ASSERT_FALSE(run.outcome.ec) << run.outcome.ec.message();
    EXPECT_EQ(run.outcome.message.status, 200);
    EXPECT_EQ(run.outcome.message.body, "hello world");
    EXPECT_EQ(run.outcome.message.field("content-type"), "text/plain");
    ASSERT_EQ(run.outcome.message.headers.size(), 2u);  // the 100's fields are not kept
    EXPECT_EQ(run.sent, "POST /form HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\na=1");
    EXPECT_TRUE(run.outcome.keep_alive);
}

TEST(http_exchange, every_failing_operation_yields_an_error_value) {
    std::size_t n = 0;
    for (; n < 500; ++n) {
        const auto run = exchange_failing_at(n, 7);
        ASSERT_TRUE(run.done) << "hung when operation " << n << " failed";
        if (!run.outcome.ec) break;  // n passed the number of operations: success
        EXPECT_EQ(run.outcome.ec, beast::test::error::test_failure) << "n = " << n;
    }
    EXPECT_GT(n, 10u);  // the small read size made many operations
    EXPECT_LT(n, 500u);
}

TEST(http_exchange, reports_whether_any_response_byte_arrived) {
    // Write fails: nothing received, a stale keep-alive connection may be retried.
    auto run = exchange_failing_at(0, 7);
    ASSERT_TRUE(run.done);
    EXPECT_FALSE(run.outcome.received_any);
    run = exchange_failing_at(3, 7);  // failing a read in the middle of the headers
    ASSERT_TRUE(run.done);
    EXPECT_TRUE(run.outcome.received_any);
}

TEST(http_exchange, enforces_header_and_body_limits) {
    net::io_context ioc;
    beast::test::stream s(ioc,
                          "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x'));
    beast::test::stream peer(ioc);
    s.connect(peer);
    const std::string req = "GET / HTTP/1.1\r\nHost: test\r\n\r\n";
    exchange_outcome outcome;
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
            outcome = co_await exchange(s, req, false, {1024, 99});
        },
        net::detached);
    ioc.run_for(std::chrono::seconds(5));
    EXPECT_EQ(outcome.ec, bhttp::error::body_limit);
}

// How a URL that does not parse reads in the failures table.
std::string why(const swarm::result<target_url, error>& r) {
    return r ? "parsed" : user::failure_text(r.error());
}

TEST(http_url, parses_origin_target_and_host_header) {
    auto t = parse_target_url("http://Example.COM:8080/a/b?x=1#frag");
    ASSERT_TRUE(t) << why(t);
    EXPECT_FALSE(t->tls);
    EXPECT_EQ(t->host, "example.com");
    EXPECT_EQ(t->port, 8080);
    EXPECT_EQ(t->target, "/a/b?x=1");
    EXPECT_EQ(t->path, "/a/b");
    EXPECT_EQ(t->origin, "http://example.com:8080");
    EXPECT_EQ(t->host_header, "Example.COM:8080");
    t = parse_target_url("https://[::1]");
    ASSERT_TRUE(t) << why(t);
    EXPECT_EQ(t->host, "::1");
    EXPECT_EQ(t->port, 443);
    EXPECT_EQ(t->host_header, "[::1]");
    EXPECT_EQ(t->target, "/");
    t = parse_target_url("https://a.com:443/");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->host_header, "a.com");
}

TEST(http_url, rejects_bad_urls_with_stable_messages) {
    auto t = parse_target_url("ftp://example.com/file");
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().kind, errc::unsupported_scheme);
    EXPECT_EQ(t.error().detail, "ftp");
    EXPECT_EQ(why(t), "unsupported URL scheme 'ftp'");
    t = parse_target_url("http://exa mple.com/");
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().kind, errc::invalid_url);
    EXPECT_EQ(why(t), "invalid URL 'http://exa mple.com/'");
    EXPECT_EQ(why(parse_target_url("/relative")), "invalid URL '/relative'");
    EXPECT_EQ(why(parse_target_url("http:///nohost")), "invalid URL 'http:///nohost'");
}

// Found by fuzz_response: Boost.URL took "http://[::1]w:8080/a/b" for host
// [::1] and path "w:8080/a/b", which became a request target that is not a path.
TEST(http_url, rejects_text_between_an_ip_literal_and_the_port) {
    EXPECT_EQ(why(parse_target_url("http://[::1]w:8080/a/b")),
              "invalid URL 'http://[::1]w:8080/a/b'");
    EXPECT_FALSE(parse_target_url("https://[::1]x"));
    const auto t = parse_target_url("http://[::1]:8080/a/b");
    ASSERT_TRUE(t) << why(t);
    EXPECT_EQ(t->target, "/a/b");
}

// A redirect to "http://evil.com%00.a.com/" resolved as evil.com (the
// resolver stops at the NUL) but carried a.com's domain cookies.
TEST(http_url, rejects_host_names_that_decode_to_what_no_name_holds) {
    EXPECT_EQ(why(parse_target_url("http://evil.com%00.a.com/")),
              "invalid URL 'http://evil.com%00.a.com/'");
    EXPECT_FALSE(parse_target_url("http://evil.com%2F.a.com/"));
    EXPECT_FALSE(parse_target_url("http://user%40evil.com%3A80/"));
    EXPECT_FALSE(parse_target_url("https://a%20b.com/"));
    const auto t = parse_target_url("http://ex%61mple.COM/");
    ASSERT_TRUE(t) << why(t);
    EXPECT_EQ(t->host, "example.com");
}

TEST(http_url, resolves_redirect_locations) {
    EXPECT_EQ(resolve_location("http://a.com/x/y?q=1", "/about"), "http://a.com/about");
    EXPECT_EQ(resolve_location("http://a.com/x/y", "z"), "http://a.com/x/z");
    EXPECT_EQ(resolve_location("http://a.com/x/y", "../up"), "http://a.com/up");
    EXPECT_EQ(resolve_location("http://a.com/x", "https://b.com/p#f"), "https://b.com/p");
    EXPECT_EQ(resolve_location("http://a.com/x", "//c.com/p"), "http://c.com/p");
    EXPECT_FALSE(resolve_location("http://a.com/x", "http://bad host/"));
}

std::string gzip_of(const std::string& plain) {
    z_stream z{};
    deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&z, plain.size()) + 32, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
    z.avail_in = static_cast<uInt>(plain.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

TEST(http_decode, inflates_gzip_within_the_limit) {
    const std::string plain(100'000, 'a');
    const std::string packed = gzip_of(plain);
    std::string out;
    EXPECT_EQ(inflate_body(packed, true, 1 << 20, out), decode_result::ok);
    EXPECT_EQ(out, plain);
    EXPECT_EQ(inflate_body(packed, true, 99'999, out), decode_result::too_large);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(inflate_body(packed.substr(0, packed.size() / 2), true, 1 << 20, out),
              decode_result::corrupt);
    EXPECT_EQ(inflate_body("not gzip at all", true, 1 << 20, out), decode_result::corrupt);
}

TEST(http_decode, a_zip_bomb_stops_at_the_limit) {
    const std::string packed = gzip_of(std::string(64 << 20, '\0'));  // 64 MiB → ~64 KiB
    std::string out;
    EXPECT_LT(packed.size(), 100'000u);
    EXPECT_EQ(inflate_body(packed, true, 16 << 20, out), decode_result::too_large);
}

TEST(http_format, sizes_and_durations_read_naturally) {
    EXPECT_EQ(format_bytes(16 << 20), "16 MiB");
    EXPECT_EQ(format_bytes(64 << 10), "64 KiB");
    EXPECT_EQ(format_bytes(1000), "1000 bytes");
    EXPECT_EQ(format_duration(std::chrono::seconds(2)), "2s");
    EXPECT_EQ(format_duration(std::chrono::milliseconds(200)), "200ms");
    EXPECT_EQ(format_duration(std::chrono::milliseconds(1500)), "1.5s");
    EXPECT_EQ(format_duration(std::chrono::microseconds(250)), "250us");
}

}  // namespace
}  // namespace swarm::worker::http
