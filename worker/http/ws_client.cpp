// The WebSocket of a virtual user (websocket.hpp): Beast's websocket stream
// over the client's TCP or TLS stream. The only translation unit with
// Beast's websocket templates: one template over the next layer, made for
// the two streams the client has (ws_upgrade.hpp).
//
// Memory: an idle connected user keeps Beast's stream state (its 1.5 KiB
// frame buffer, a write buffer of ws_write_buffer_bytes, no deflate state:
// permessage-deflate is compiled out), one timer and this object. A
// message is read into a buffer that lives only during the receive.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>

#include "common/ascii.hpp"
#include "worker/http/format.hpp"
#include "worker/http/ws_upgrade.hpp"

namespace swarm::worker::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bws = boost::beast::websocket;
using steady = std::chrono::steady_clock;
using error_code = boost::system::error_code;

namespace {

constexpr auto as_value = net::as_tuple(net::use_awaitable);
// A client masks what it sends through this buffer: kept from the first
// send on, so small (messages over it go out in several writes, one frame).
constexpr std::size_t ws_write_buffer_bytes = 1024;

std::string close_code_name(std::uint16_t code) {
    switch (code) {
        case 1000:
            return "normal";
        case 1001:
            return "going away";
        case 1002:
            return "protocol error";
        case 1003:
            return "unsupported data";
        case 1005:
            return "no status";
        case 1007:
            return "bad payload";
        case 1008:
            return "policy violation";
        case 1009:
            return "message too big";
        case 1010:
            return "needs extension";
        case 1011:
            return "internal error";
        case 1012:
            return "service restart";
        case 1013:
            return "try again later";
        default:
            return {};
    }
}

// "1001 going away: shutting down"; a close frame without a code is 1005.
std::string describe_close(const bws::close_reason& cr) {
    const std::uint16_t code = cr.code == bws::close_code::none ? 1005 : cr.code;
    std::string out = std::to_string(code);
    if (auto name = close_code_name(code); !name.empty()) out += " " + name;
    if (!cr.reason.empty()) out += ": " + std::string(cr.reason.data(), cr.reason.size());
    return out;
}

bool is_ws_category(const error_code& ec) {
    return ec.category() == bws::make_error_code(bws::error::closed).category();
}

bool is_dropped(const error_code& ec) {
    return ec == net::error::eof || ec == net::error::connection_reset ||
           ec == net::error::broken_pipe || ec == net::error::connection_aborted ||
           ec == net::ssl::error::stream_truncated || ec == net::error::operation_aborted ||
           ec == net::error::bad_descriptor || ec == net::error::not_connected;
}

// The shared part of a websocket's deadline: an expiry that is queued when
// the websocket goes away finds `owner` null and does nothing.
struct ws_deadline {
    websocket* owner = nullptr;
    std::uint32_t armed = 0;  // bumped per operation: an older expiry is stale
    bool expired = false;
};

template <class NextLayer>
class beast_websocket final : public websocket {
  public:
    beast_websocket(NextLayer&& next, std::uint64_t max_message_bytes)
        : ws_(std::move(next)),
          timer_(ws_.get_executor()),
          deadline_(std::make_shared<ws_deadline>()),
          max_message_bytes_(max_message_bytes) {
        deadline_->owner = this;
        ws_.auto_fragment(false);
        ws_.write_buffer_bytes(ws_write_buffer_bytes);
        ws_.read_message_max(static_cast<std::size_t>(max_message_bytes));
        // Beast reports a close frame as error::closed only when the server
        // also ends TCP in time; this keeps the code and reason either way.
        ws_.control_callback([this](bws::frame_type kind, beast::string_view) {
            if (kind == bws::frame_type::close) close_received_ = true;
        });
    }
    ~beast_websocket() override { deadline_->owner = nullptr; }
    beast_websocket(const beast_websocket&) = delete;
    beast_websocket& operator=(const beast_websocket&) = delete;

    net::awaitable<ws_upgrade_result> handshake(const ws_upgrade& up);

    net::awaitable<ws_result> send(std::string_view payload, bool binary,
                                   std::chrono::microseconds timeout) override {
        if (!open_) co_return not_open();
        if (timeout.count() <= 0) timeout = default_timeout_;
        arm(steady::now() + timeout);
        ws_.binary(binary);
        const auto [ec, n] =
            co_await ws_.async_write(net::const_buffer(payload.data(), payload.size()), as_value);
        co_return settle(ec, timeout);
    }

