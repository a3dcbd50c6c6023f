#include "tests/worker_user/fake_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <stdexcept>

namespace swarm::worker::user::testing {

namespace {

std::string key_of(const http::request& r, bool with_query) {
    std::string url = r.url;
    if (!with_query) url = url.substr(0, url.find('?'));
    return std::string(scenario::to_string(r.method)) + " " + url;
}

}  // namespace

std::vector<std::string> fake_web::lines() const {
    std::vector<std::string> out;
    for (const auto& r : received) out.push_back(key_of(r, true));
    return out;
}

std::size_t fake_web::count(const std::string& key) const {
    const bool with_query = key.find('?') != std::string::npos;
    std::size_t n = 0;
    for (const auto& r : received) n += key_of(r, with_query) == key ? 1 : 0;
    return n;
}

boost::asio::awaitable<void> fake_session::send(const http::request& req, http::response& out) {
    if (web_->keep_requests) web_->received.push_back(req);
    auto it = web_->routes.find(key_of(req, true));
    if (it == web_->routes.end()) it = web_->routes.find(key_of(req, false));
    const scripted_response& s = it == web_->routes.end() ? web_->fallback : it->second;
    if (s.throws) throw std::runtime_error("boom");
    if (s.delay.count() > 0) {
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, s.delay);
        co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    out.status = s.error.empty() ? s.status : 0;
    out.headers = s.headers;
    out.body = s.body;
    out.error = s.error;
    out.latency = s.latency;
    out.wire_bytes = s.body.size();
    out.url = req.url;
    for (const auto& [name, value] : s.set_cookies) web_->cookies[name] = value;
    ++web_->sent;
    if (web_->after_send) web_->after_send(web_->sent);
}

const std::string* fake_session::cookie(std::string_view, std::string_view name) const {
    auto it = web_->cookies.find(std::string(name));
    return it == web_->cookies.end() ? nullptr : &it->second;
}

}  // namespace swarm::worker::user::testing
