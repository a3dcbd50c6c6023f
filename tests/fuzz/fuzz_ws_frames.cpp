// libFuzzer target over what a worker's WebSocket reads from a (possibly
// hostile) server: after a valid 101 answer, the input's bytes are the
// server's frames, sent over a real loopback TCP connection to the client
// of worker/http/ws_client.cpp, which receives until it fails (at most 64
// messages), or receives a few, then runs a close step, which reads (and
// drops) frames until the server's close. Any frame sequence — fragments,
// control frames between them, bad opcodes, lengths, UTF-8, close frames,
// oversize messages — must end in messages or a clear error, after which
// the websocket is closed and says so: a crash, hang, leak or UB is a bug,
// and so is a message over the limit or a failure without words (std::abort).
//
// The first byte sets max_message (1 + 64 × byte); the second the steps:
// its low 4 bits how many receives come before a close step when bit 4 is
// set (else up to 64 receives, no close), bit 5 a send before each receive,
// bit 6 a server that goes silent after its frames (20 ms step deadlines).
// The rest is the server's stream. Seed corpus: tests/fuzz/corpus/ws_frames.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "tests/support/websocket_accept.hpp"
#include "worker/http/ws_upgrade.hpp"
#include "worker/user/failure_text.hpp"

namespace {

namespace net = boost::asio;
namespace http = swarm::worker::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
constexpr auto as_value = net::as_tuple(net::use_awaitable);

void require(bool invariant) {
    if (!invariant) std::abort();
}

// `silent`: after the frames the server neither ends TCP nor says more, so
// the client's own deadlines end what waits (a receive, Beast's closing
// handshake after a bad frame).
net::awaitable<void> serve(tcp::acceptor& acceptor, std::string frames, bool silent) {
    auto [ec, socket] = co_await acceptor.async_accept(as_value);
    if (ec) co_return;
    net::streambuf head(16 * 1024);
    auto [read_ec, n] = co_await net::async_read_until(socket, head, "\r\n\r\n", as_value);
    if (read_ec) co_return;
    const std::string request(net::buffers_begin(head.data()), net::buffers_end(head.data()));
    const auto at = request.find("Sec-WebSocket-Key: ");
    if (at == std::string::npos) co_return;
    const auto key = request.substr(at + 19, request.find("\r\n", at) - at - 19);
    const std::string answer =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: " +
        swarm::test::websocket_accept(key) + "\r\n\r\n" + frames;
    co_await net::async_write(socket, net::buffer(answer), as_value);
    if (!silent) {
        boost::system::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_send, ignored);  // the client sees the end, no wait
    }
    char sink[4096];
    for (int i = 0; i < 1000; ++i) {  // pongs and the close frame, until the client is gone
        auto [sink_ec, got] = co_await socket.async_read_some(net::buffer(sink), as_value);
        if (sink_ec) break;
    }
}

// What the user reads for a failure: words, never the internal-error kind.
void require_clear(const http::error& e) {
    require(e.kind != http::errc::internal);
    const auto text = swarm::worker::user::failure_text(e);
    require(!text.empty() && text.rfind("unknown failure", 0) == std::string::npos);
}

struct steps {
    std::uint64_t max_message = 0;
    int receives_before_close = -1;          // -1: no close step, up to 64 receives
    bool send_first = false;                 // a send before each receive
    std::chrono::milliseconds timeout = 5s;  // of each send, receive and close
};

net::awaitable<void> run_steps(tcp::endpoint to, steps s) {
    tcp::socket socket(co_await net::this_coro::executor);
    auto [ec] = co_await socket.async_connect(to, as_value);
    require(!ec);
    http::ws_upgrade up;
    up.host_header = "127.0.0.1";
    up.target = "/";
    up.user_agent = "fuzz";
    up.max_message_bytes = s.max_message;
    up.timeout = up.default_timeout = 5s;
    up.deadline = std::chrono::steady_clock::now() + 5s;
    auto opened = co_await http::ws_upgrade_over(std::move(socket), up);
    require(static_cast<bool>(opened));  // the answer is valid: the frames come after it
    auto& ws = *opened->socket;
    const int receives = s.receives_before_close < 0 ? 64 : s.receives_before_close;
    bool over = false;  // failed or closed
    for (int i = 0; i < receives && !over; ++i) {
        if (s.send_first) {
            const auto sent = co_await ws.send("ping?", false, s.timeout);
            if (!sent) {
                require_clear(sent.error());
                over = true;
                break;
            }
        }
        http::ws_message m;
        const auto got = co_await ws.receive(m, s.timeout);
        if (!got) {
            require_clear(got.error());
            over = true;
            break;
        }
        require(m.data.size() <= s.max_message);
    }
    if (!over && s.receives_before_close >= 0) {
        const auto closed = co_await ws.close(1000, "bye", s.timeout);
        if (!closed) require_clear(closed.error());
        over = true;
    }
    if (!over) co_return;  // 64 messages, still open
    // After a failure or a close the websocket is over, and the next step says so.
    require(!ws.is_open());
    http::ws_message m;
    const auto after = co_await ws.receive(m, s.timeout);
    require(!after && after.error().kind == http::errc::ws_not_open);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    steps s;
    s.max_message = 1 + 64 * std::uint64_t{data[0]};
    if ((data[1] & 0x10) != 0) s.receives_before_close = data[1] & 0x0f;
    s.send_first = (data[1] & 0x20) != 0;
    const bool silent = (data[1] & 0x40) != 0;
    if (silent) s.timeout = 20ms;  // every wait ends by its deadline: keep them short
    net::io_context ioc;
    tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    std::string frames(reinterpret_cast<const char*>(data) + 2, size - 2);
    net::co_spawn(ioc, serve(acceptor, std::move(frames), silent), net::detached);
    net::co_spawn(ioc, run_steps(acceptor.local_endpoint(), s), [](const std::exception_ptr& e) {
        if (e) std::rethrow_exception(e);
    });
    ioc.run_for(20s);
    require(ioc.stopped());  // both sides ended: nothing hangs
    return 0;
}
