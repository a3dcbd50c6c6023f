// WebSocket steps: ws (connect), send, receive and close, each a row of
// type WS (scenario::ws_method) in the stats.
#include <algorithm>
#include <chrono>
#include <optional>

#include "worker/user/checks.hpp"
#include "worker/user/failure_text.hpp"
#include "worker/user/request_builder.hpp"
#include "worker/user/virtual_user.hpp"

namespace swarm::worker::user {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;

// The user's WebSocket, and when its latest unanswered send went out (a
// receive's latency counts from there).
struct virtual_user::ws_state {
    std::unique_ptr<http::websocket> socket;
    std::optional<steady::time_point> unanswered_send;
    // Why there is no socket, for the steps that find none.
    const char* missing = "none opened";
};

namespace {

std::chrono::microseconds since(steady::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - t);
}

// ws:// and wss:// as written; a path goes on the class's host (http → ws).
std::string ws_url(std::string_view host, std::string_view rendered) {
    if (rendered.substr(0, 1) != "/") return http::ws_to_http_url(rendered);
    std::string out;
    join_url(host, rendered, out);
    return out;
}

}  // namespace

void virtual_user::ws_state_deleter::operator()(ws_state* s) const {
    std::default_delete<ws_state>()(s);
}

bool virtual_user::ws_open() const {
    return ws_ && ws_->socket && ws_->socket->is_open();
}

swarm::result<void> virtual_user::not_open() const {
    const char* why = !ws_ ? "none opened" : !ws_->socket ? ws_->missing : "it closed";
    return fail(failure_text(http::error(http::errc::ws_not_open, why)));
}

void virtual_user::cancel_ws() {
    if (ws_ && ws_->socket) ws_->socket->cancel();
}

void virtual_user::close_ws() {
    ws_.reset();
}

