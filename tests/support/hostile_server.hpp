#pragma once
// A misbehaving HTTP server on 127.0.0.1 for tests: each accepted connection
// gets its own thread running a `behaviour` (drip slowly, send an endless
// body, oversized headers, close mid-response, garbage...). It counts the
// connections it accepted and the request heads it read, so a test can
// compare what swarm reports with what the server saw.
//
// The server's own thread accepts; connection threads only touch their own
// socket and the atomic counters. Destroying the server stops behaviours,
// shuts every connection down and joins all threads. A connection is shut
// down (the peer sees it closed) when its behaviour returns.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace swarm::test {

class hostile_server;

// One accepted connection, as its behaviour sees it.
class hostile_connection {
  public:
    hostile_connection(boost::asio::ip::tcp::socket socket, hostile_server& server);

    // Reads one request head (and its Content-Length body); counts it.
    // False when the peer closed or the read failed.
    bool read_request(std::string* head = nullptr);
    // Writes all of `bytes`; false when the peer is gone.
    bool send(const std::string& bytes);
    // Sends `piece` every `every` until the peer goes away or the server stops.
    void drip(const std::string& piece, std::chrono::milliseconds every);
    bool stopping() const;
    boost::asio::ip::tcp::socket& socket() { return socket_; }

  private:
    boost::asio::ip::tcp::socket socket_;
    hostile_server& server_;
};

class hostile_server {
  public:
    using behaviour = std::function<void(hostile_connection&)>;

    explicit hostile_server(behaviour b);
    ~hostile_server();
    hostile_server(const hostile_server&) = delete;
    hostile_server& operator=(const hostile_server&) = delete;

    std::uint16_t port_number() const;
    std::string url(const std::string& path = "/") const;  // "http://127.0.0.1:PORT/"
    int accepted() const { return accepted_; }
    int requests() const { return requests_; }  // request heads read, on all connections

  private:
    friend class hostile_connection;
    struct connection;
    void serve();
    void wake_accept() noexcept;

    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    behaviour behaviour_;
    std::atomic<bool> stop_{false};
    std::atomic<int> accepted_{0};
    std::atomic<int> requests_{0};
    std::mutex mutex_;  // guards connections_
    std::list<std::unique_ptr<connection>> connections_;
    std::thread thread_;
};

}  // namespace swarm::test
