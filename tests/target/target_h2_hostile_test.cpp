// `swarm target` against HTTP/2 clients no real client would be: garbage
// after the preface, a preface that is not one, a client that opens more
// streams than allowed and never reads its answers. Raw frames on 127.0.0.1;
// each ends bounded and clean, and the target goes on serving.

#include "target/alpn.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process_memory.hpp"
#include "tests/support/target_process.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

namespace swarm::test {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

constexpr std::string_view preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr std::uint8_t frame_headers = 0x1;
constexpr std::uint8_t frame_settings = 0x4;
constexpr std::uint8_t frame_ping = 0x6;
constexpr std::uint8_t frame_goaway = 0x7;
constexpr std::uint8_t frame_window_update = 0x8;

void put_u32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

std::string frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream,
                  const std::string& payload) {
    std::string out;
    const auto n = static_cast<std::uint32_t>(payload.size());
    out += static_cast<char>((n >> 16) & 0xff);
    out += static_cast<char>((n >> 8) & 0xff);
    out += static_cast<char>(n & 0xff);
    out += static_cast<char>(type);
    out += static_cast<char>(flags);
    put_u32(out, stream);
    return out + payload;
}

// HPACK for "GET <path>" (path shorter than 127 bytes): indexed :method GET
// and :scheme http, literal :authority and :path without indexing.
std::string get_headers(const std::string& path) {
    std::string block = "\x82\x86";
    block += '\x01';
    block += '\x01';
    block += 'x';
    block += '\x04';
    block += static_cast<char>(path.size());
    block += path;
    return block;
}

struct frame_header {
    std::uint8_t type;
    std::uint32_t stream;
    std::string payload;
};

// The frames in what a server sent after its preface-less start.
std::vector<frame_header> parse_frames(std::string_view bytes) {
    std::vector<frame_header> frames;
    while (bytes.size() >= 9) {
        const auto u8 = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
        const std::size_t len = (u8(0) << 16) | (u8(1) << 8) | u8(2);
        if (bytes.size() < 9 + len) break;
        const std::uint32_t stream = ((u8(5) & 0x7fu) << 24) | (u8(6) << 16) | (u8(7) << 8) | u8(8);
        frames.push_back({u8(3), stream, std::string(bytes.substr(9, len))});
        bytes.remove_prefix(9 + len);
    }
    return frames;
}

std::optional<std::uint32_t> goaway_error(const std::vector<frame_header>& frames) {
    for (const auto& f : frames) {
        if (f.type != frame_goaway || f.payload.size() < 8) continue;
        const auto b = [&](std::size_t i) { return static_cast<std::uint8_t>(f.payload[i]); };
        return (static_cast<std::uint32_t>(b(4)) << 24) | (b(5) << 16) | (b(6) << 8) | b(7);
    }
    return std::nullopt;
}

boost::json::object stats_of(const std::string& url) {
    return boost::json::parse(http_get(url + "/__stats").body).as_object();
}

// ALPN wire format: each name behind its length byte.
std::vector<unsigned char> alpn_list(std::initializer_list<std::string_view> names) {
    std::vector<unsigned char> out;
    for (const auto name : names) {
        out.push_back(static_cast<unsigned char>(name.size()));
        out.insert(out.end(), name.begin(), name.end());
    }
    return out;
}

TEST(target_alpn, h2_wins_when_offered_else_http11_else_none) {
    EXPECT_EQ(target::choose_alpn(alpn_list({"http/1.1", "h2"})), "h2");
    EXPECT_EQ(target::choose_alpn(alpn_list({"h2c", "http/1.1"})), "http/1.1");
    EXPECT_EQ(target::choose_alpn(alpn_list({"h2c", "xh2"})), "");
    EXPECT_EQ(target::choose_alpn(alpn_list({})), "");
    const std::vector<unsigned char> truncated = {5, 'h', '2'};
    EXPECT_EQ(target::choose_alpn(truncated), "");
}

TEST(target_h2_hostile, garbage_after_the_preface_gets_goaway_and_a_close) {
    const auto target = start_target();
    const auto started = std::chrono::steady_clock::now();
    const std::string answer = raw_exchange(
        target.host, target.port, std::string(preface) + "this is no frame at all, not one");
    EXPECT_LT(std::chrono::steady_clock::now() - started, 4s) << "the target did not close";
    const auto frames = parse_frames(answer);
    ASSERT_FALSE(frames.empty()) << answer;
    EXPECT_EQ(frames.front().type, frame_settings);
    const auto error = goaway_error(frames);
    ASSERT_TRUE(error.has_value()) << "no GOAWAY";
    EXPECT_NE(*error, 0u) << "GOAWAY with NO_ERROR";
    EXPECT_EQ(http_get(target.url + "/about").status, 200);
    const auto stats = stats_of(target.url);
    EXPECT_EQ(stats.at("h2").at("connections"), 1);
    EXPECT_EQ(stats.at("h2").at("protocol_errors"), 1);
    EXPECT_EQ(stats.at("total"), 1);
}

