// /ws/echo and /ws/chat (see ws_session.hpp): one template over the stream
// type serves plain TCP and TLS.
#include "target/ws_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace swarm::target {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bws = beast::websocket;
using endpoint = ws_counters::endpoint;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr std::size_t max_rooms = 256;
constexpr std::size_t max_room_name = 64;

struct chat_message {
    std::string data;
    bool binary = false;
};
using message_ptr = std::shared_ptr<const chat_message>;

// A room member as the room sees it: where to post a message to.
class chat_member {
  public:
    explicit chat_member(net::any_io_executor ex) : ex_(std::move(ex)) {}
    virtual ~chat_member() = default;
    chat_member(const chat_member&) = delete;
    chat_member& operator=(const chat_member&) = delete;
    // On the member's own executor.
    virtual void deliver(const message_ptr& m) = 0;
    const net::any_io_executor& executor() const { return ex_; }

  private:
    net::any_io_executor ex_;
};

// Members on any io thread: each delivery is posted to the member's own.
class chat_room {
  public:
    void join(const std::shared_ptr<chat_member>& m) {
        const std::lock_guard lock(mutex_);
        members_.push_back(m);
    }
    void leave(const chat_member* m) {
        const std::lock_guard lock(mutex_);
        std::erase_if(members_, [m](const auto& w) {
            const auto p = w.lock();
            return !p || p.get() == m;
        });
    }
    void broadcast(const message_ptr& msg) {
        std::vector<std::shared_ptr<chat_member>> to;
        {
            const std::lock_guard lock(mutex_);
            to.reserve(members_.size());
            for (const auto& w : members_) {
                if (auto p = w.lock()) to.push_back(std::move(p));
            }
        }
        for (auto& p : to) {
            net::post(p->executor(), [p, msg] { p->deliver(msg); });
        }
    }

  private:
    std::mutex mutex_;
    std::vector<std::weak_ptr<chat_member>> members_;
};

class chat_rooms {
  public:
    std::shared_ptr<chat_room> room(std::string name) {
        if (name.empty() || name.size() > max_room_name) name = "lobby";
        const std::lock_guard lock(mutex_);
        auto it = rooms_.find(name);
        if (it != rooms_.end()) return it->second;
        if (rooms_.size() >= max_rooms) name = "lobby";
        auto& slot = rooms_[name];
        if (!slot) slot = std::make_shared<chat_room>();
        return slot;
    }

  private:
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<chat_room>, std::less<>> rooms_;
};

chat_rooms& rooms() {
    static chat_rooms all;
    return all;
}

// "room=NAME" from the target's query (no decoding: names are plain).
std::string room_of(std::string_view target) {
    const auto q = target.find('?');
    if (q == std::string_view::npos) return {};
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        if (pair.starts_with("room=")) return std::string(pair.substr(5));
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return {};
}

template <class Next>
class ws_connection final : public chat_member {
  public:
    ws_connection(Next&& next, site& s)
        : chat_member(next.get_executor()), ws_(std::move(next)), wake_(executor()), site_(s) {}

    void deliver(const message_ptr& m) override {
        if (done_) return;
        if (queue_.size() >= chat_queue_limit) {
            site_.websockets().dropped(endpoint::chat);
            return;
        }
        queue_.push_back(m);
        wake_.cancel();
    }

    bws::stream<Next, false> ws_;
    std::deque<message_ptr> queue_;  // chat: waiting for the writer
    net::steady_timer wake_;         // the chat writer waits on it for the queue
    site& site_;
    bool done_ = false;  // the reader ended: the writer ends too
};

// Reads until the connection ends; true when the client sent a close frame.
template <class Next>
net::awaitable<bool> echo_loop(ws_connection<Next>& c) {
    beast::flat_buffer buffer;
    for (;;) {
        auto [ec, n] = co_await c.ws_.async_read(buffer, use_tuple);
        if (ec) co_return ec == bws::error::closed;
        c.site_.websockets().received(endpoint::echo, n);
        c.ws_.binary(c.ws_.got_binary());
        auto [wec, written] = co_await c.ws_.async_write(buffer.data(), use_tuple);
        if (wec) co_return false;
        c.site_.websockets().sent(endpoint::echo, written);
        buffer.consume(buffer.size());
    }
}

template <class Next>
net::awaitable<void> chat_writer(std::shared_ptr<ws_connection<Next>> c) {
    while (!c->done_) {
        if (c->queue_.empty()) {
            c->wake_.expires_at(net::steady_timer::time_point::max());
            co_await c->wake_.async_wait(use_tuple);  // cancelled by a delivery or the end
            continue;
        }
        const message_ptr m = c->queue_.front();
        c->queue_.pop_front();
        c->ws_.binary(m->binary);
        auto [ec, n] = co_await c->ws_.async_write(net::buffer(m->data), use_tuple);
        if (ec) break;
        c->site_.websockets().sent(endpoint::chat, n);
    }
}

template <class Next>
net::awaitable<bool> chat_reader(ws_connection<Next>& c, chat_room& room) {
    beast::flat_buffer buffer;
    for (;;) {
        auto [ec, n] = co_await c.ws_.async_read(buffer, use_tuple);
        if (ec) co_return ec == bws::error::closed;
        c.site_.websockets().received(endpoint::chat, n);
        room.broadcast(std::make_shared<const chat_message>(
            chat_message{beast::buffers_to_string(buffer.data()), c.ws_.got_binary()}));
        buffer.consume(buffer.size());
    }
}

template <class Next>
net::awaitable<void> serve(Next next, ws_upgrade_request req, site& s) {
    const endpoint which = req.target().starts_with("/ws/echo") ? endpoint::echo : endpoint::chat;
    beast::get_lowest_layer(next).expires_never();  // the websocket's own timeouts rule
    auto c = std::make_shared<ws_connection<Next>>(std::move(next), s);
    c->ws_.set_option(bws::stream_base::timeout::suggested(beast::role_type::server));
    c->ws_.read_message_max(ws_message_limit);
    auto [ec] = co_await c->ws_.async_accept(req, use_tuple);
    if (ec) co_return;
    s.websockets().upgraded(which);
    bool close_frame = false;
    if (which == endpoint::echo) {
        close_frame = co_await echo_loop(*c);
    } else {
        const auto room = rooms().room(room_of(req.target()));
        room->join(c);
        net::co_spawn(c->executor(), chat_writer(c), net::detached);
        close_frame = co_await chat_reader(*c, *room);
        room->leave(c.get());
        c->done_ = true;
        c->wake_.cancel();
    }
    s.websockets().ended(which, close_frame);
}

}  // namespace

bool is_ws_endpoint(std::string_view path) {
    return path == "/ws/echo" || path == "/ws/chat";
}

net::awaitable<void> serve_websocket(beast::tcp_stream stream, ws_upgrade_request req, site& s) {
    co_await serve(std::move(stream), std::move(req), s);
}

net::awaitable<void> serve_websocket(beast::ssl_stream<beast::tcp_stream> stream,
                                     ws_upgrade_request req, site& s) {
    co_await serve(std::move(stream), std::move(req), s);
}

}  // namespace swarm::target