    net::awaitable<ws_result> receive(ws_message& out, std::chrono::microseconds timeout) override {
        if (!open_) co_return not_open();
        if (timeout.count() <= 0) timeout = default_timeout_;
        arm(steady::now() + timeout);
        beast::flat_buffer buffer;  // only while reading (idle users keep none)
        const auto [ec, n] = co_await ws_.async_read(buffer, as_value);
        if (!ec) {
            out.binary = ws_.got_binary();
            const auto data = buffer.cdata();
            out.data.assign(static_cast<const char*>(data.data()), data.size());
        }
        co_return settle(ec, timeout);
    }

    net::awaitable<ws_result> close(std::uint16_t code, std::string_view reason,
                                    std::chrono::microseconds timeout) override {
        if (!open_) co_return not_open();
        if (timeout.count() <= 0) timeout = default_timeout_;
        arm(steady::now() + timeout);
        const auto [ec] = co_await ws_.async_close(
            bws::close_reason(static_cast<bws::close_code>(code),
                              beast::string_view(reason.data(), reason.size())),
            as_value);
        auto out = settle(ec, timeout);
        open_ = false;
        closed_by_us_ = true;
        interrupt();
        co_return out;
    }

    void cancel() override {
        cancelled_ = true;
        interrupt();
    }
    bool is_open() const override { return open_ && ws_.is_open(); }
    std::string_view subprotocol() const override { return subprotocol_; }

  private:
    void arm(steady::time_point at) {
        deadline_->expired = false;
        timer_.expires_at(at);
        timer_.async_wait([d = deadline_, n = ++deadline_->armed](const error_code& ec) {
            if (ec || !d->owner || n != d->armed) return;
            d->expired = true;
            static_cast<beast_websocket*>(d->owner)->expire();
        });
    }
    // The deadline passed: a shutdown, not a close, so that an operation
    // waiting in Beast's closing handshake (after an oversize or bad frame,
    // for a server that does not end TCP) ends with its real cause.
    void expire() {
        error_code ignored;
        beast::get_lowest_layer(ws_).shutdown(net::socket_base::shutdown_both, ignored);
    }
    void interrupt() {
        error_code ignored;
        beast::get_lowest_layer(ws_).close(ignored);
    }
    // Ends the operation's deadline; a failure ends the connection.
    ws_result settle(const error_code& ec, std::chrono::microseconds timeout) {
        ++deadline_->armed;
        timer_.cancel();
        if (!ec) return {};
        open_ = false;
        interrupt();
        if (cancelled_) return error{errc::cancelled};
        if (close_received_ || (is_ws_category(ec) && ec != bws::error::closed))
            return describe(ec);
        if (deadline_->expired) return error{errc::timeout, format_duration(timeout)};
        return describe(ec);
    }
    error describe(const error_code& ec) const {
        if (close_received_ || ec == bws::error::closed) {
            return error{errc::ws_closed, describe_close(ws_.reason())};
        }
        if (ec == bws::error::message_too_big || ec == net::error::no_buffer_space) {
            return error{errc::ws_too_large, format_bytes(max_message_bytes_)};
        }
        if (is_dropped(ec)) return error{errc::ws_dropped};
        if (is_ws_category(ec)) return error{errc::ws_protocol, ec.message()};
        return error{errc::io, ec.message()};
    }
    error not_open() const {
        if (cancelled_) return error{errc::cancelled};
        return error{errc::ws_not_open, closed_by_us_ ? "closed by a close step" : "it failed"};
    }

