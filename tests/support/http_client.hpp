#pragma once
// A small blocking HTTP/1.1 client for tests: one keep-alive connection, plain
// or TLS (certificates are not verified — test servers are self-signed), a
// deadline on every operation. Failures (refused, reset, timeout, malformed
// response) throw std::runtime_error with a readable message.
//
// An http_client belongs to one thread at a time; use one per thread for
// concurrent connections.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace swarm::test {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_response {
    int status = 0;
    header_list headers;  // in the order received
    std::string body;     // as received (not decompressed)

    // The first header named `name` (case-insensitive); empty if absent.
    std::string header(std::string_view name) const;
    // Every header named `name` (e.g. all Set-Cookie lines).
    std::vector<std::string> header_values(std::string_view name) const;
    // The value of cookie `name` set by this response's Set-Cookie headers; empty if none.
    std::string set_cookie(std::string_view name) const;
};

struct http_request {
    std::string method = "GET";
    std::string target = "/";  // origin-form: path and query
    std::string body;
    std::string content_type;  // sent when not empty
    std::string cookie;        // the Cookie header's value; none when empty
    header_list headers;       // extra headers
};

// The parts of "http[s]://host:port/target".
struct url_parts {
    bool tls = false;
    std::string host;
    std::string port;
    std::string target;  // "/" when the URL has no path
};
url_parts parse_url(const std::string& url);

class http_client {
  public:
    // Connects lazily to `base_url` ("http://127.0.0.1:8080"; a path is ignored).
    explicit http_client(const std::string& base_url,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));
    ~http_client();
    http_client(const http_client&) = delete;
    http_client& operator=(const http_client&) = delete;

    // Sends one request and reads its response, reconnecting first if the
    // server closed the previous connection.
    http_response request(const http_request& req);
    http_response get(const std::string& target, const std::string& cookie = "");
    // POST with an application/x-www-form-urlencoded body.
    http_response post_form(const std::string& target, const std::string& body,
                            const std::string& cookie = "");

    // How many TCP connections this client has opened so far.
    int connections_opened() const;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

// One request on a fresh connection: http_get("http://127.0.0.1:8080/about").
http_response http_get(const std::string& url, const std::string& cookie = "");

// Writes `bytes` to a plain TCP connection, then returns everything the server
// sends until it closes the connection or `timeout` passes. For malformed
// requests, which no HTTP client would send.
std::string raw_exchange(const std::string& host, const std::string& port, const std::string& bytes,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace swarm::test
