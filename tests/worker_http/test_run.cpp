#include "tests/worker_http/test_run.hpp"

#include <gtest/gtest.h>
#include <malloc.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <filesystem>

#include "worker/user/failure_text.hpp"

#if defined(__SANITIZE_ADDRESS__)
// From the sanitizer runtime (its header is not always installed).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace swarm::worker::http::testing {

send_result run_send(boost::asio::io_context& ioc, session& c, const request& req,
                     std::chrono::seconds limit) {
    send_result out = error(errc::internal, "test: send hung");
    bool done = false;
    boost::asio::co_spawn(
        ioc,
        [&]() -> boost::asio::awaitable<void> {
            out = co_await c.send(req);
            done = true;
        },
        boost::asio::detached);
    ioc.restart();
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done && std::chrono::steady_clock::now() < until) {
        ioc.run_for(std::chrono::milliseconds(50));
        ioc.restart();
    }
    EXPECT_TRUE(done) << "send of " << req.url << " did not complete";
    if (!done) {
        c.close();
        ioc.run_for(std::chrono::seconds(1));
    }
    return out;
}

std::vector<send_result> run_sends(boost::asio::io_context& ioc, session& c,
                                   const std::vector<request>& reqs, std::chrono::seconds limit) {
    std::vector<send_result> out(reqs.size(), error(errc::internal, "test: send hung"));
    std::size_t left = reqs.size();
    for (std::size_t i = 0; i < reqs.size(); ++i) {
        boost::asio::co_spawn(
            ioc,
            [&, i]() -> boost::asio::awaitable<void> {
                out[i] = co_await c.send(reqs[i]);
                --left;
            },
            boost::asio::detached);
    }
    ioc.restart();
    const auto until = std::chrono::steady_clock::now() + limit;
    while (left > 0 && std::chrono::steady_clock::now() < until) {
        ioc.run_for(std::chrono::milliseconds(10));
        ioc.restart();
    }
    EXPECT_EQ(left, 0u) << "sends did not complete";
    if (left > 0) {
        c.close();
        ioc.run_for(std::chrono::seconds(1));
    }
    return out;
}

std::string failure(const send_result& r) {
    return r ? std::string() : user::failure_text(r.error());
}

request get(const std::string& url, std::chrono::milliseconds timeout) {
    request req;
    req.url = url;
    req.timeout = timeout;
    return req;
}

std::size_t heap_bytes() {
#if defined(__SANITIZE_ADDRESS__)
    return __sanitizer_get_current_allocated_bytes();
#else
    return mallinfo2().uordblks;
#endif
}

temp_dir::temp_dir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "swarm-http-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path = pattern;
}

temp_dir::~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

}  // namespace swarm::worker::http::testing
