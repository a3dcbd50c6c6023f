#include "tests/worker_user/fake_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <stdexcept>

#include "common/ascii.hpp"
#include "worker/http/client.hpp"
#include "worker/http/format.hpp"
#include "worker/http/url.hpp"

namespace swarm::worker::user::testing {

namespace {

constexpr int max_redirects = 10;  // as http::client

std::string key_of(scenario::http_method method, std::string url, bool with_query) {
    if (!with_query) url = url.substr(0, url.find('?'));
    return std::string(scenario::to_string(method)) + " " + url;
}

http::cookie_origin origin_of(const http::target_url& t) {
    return {t.host, t.path, t.tls};
}

}  // namespace

void fake_web::set_cookie(std::string_view url, std::string_view set_cookie) {
    const auto t = http::parse_target_url(url);
    if (t) cookies.set(set_cookie, origin_of(*t));
}

std::vector<std::string> fake_web::lines() const {
    std::vector<std::string> out;
    for (const auto& r : received) out.push_back(key_of(r.method, r.url, true));
    return out;
}

std::size_t fake_web::count(const std::string& key) const {
    const bool with_query = key.find('?') != std::string::npos;
    std::size_t n = 0;
    for (const auto& r : received) n += key_of(r.method, r.url, with_query) == key ? 1 : 0;
    return n;
}

boost::asio::awaitable<http::send_result> fake_session::send(const http::request& req) {
    struct in_flight_count {
        fake_web& web;
        explicit in_flight_count(fake_web& w) : web(w) {
            web.most_in_flight = std::max(web.most_in_flight, ++web.in_flight);
        }
        ~in_flight_count() { --web.in_flight; }
        in_flight_count(const in_flight_count&) = delete;
        in_flight_count& operator=(const in_flight_count&) = delete;
    } counted{*web_};
    bool cancelled = false;
    co_return co_await answer(req, cancelled);
}

boost::asio::awaitable<http::send_result> fake_session::answer(const http::request& req,
                                                               bool& cancelled) {
    http::request hop = req;
    std::chrono::microseconds latency{0};
    for (int hops = 0;; ++hops) {
        auto t = http::parse_target_url(hop.url);
        if (!t) co_return t.error();
        if (web_->keep_requests) web_->received.push_back(hop);
        auto it = web_->routes.find(key_of(hop.method, hop.url, true));
        if (it == web_->routes.end()) it = web_->routes.find(key_of(hop.method, hop.url, false));
        const scripted_response& s = it == web_->routes.end() ? web_->fallback : it->second;
        if (s.throws) throw std::runtime_error("boom");
        // The request's timeout bounds a delay, as the client's deadline does.
        const bool times_out = req.timeout.count() > 0 && s.delay > req.timeout;
        if (s.delay.count() > 0) {
            boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor,
                                            times_out ? req.timeout : s.delay);
            waiting_.push_back({&timer, &cancelled});
            co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
            std::erase_if(waiting_, [&](const waiting_send& w) { return w.delay == &timer; });
        }
        if (cancelled) co_return http::error(http::errc::cancelled);
        if (times_out) {
            http::error e(http::errc::timeout, http::format_duration(req.timeout));
            e.latency = latency + req.timeout;
            co_return e;
        }
        latency += s.latency;
        ++web_->sent;
        if (web_->after_send) web_->after_send(web_->sent);
        if (s.error) {
            http::error e = *s.error;
            e.latency = latency;
            co_return e;
        }
        for (const auto& [name, value] : s.headers) {
            if (iequals(name, "Set-Cookie")) web_->cookies.set(value, origin_of(*t));
        }
        const std::string* location = nullptr;
        for (const auto& [name, value] : s.headers) {
            if (iequals(name, "Location")) location = &value;
        }
        if (hop.follow_redirects && http::is_redirect(s.status) && location && !location->empty()) {
            if (hops == max_redirects) {
                co_return http::error(http::errc::too_many_redirects,
                                      std::to_string(max_redirects));
            }
            auto next = http::resolve_location(hop.url, *location);
            if (!next) co_return http::error(http::errc::bad_redirect, *location);
            if (http::redirect_becomes_get(s.status, hop.method)) {
                hop.method = scenario::http_method::get;
                hop.body.clear();
            }
            hop.url = std::move(*next);
            hop.parsed_url = nullptr;
            continue;
        }
        http::response out;
        out.status = s.status;
        out.headers = s.headers;
        out.body = s.body;
        out.latency = latency;
        out.wire_bytes = s.body.size();
        out.url = hop.url;
        co_return out;
    }
}

const std::string* fake_session::cookie(std::string_view url, std::string_view name) const {
    const auto t = http::parse_target_url(url);
    if (!t) return nullptr;
    const auto* c = web_->cookies.find(origin_of(*t), name);
    return c ? &c->value : nullptr;
}

void fake_session::close() {
    ++web_->closed;
    for (const waiting_send& w : waiting_) {
        *w.cancelled = true;
        w.delay->cancel();
    }
}

}  // namespace swarm::worker::user::testing
