#include "target/h2_server.hpp"

#include "target/h2_session.hpp"

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <algorithm>
#include <array>

namespace swarm::target {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using namespace std::chrono_literals;
using namespace net::experimental::awaitable_operators;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

constexpr auto idle_timeout = 30s;   // no frame from the client (beyond delayed answers)
constexpr auto write_timeout = 30s;  // writing one chunk of frames
constexpr std::size_t read_size = 16 * 1024;
constexpr std::size_t write_chunk = 64 * 1024;    // frames taken from nghttp2 per write
constexpr std::size_t kept_capacity = 16 * 1024;  // an idle connection's output buffer

template <class Stream>
struct h2_connection {
    h2_connection(Stream& s, site& site, thread_counters& counters)
        : stream(s), session(site, counters), wake(s.get_executor()), read_gate(s.get_executor()) {}

    Stream& stream;
    h2_session session;
    net::steady_timer wake;       // the writer sleeps on it; cancel() wakes it
    net::steady_timer read_gate;  // the reader sleeps on it while output is backed up
    std::string out;              // the chunk being written
    bool writing = false;         // a write is in progress
    bool reading_done = false;    // the client is gone or broke the protocol
    bool closing = false;         // the writer ended: the reader must end too
};

template <class Stream>
net::awaitable<void> read_loop(h2_connection<Stream>& c) {
    std::array<char, read_size> buffer{};
    while (!c.closing && !c.reading_done) {
        if (c.writing && c.session.wants_write()) {
            // Back-pressure: a client that does not read its answers is not read either.
            c.read_gate.expires_at(net::steady_timer::time_point::max());
            co_await c.read_gate.async_wait(use_tuple);
            continue;
        }
        // A delayed answer (/slow?ms=60000) keeps the connection open until it is due.
        const auto last_due = c.session.last_due();
        const auto from = std::max(net::steady_timer::clock_type::now(),
                                   last_due.value_or(net::steady_timer::time_point::min()));
        beast::get_lowest_layer(c.stream).expires_at(from + idle_timeout);
        auto [ec, n] = co_await c.stream.async_read_some(net::buffer(buffer), use_tuple);
        if (ec || !c.session.receive({buffer.data(), n}) || !c.session.alive()) {
            c.reading_done = true;
        }
        c.wake.cancel();
    }
    c.reading_done = true;
    c.wake.cancel();
}

template <class Stream>
net::awaitable<void> write_loop(h2_connection<Stream>& c) {
    for (;;) {
        c.session.answer_due(h2_session::clock::now());
        c.out.clear();
        if (!c.session.take_output(c.out, write_chunk)) break;
        if (!c.out.empty()) {
            c.writing = true;
            beast::get_lowest_layer(c.stream).expires_after(write_timeout);
            auto [ec, n] = co_await net::async_write(c.stream, net::buffer(c.out), use_tuple);
            c.writing = false;
            c.read_gate.cancel();
            if (ec) break;
            continue;
        }
        if (c.reading_done || !c.session.alive()) break;
        if (c.out.capacity() > kept_capacity) std::string().swap(c.out);
        const auto due = c.session.next_due();
        c.wake.expires_at(due.value_or(net::steady_timer::time_point::max()));
        co_await c.wake.async_wait(use_tuple);
    }
    c.closing = true;
    c.read_gate.cancel();
    beast::get_lowest_layer(c.stream).cancel();  // ends the reader's pending read
}

template <class Stream>
net::awaitable<void> serve(Stream& stream, std::string_view already_read, site& s,
                           thread_counters& counters) {
    h2_connection<Stream> c(stream, s, counters);
    if (!already_read.empty() && !c.session.receive(already_read)) c.reading_done = true;
    co_await (read_loop(c) && write_loop(c));
}

}  // namespace

net::awaitable<void> serve_h2(beast::tcp_stream& stream, std::string_view already_read, site& s,
                              thread_counters& counters) {
    co_await serve(stream, already_read, s, counters);
}

net::awaitable<void> serve_h2(beast::ssl_stream<beast::tcp_stream>& stream, site& s,
                              thread_counters& counters) {
    co_await serve(stream, {}, s, counters);
}

}  // namespace swarm::target
