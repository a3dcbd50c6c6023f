#pragma once
// A scripted http::session for the virtual user's tests: answers by
// "METHOD URL" (full URL first, then without the query), records every
// request it receives, can delay an answer on a timer, and has a cookie jar
// the test sets directly. The test keeps the shared `fake_web` while the user
// owns the session.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "worker/http/session.hpp"

namespace swarm::worker::user::testing {

struct scripted_response {
    int status = 200;
    http::header_list headers;
    std::string body;
    std::string error;  // transport error instead of a response
    std::chrono::microseconds latency{1000};
    std::chrono::milliseconds delay{0};  // real time before the answer comes
    std::map<std::string, std::string> set_cookies;
    bool throws = false;  // send() throws (a broken client)
};

struct fake_web {
    std::map<std::string, scripted_response> routes;  // "GET http://h/path"
    scripted_response fallback;                       // for anything else (200, empty)
    std::vector<http::request> received;
    bool keep_requests = true;  // false: count them only (memory tests)
    std::size_t sent = 0;       // requests answered
    std::map<std::string, std::string> cookies;
    int closed = 0;
    // Called after each answer with the number of requests so far (sent).
    std::function<void(std::size_t)> after_send;

    // "METHOD URL" of every request received, in order.
    std::vector<std::string> lines() const;
    // Requests received for this "METHOD URL" (query ignored when the key has none).
    std::size_t count(const std::string& key) const;
};

class fake_session final : public http::session {
  public:
    explicit fake_session(std::shared_ptr<fake_web> web) : web_(std::move(web)) {}
    boost::asio::awaitable<void> send(const http::request& req, http::response& out) override;
    const std::string* cookie(std::string_view url, std::string_view name) const override;
    void close() override { ++web_->closed; }

  private:
    std::shared_ptr<fake_web> web_;
};

}  // namespace swarm::worker::user::testing