    bws::stream<NextLayer, false> ws_;  // no permessage-deflate: no zlib state per user
    net::steady_timer timer_;
    std::shared_ptr<ws_deadline> deadline_;
    std::uint64_t max_message_bytes_;
    std::chrono::microseconds default_timeout_{0};  // for operations given none
    std::string subprotocol_;
    bool open_ = false;
    bool cancelled_ = false;
    bool closed_by_us_ = false;
    bool close_received_ = false;  // a close frame came from the server
};

bool skipped_upgrade_header(std::string_view name) {
    // Framing and the handshake's own fields are Beast's; Cookie is merged by the client.
    return iequals(name, "Host") || iequals(name, "Cookie") || iequals(name, "Upgrade") ||
           iequals(name, "Connection") || iequals(name, "Sec-WebSocket-Key") ||
           iequals(name, "Sec-WebSocket-Version") || iequals(name, "Sec-WebSocket-Protocol") ||
           iequals(name, "Sec-WebSocket-Extensions") || iequals(name, "Content-Length");
}

std::string join_offers(const std::vector<std::string>& offers) {
    std::string out;
    for (const auto& p : offers) {
        if (!out.empty()) out += ", ";
        out += p;
    }
    return out;
}

template <class NextLayer>
net::awaitable<ws_upgrade_result> beast_websocket<NextLayer>::handshake(const ws_upgrade& up) {
    const auto offers = up.subprotocols ? join_offers(*up.subprotocols) : std::string();
    ws_.set_option(bws::stream_base::decorator([&up, &offers](bws::request_type& req) {
        req.set(beast::http::field::user_agent, up.user_agent);
        if (!up.cookie_header.empty()) req.set(beast::http::field::cookie, up.cookie_header);
        if (!offers.empty()) req.set(beast::http::field::sec_websocket_protocol, offers);
        if (!up.headers) return;
        for (const auto& [name, value] : *up.headers) {
            if (skipped_upgrade_header(name)) continue;
            if (iequals(name, "User-Agent")) req.erase(beast::http::field::user_agent);
            req.insert(name, value);
        }
    }));
    arm(up.deadline);
    bws::response_type res;
    const auto [ec] = co_await ws_.async_handshake(res, up.host_header, up.target, as_value);
    // The decorator refers to `up`: it must not outlive this call.
    ws_.set_option(bws::stream_base::decorator([](bws::request_type&) {}));
    ++deadline_->armed;
    timer_.cancel();
    if (ec) {
        interrupt();
        if (cancelled_) co_return error{errc::cancelled};
        if (deadline_->expired) co_return error{errc::timeout, format_duration(up.timeout)};
        if (ec == bws::error::upgrade_declined) {
            co_return error{errc::ws_declined, std::to_string(res.result_int())};
        }
        if (is_dropped(ec)) co_return error{errc::ws_dropped};
        co_return error{errc::ws_handshake, ec.message()};
    }
    const auto chosen = res[beast::http::field::sec_websocket_protocol];
    subprotocol_.assign(chosen.data(), chosen.size());
    if (!subprotocol_.empty() &&
        (!up.subprotocols || std::find(up.subprotocols->begin(), up.subprotocols->end(),
                                       subprotocol_) == up.subprotocols->end())) {
        interrupt();
        co_return error{errc::ws_handshake, "the server chose subprotocol '" + subprotocol_ +
                                                "', which was not offered"};
    }
    ws_upgraded out;
    for (const auto& field : res) {
        if (iequals(field.name_string(), "Set-Cookie")) out.set_cookies.emplace_back(field.value());
    }
    open_ = true;
    default_timeout_ = up.default_timeout;
    co_return std::move(out);
}

template <class NextLayer>
net::awaitable<ws_upgrade_result> upgrade(NextLayer next, const ws_upgrade& up) {
    auto socket =
        std::make_unique<beast_websocket<NextLayer>>(std::move(next), up.max_message_bytes);
    auto result = co_await socket->handshake(up);
    if (result) result->socket = std::move(socket);
    co_return std::move(result);
}

}  // namespace

std::string ws_to_http_url(std::string_view url) {
    if (url.substr(0, 5) == "ws://") return "http://" + std::string(url.substr(5));
    if (url.substr(0, 6) == "wss://") return "https://" + std::string(url.substr(6));
    return std::string(url);
}

net::awaitable<ws_upgrade_result> ws_upgrade_over(ws_tcp_stream stream, const ws_upgrade& up) {
    co_return co_await upgrade(std::move(stream), up);
}

net::awaitable<ws_upgrade_result> ws_upgrade_over(ws_tls_stream stream, const ws_upgrade& up) {
    co_return co_await upgrade(std::move(stream), up);
}

}  // namespace swarm::worker::http
