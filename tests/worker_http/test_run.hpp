#pragma once
// Helpers for the HTTP client tests: run sends to completion on a test's own
// io_context, and measure heap use. One test thread uses them.

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "worker/http/client.hpp"

namespace swarm::worker::http::testing {

// Runs `c.send(req)` on `ioc` (at most `limit`); a send that does not
// complete in time fails the test and returns an errc::internal error.
send_result run_send(boost::asio::io_context& ioc, session& c, const request& req,
                     std::chrono::seconds limit = std::chrono::seconds(20));

// Sends all of `reqs` at once on `ioc`, each in its own coroutine (as a
// parallel block does), and runs until every one has ended (at most
// `limit`; then the test fails and the session is closed).
std::vector<send_result> run_sends(boost::asio::io_context& ioc, session& c,
                                   const std::vector<request>& reqs,
                                   std::chrono::seconds limit = std::chrono::seconds(20));

// How a failed send reads in the failures table (worker/user/failure_text.hpp),
// or "" when it worked: what the tests of messages compare.
std::string failure(const send_result& r);

// Builds a GET request for `url` with a timeout.
request get(const std::string& url, std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Bytes currently allocated on the heap (ASan's counter under ASan, else mallinfo2).
std::size_t heap_bytes();

// A temporary directory, removed with its files on destruction.
struct temp_dir {
    temp_dir();
    ~temp_dir();
    std::string path;
};

}  // namespace swarm::worker::http::testing