void virtual_user::record_ws(std::string_view name, std::chrono::microseconds latency,
                             std::uint64_t bytes, const swarm::result<void>& verdict) {
    const auto latency_us = static_cast<std::uint64_t>(std::max<std::int64_t>(latency.count(), 0));
    sink_->delta->requests.record(scenario::ws_method, name, latency_us, bytes, !verdict);
    if (verdict) return;
    ++requests_failed_;
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    sink_->delta->errors.record(scenario::ws_method, name, verdict.error().message,
                                std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

asio::awaitable<virtual_user::flow> virtual_user::run_ws_step(const scenario::step& s) {
    if (stop_now()) co_return flow::stop;
    if (const auto* c = std::get_if<scenario::ws_connect_step>(&s.action))
        co_return co_await run_ws_connect(*c);
    if (const auto* snd = std::get_if<scenario::ws_send_step>(&s.action))
        co_return co_await run_ws_send(*snd);
    if (const auto* r = std::get_if<scenario::ws_receive_step>(&s.action))
        co_return co_await run_ws_receive(*r);
    if (const auto* x = std::get_if<scenario::ws_close_step>(&s.action))
        co_return co_await run_ws_close(*x);
    co_return flow::next;
}

asio::awaitable<virtual_user::flow> virtual_user::run_ws_connect(
    const scenario::ws_connect_step& s) {
    if (!ws_) ws_.reset(std::make_unique<ws_state>().release());
    ws_->socket.reset();  // a second ws: replaces the first
    ws_->unanswered_send.reset();
    http::ws_request req;
    req.url = ws_url(program_->host(), s.url.render(env_));
    for (const auto& [name, value] : s.headers) req.headers.emplace_back(name, value.render(env_));
    req.subprotocols = s.subprotocols;
    if (s.timeout) req.timeout = *s.timeout;
    req.max_message_bytes = s.max_message_bytes;
    if (env_.take_data_ran_out()) co_return flow::stop_user;  // built with a missing record
    const auto started = steady::now();
    ++requests_sent_;
    in_flight_ = true;
    auto opened = co_await session_->open_websocket(req);
    in_flight_ = false;
    const auto took = since(started);
    if (!opened) {
        ws_->missing = "its ws: step failed";
        const swarm::result<void> verdict = fail(failure_text(opened.error()));
        if (sink_->observer) sink_->observer->on_ws_connect(s, req.url, {}, took, verdict);
        record_ws(s.name, took, 0, verdict);
        co_return flow::end_task;  // the rest of the task needs the WebSocket
    }
    ws_->socket = std::move(*opened);
    if (sink_->observer)
        sink_->observer->on_ws_connect(s, req.url, ws_->socket->subprotocol(), took, {});
    record_ws(s.name, took, 0, {});
    co_return flow::next;
}

asio::awaitable<virtual_user::flow> virtual_user::run_ws_send(const scenario::ws_send_step& s) {
    if (!ws_open()) {
        const auto verdict = not_open();
        if (sink_->observer) sink_->observer->on_ws_send(s, {}, false, {}, verdict);
        record_ws(s.name, {}, 0, verdict);
        co_return flow::end_task;
    }
    std::string rendered;
    std::string_view payload;
    switch (s.payload) {
        case scenario::ws_send_step::payload_kind::text:
            s.text.render(env_, rendered);
            payload = rendered;
            break;
        case scenario::ws_send_step::payload_kind::json:
            render_json_body(s.json, &env_, rendered);
            payload = rendered;
            break;
        case scenario::ws_send_step::payload_kind::binary:
            payload = *s.content;
            break;
    }
    if (env_.take_data_ran_out()) co_return flow::stop_user;
    const auto started = steady::now();
    ++requests_sent_;
    in_flight_ = true;
    const bool binary = s.payload == scenario::ws_send_step::payload_kind::binary;
    const auto sent = co_await ws_->socket->send(payload, binary, {});
    in_flight_ = false;
    const auto took = since(started);
    const swarm::result<void> verdict =
        sent ? swarm::result<void>() : fail(failure_text(sent.error()));
    if (sink_->observer) sink_->observer->on_ws_send(s, payload, binary, took, verdict);
    record_ws(s.name, took, payload.size(), verdict);
    if (!verdict) co_return flow::end_task;
    ws_->unanswered_send = started;
    co_return flow::next;
}

asio::awaitable<virtual_user::flow> virtual_user::run_ws_receive(
    const scenario::ws_receive_step& s) {
    if (!ws_open()) {
        const auto verdict = not_open();
        if (sink_->observer) sink_->observer->on_ws_receive(s, nullptr, false, 0, verdict);
        record_ws(s.name, {}, 0, verdict);
        co_return flow::end_task;
    }
    const auto from = ws_->unanswered_send.value_or(steady::now());
    const auto timeout = s.timeout.value_or(std::chrono::microseconds{0});
    http::response message;  // the message, as the checks see a response
    std::uint64_t bytes = 0;
    swarm::result<void> verdict;
    bool binary = false;
    std::int64_t messages = 1;
    for (;; ++messages) {
        http::ws_message got;
        ++requests_sent_;
        in_flight_ = true;
        const auto received = co_await ws_->socket->receive(got, timeout);
        in_flight_ = false;
        if (!received) {
            verdict = fail(failure_text(received.error()));
            if (sink_->observer)
                sink_->observer->on_ws_receive(s, nullptr, false, messages - 1, verdict);
            record_ws(s.name, since(from), bytes, verdict);
            co_return flow::end_task;
        }
        bytes += got.data.size();
        binary = got.binary;
        message.body = std::move(got.data);
        if (!s.until) break;
        if (program_->keeps_last_body()) env_.keep_last_body(std::string(message.body));
        if (tmpl::truthy(s.until->evaluate(env_))) break;
        if (messages >= s.max) {
            verdict = fail("receive until: still false after " + std::to_string(s.max) +
                           " messages (max)");
            break;
        }
    }
    const auto latency = since(from);
    ws_->unanswered_send.reset();
    message.status = 101;
    message.latency = latency;
    lazy_json json(message.body);
    const response_facts facts{message, *session_, {}, json, &env_};
    const bool end_task =
        check_and_extract(s.check, program_->expected(s), s.extract, facts, verdict);
    if (sink_->observer) sink_->observer->on_ws_receive(s, &facts, binary, messages, verdict);
    record_ws(s.name, latency, bytes, verdict);
    if (program_->keeps_last_body()) env_.keep_last_body(std::move(message.body));
    co_return end_task ? flow::end_task : flow::next;
}

asio::awaitable<virtual_user::flow> virtual_user::run_ws_close(const scenario::ws_close_step& s) {
    constexpr std::string_view name = "close";
    if (!ws_open()) {
        const auto verdict = not_open();
        if (sink_->observer) sink_->observer->on_ws_close(s, {}, verdict);
        record_ws(name, {}, 0, verdict);
        co_return flow::next;
    }
    const auto started = steady::now();
    ++requests_sent_;
    in_flight_ = true;
    const auto closed = co_await ws_->socket->close(s.code, s.reason, {});
    in_flight_ = false;
    const auto took = since(started);
    const swarm::result<void> verdict =
        closed ? swarm::result<void>() : fail(failure_text(closed.error()));
    if (sink_->observer) sink_->observer->on_ws_close(s, took, verdict);
    record_ws(name, took, 0, verdict);
    ws_->socket.reset();
    ws_->missing = "closed by a close step";
    co_return flow::next;
}

}  // namespace swarm::worker::user
