// h2_session (target/h2_session.hpp) without sockets: an nghttp2 client
// session in the test exchanges bytes with it in memory, so the rules that
// sockets make hard to reach are checked exactly — a delayed answer whose
// stream or connection goes away is still counted once.

#include "target/h2_session.hpp"

#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace swarm::test {
namespace {

using target::h2_session;

// A minimal HTTP/2 client: what each stream answered.
struct h2_client {
    struct answer {
        int status = 0;
        std::string body;
        bool closed = false;
    };

    h2_client() {
        nghttp2_session_callbacks* cbs = nullptr;
        nghttp2_session_callbacks_new(&cbs);
        nghttp2_session_callbacks_set_on_header_callback(
            cbs, [](nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                    std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                    std::uint8_t, void* self) {
                const std::string n(reinterpret_cast<const char*>(name), namelen);
                if (n == ":status") {
                    static_cast<h2_client*>(self)->answers[frame->hd.stream_id].status =
                        std::stoi(std::string(reinterpret_cast<const char*>(value), valuelen));
                }
                return 0;
            });
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
            cbs, [](nghttp2_session*, std::uint8_t, std::int32_t id, const std::uint8_t* data,
                    std::size_t len, void* self) {
                static_cast<h2_client*>(self)->answers[id].body.append(
                    reinterpret_cast<const char*>(data), len);
                return 0;
            });
        nghttp2_session_callbacks_set_on_stream_close_callback(
            cbs, [](nghttp2_session*, std::int32_t id, std::uint32_t, void* self) {
                static_cast<h2_client*>(self)->answers[id].closed = true;
                return 0;
            });
        nghttp2_session_client_new(&session, cbs, this);
        nghttp2_session_callbacks_del(cbs);
        nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, nullptr, 0);
    }
    ~h2_client() { nghttp2_session_del(session); }
    h2_client(const h2_client&) = delete;
    h2_client& operator=(const h2_client&) = delete;

    std::int32_t get(const std::string& path) {
        const auto nv = [](const char* name, const std::string& value) {
            return nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(name)),
                              reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())),
                              std::strlen(name), value.size(), NGHTTP2_NV_FLAG_NONE};
        };
        const std::string get = "GET";
        const std::string http = "http";
        const std::string host = "x";
        const std::vector<nghttp2_nv> headers = {nv(":method", get), nv(":scheme", http),
                                                 nv(":authority", host), nv(":path", path)};
        return nghttp2_submit_request(session, nullptr, headers.data(), headers.size(), nullptr,
                                      nullptr);
    }

    nghttp2_session* session = nullptr;
    std::map<std::int32_t, answer> answers;
};

// Moves bytes both ways until neither side has anything to say.
void pump(h2_client& client, h2_session& server) {
    for (int round = 0; round < 1000; ++round) {
        bool moved = false;
        const std::uint8_t* data = nullptr;
        for (ssize_t n; (n = nghttp2_session_mem_send(client.session, &data)) > 0;) {
            ASSERT_TRUE(
                server.receive({reinterpret_cast<const char*>(data), static_cast<std::size_t>(n)}));
            moved = true;
        }
        std::string out;
        ASSERT_TRUE(server.take_output(out, 1 << 20));
        if (!out.empty()) {
            const auto* bytes = reinterpret_cast<const std::uint8_t*>(out.data());
            ASSERT_EQ(nghttp2_session_mem_recv(client.session, bytes, out.size()),
                      static_cast<ssize_t>(out.size()));
            moved = true;
        }
        if (!moved) return;
    }
    FAIL() << "the sessions never went quiet";
}

std::uint64_t slow_count(target::site& s) {
    const auto stats = s.counters().snapshot();
    const auto it = stats.routes.find("GET /slow");
    return it == stats.routes.end() ? 0 : it->second.at(200);
}

class target_h2_session : public ::testing::Test {
  protected:
    target::site site_{1};
    std::unique_ptr<h2_session> server_ =
        std::make_unique<h2_session>(site_, site_.counters().for_thread(0));
    h2_client client_;  // sends the connection preface itself
};

TEST_F(target_h2_session, answers_like_http11_and_counts_per_protocol) {
    const auto about = client_.get("/about");
    const auto bytes = client_.get("/bytes/100000");
    const auto missing = client_.get("/nowhere");
    pump(client_, *server_);
    EXPECT_EQ(client_.answers[about].status, 200);
    EXPECT_NE(client_.answers[about].body.find("Founded"), std::string::npos);
    EXPECT_EQ(client_.answers[bytes].body.size(), 100000u);
    EXPECT_EQ(client_.answers[bytes].body.substr(0, 4), "abcd");
    EXPECT_EQ(client_.answers[missing].status, 404);
    const auto stats = site_.counters().snapshot();
    EXPECT_EQ(stats.total, 3u);
    EXPECT_EQ(stats.h2, 3u);
    EXPECT_EQ(stats.h1, 0u);
    EXPECT_EQ(stats.h2_connections.connections, 1u);
}

TEST_F(target_h2_session, a_delayed_answer_waits_and_is_counted_when_due) {
    const auto slow = client_.get("/slow?ms=5000");
    const auto fast = client_.get("/about");
    pump(client_, *server_);
    EXPECT_EQ(client_.answers[fast].status, 200);
    EXPECT_EQ(client_.answers[slow].status, 0);
    EXPECT_EQ(slow_count(site_), 0u);
    ASSERT_TRUE(server_->next_due().has_value());
    server_->answer_due(*server_->next_due());
    pump(client_, *server_);
    EXPECT_EQ(client_.answers[slow].status, 200);
    EXPECT_EQ(slow_count(site_), 1u);
    EXPECT_FALSE(server_->next_due().has_value());
}

TEST_F(target_h2_session, a_delayed_answer_reset_by_the_client_is_counted_once) {
    const auto slow = client_.get("/slow?ms=5000");
    pump(client_, *server_);
    nghttp2_submit_rst_stream(client_.session, NGHTTP2_FLAG_NONE, slow, NGHTTP2_CANCEL);
    pump(client_, *server_);
    EXPECT_EQ(slow_count(site_), 1u);
    server_->answer_due(h2_session::clock::now() + std::chrono::hours(1));
    pump(client_, *server_);
    EXPECT_EQ(slow_count(site_), 1u);
}

TEST_F(target_h2_session, a_delayed_answer_is_counted_when_the_connection_ends) {
    client_.get("/slow?ms=5000");
    client_.get("/slow?ms=6000");
    pump(client_, *server_);
    EXPECT_EQ(slow_count(site_), 0u);
    server_.reset();
    EXPECT_EQ(slow_count(site_), 2u);
}

TEST_F(target_h2_session, a_bad_preface_ends_the_session_and_is_counted) {
    h2_session other(site_, site_.counters().for_thread(0));
    EXPECT_FALSE(other.receive("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n"));
    EXPECT_EQ(site_.counters().snapshot().h2_connections.protocol_errors, 1u);
}

}  // namespace
}  // namespace swarm::test