TEST(target_h2_hostile, a_preface_that_is_not_one_is_an_http11_error) {
    const auto target = start_target();
    // Starts like the preface, then is not: HTTP/1.1 reads it and refuses it.
    const std::string answer =
        raw_exchange(target.host, target.port, "PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 4")) << answer;
    EXPECT_EQ(http_get(target.url + "/about").status, 200);
    const auto stats = stats_of(target.url);
    EXPECT_EQ(stats.at("h2").at("connections"), 0);
    EXPECT_EQ(stats.at("malformed"), 1);
    EXPECT_EQ(stats.at("protocols").at("h1"), 1);  // the /about after it
}

TEST(target_h2_hostile, malformed_request_headers_reset_only_their_stream) {
    const auto target = start_target();
    // Stream 1 has no :path (malformed), stream 3 is a good request.
    const std::string bad = "\x82\x86\x01\x01x";
    const std::string answer = raw_exchange(
        target.host, target.port,
        std::string(preface) + frame(frame_settings, 0, 0, "") + frame(frame_headers, 0x5, 1, bad) +
            frame(frame_headers, 0x5, 3, get_headers("/about")) +
            frame(frame_goaway, 0, 0, std::string(8, '\0')),
        3s);
    bool answered_3 = false;
    bool reset_1 = false;
    for (const auto& f : parse_frames(answer)) {
        answered_3 = answered_3 || (f.type == frame_headers && f.stream == 3);
        reset_1 = reset_1 || (f.type == 0x3 && f.stream == 1);
    }
    EXPECT_TRUE(answered_3);
    EXPECT_TRUE(reset_1);
    const auto stats = stats_of(target.url);
    EXPECT_EQ(stats.at("malformed"), 1);
    EXPECT_EQ(stats.at("protocols").at("h2"), 1);
    EXPECT_EQ(stats.at("h2").at("protocol_errors"), 0);
}

// A client opens 150 streams for 64 MiB each with unlimited flow-control
// windows, then never reads and keeps sending PINGs. The target answers at
// most its 100 concurrent streams, stops reading the client once its writes
// back up (or drops it for flooding), keeps its memory, and serves others.
TEST(target_h2_hostile, a_client_that_never_reads_is_bounded) {
    const auto target = start_target();
    const auto rss_before = rss_kib(target.process->pid());
    net::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(
        {net::ip::make_address(target.host), static_cast<unsigned short>(std::stoi(target.port))});
    std::string opening(preface);
    std::string window_setting("\x00\x04", 2);
    put_u32(window_setting, 0x7fffffff);  // SETTINGS_INITIAL_WINDOW_SIZE
    opening += frame(frame_settings, 0, 0, window_setting);
    std::string increment;
    put_u32(increment, 0x7fffffff - 65535);
    opening += frame(frame_window_update, 0, 0, increment);
    for (std::uint32_t stream = 1; stream < 300; stream += 2) {
        opening += frame(frame_headers, 0x5, stream, get_headers("/bytes/67108864"));
    }
    net::write(socket, net::buffer(opening));

    socket.non_blocking(true);
    const std::string ping = frame(frame_ping, 0, 0, std::string(8, 'p'));
    std::uint64_t sent = 0;
    bool stalled = false;
    bool closed = false;
    auto stuck_since = std::chrono::steady_clock::now();
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline && !stalled && !closed) {
        boost::system::error_code ec;
        const auto n = socket.write_some(net::buffer(ping), ec);
        if (ec == net::error::would_block) {
            if (std::chrono::steady_clock::now() - stuck_since > 2s) stalled = true;
            std::this_thread::sleep_for(10ms);
            continue;
        }
        if (ec) {
            closed = true;
            break;
        }
        sent += n;
        stuck_since = std::chrono::steady_clock::now();
    }
    EXPECT_TRUE(stalled || closed) << "the target read " << sent << " bytes of PINGs";
    // Meanwhile others are served, over both protocols.
    EXPECT_EQ(http_get(target.url + "/about").status, 200);
    const auto stats = stats_of(target.url);
    EXPECT_EQ(stats.at("routes").at("GET /bytes/67108864").at("200"), 100);
    const auto rss_after = rss_kib(target.process->pid());
    EXPECT_LT(rss_after, rss_before + 64 * 1024) << "KiB before " << rss_before;
    boost::system::error_code ignored;
    socket.close(ignored);
    EXPECT_EQ(http_get(target.url + "/").status, 200);
}

}  // namespace
}  // namespace swarm::test
