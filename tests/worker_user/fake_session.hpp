#pragma once
// A scripted http::session for the virtual user's tests: answers by
// "METHOD URL" (full URL first, then without the query), records every
// request it receives, can delay an answer on a timer, keeps the cookies of
// Set-Cookie headers in a real cookie jar the test may also fill directly,
// and follows redirects by the client's rules. Sends may overlap (a
// parallel block's), each with its own delay and deadline; close() ends
// every one waiting. The test keeps the shared `fake_web` while the user
// owns the session.
//
// It answers what http::client answers for the same exchange (status, body,
// headers, cookies, final URL, error kinds): session_contract_test.cpp runs
// one typed suite over both.

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "worker/http/cookie_jar.hpp"
#include "worker/http/session.hpp"

namespace swarm::worker::user::testing {

struct scripted_response {
    int status = 200;
    http::header_list headers;  // Set-Cookie ones go into the jar, Location is followed
    std::string body;
    std::optional<http::error> error;  // the send fails instead (with `latency`)
    std::chrono::microseconds latency{1000};
    // Real time before the answer comes; past the request's timeout the
    // send fails with errc::timeout when the timeout is up.
    std::chrono::milliseconds delay{0};
    bool throws = false;  // send() throws (a broken client)
};

struct fake_web {
    std::map<std::string, scripted_response> routes;  // "GET http://h/path"
    scripted_response fallback;                       // for anything else (200, empty)
    std::vector<http::request> received;
    bool keep_requests = true;       // false: count them only (memory tests)
    std::size_t sent = 0;            // requests answered
    std::size_t in_flight = 0;       // sends begun and not ended
    std::size_t most_in_flight = 0;  // the most that overlapped
    http::cookie_jar cookies;        // the session's
    int closed = 0;
    // Called after each answer with the number of requests so far (sent).
    std::function<void(std::size_t)> after_send;

    // Stores a cookie as if `url` had answered with this Set-Cookie value.
    void set_cookie(std::string_view url, std::string_view set_cookie);
    // "METHOD URL" of every request received, in order.
    std::vector<std::string> lines() const;
    // Requests received for this "METHOD URL" (query ignored when the key has none).
    std::size_t count(const std::string& key) const;
};

class fake_session final : public http::session {
  public:
    explicit fake_session(std::shared_ptr<fake_web> web) : web_(std::move(web)) {}
    boost::asio::awaitable<http::send_result> send(const http::request& req) override;
    const std::string* cookie(std::string_view url, std::string_view name) const override;
    // Counts the call; a send waiting out its delay ends as errc::cancelled.
    void close() override;

    // A send waiting out its delay: close() sets `cancelled` and ends the wait.
    struct waiting_send {
        boost::asio::steady_timer* delay;
        bool* cancelled;
    };

  private:
    boost::asio::awaitable<http::send_result> answer(const http::request& req, bool& cancelled);

    std::shared_ptr<fake_web> web_;
    std::vector<waiting_send> waiting_;  // the pending sends' delays
};

}  // namespace swarm::worker::user::testing
