// The only translation unit of the test support library that includes Beast.
#include "tests/support/http_client.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <optional>
#include <stdexcept>

#include "common/ascii.hpp"

namespace swarm::test {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

constexpr std::uint64_t response_body_limit = 128u << 20;  // /bytes/N serves up to 64 MiB

// Runs the io_context until the operation started by `start` completes; the
// operation's own deadline (tcp_stream::expires_after) bounds the wait.
template <class Start>
void run_op(net::io_context& ioc, const char* what, Start start) {
    std::optional<beast::error_code> result;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    if (!result) throw std::runtime_error(std::string(what) + ": did not complete");
    if (*result) throw std::runtime_error(std::string(what) + ": " + result->message());
}

}  // namespace

std::string http_response::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) return value;
    }
    return {};
}

std::vector<std::string> http_response::header_values(std::string_view name) const {
    std::vector<std::string> values;
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) values.push_back(value);
    }
    return values;
}

std::string http_response::set_cookie(std::string_view name) const {
    for (const auto& line : header_values("Set-Cookie")) {
        const auto eq = line.find('=');
        if (eq == std::string::npos || std::string_view(line).substr(0, eq) != name) continue;
        return line.substr(eq + 1, line.find(';') - eq - 1);
    }
    return {};
}

url_parts parse_url(const std::string& url) {
    url_parts parts;
    std::string_view rest = url;
    if (rest.starts_with("https://")) {
        parts.tls = true;
        rest.remove_prefix(8);
    } else if (rest.starts_with("http://")) {
        rest.remove_prefix(7);
    } else {
        throw std::runtime_error("not an http(s) URL: " + url);
    }
    const auto slash = rest.find('/');
    const std::string_view authority = rest.substr(0, slash);
    parts.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    const auto colon = authority.rfind(':');
    if (colon == std::string_view::npos || authority.ends_with(']')) {
        parts.host = std::string(authority);
        parts.port = parts.tls ? "443" : "80";
    } else {
        parts.host = std::string(authority.substr(0, colon));
        parts.port = std::string(authority.substr(colon + 1));
    }
    if (parts.host.size() >= 2 && parts.host.front() == '[') {
        parts.host = parts.host.substr(1, parts.host.size() - 2);
    }
    return parts;
}

struct http_client::impl {
    url_parts where;
    std::chrono::milliseconds timeout;
    net::io_context ioc;
    ssl::context tls{ssl::context::tls_client};
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;
    int opened = 0;

    beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

    void connect() {
        plain.reset();
        secure.reset();
        buffer.clear();
        tcp::resolver resolver(ioc);
        const auto endpoints = resolver.resolve(where.host, where.port);
        if (where.tls) {
            secure.emplace(ioc, tls);
            // SNI, as a browser would send it.
            SSL_set_tlsext_host_name(secure->native_handle(), where.host.c_str());
        } else {
            plain.emplace(ioc);
        }
        lowest().expires_after(timeout);
        run_op(ioc, "connect", [&](auto handler) { lowest().async_connect(endpoints, handler); });
        if (secure) {
            lowest().expires_after(timeout);
            run_op(ioc, "TLS handshake", [&](auto handler) {
                secure->async_handshake(ssl::stream_base::client, handler);
            });
        }
        ++opened;
    }

    template <class Stream>
    http_response exchange(Stream& stream, const http::request<http::string_body>& req) {
        lowest().expires_after(timeout);
        run_op(ioc, "write request",
               [&](auto handler) { http::async_write(stream, req, handler); });
        http::response_parser<http::string_body> parser;
        parser.body_limit(response_body_limit);
        if (req.method() == http::verb::head) parser.skip(true);
        lowest().expires_after(timeout);
        run_op(ioc, "read response",
               [&](auto handler) { http::async_read(stream, buffer, parser, handler); });
        const auto& msg = parser.get();
        http_response res;
        res.status = static_cast<int>(msg.result_int());
        for (const auto& field : msg) {
            res.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        }
        res.body = msg.body();
        if (!msg.keep_alive()) {
            plain.reset();
            secure.reset();
        }
        return res;
    }
};

http_client::http_client(const std::string& base_url, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<impl>()) {
    impl_->where = parse_url(base_url);
    impl_->timeout = timeout;
    impl_->tls.set_verify_mode(ssl::verify_none);
}

http_client::~http_client() = default;

http_response http_client::request(const http_request& r) {
    http::request<http::string_body> req;
    req.method_string(r.method);
    req.target(r.target);
    req.version(11);
    req.set(http::field::host, impl_->where.host + ":" + impl_->where.port);
    req.set(http::field::user_agent, "swarm-test");
    if (!r.cookie.empty()) req.set(http::field::cookie, r.cookie);
    if (!r.content_type.empty()) req.set(http::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers) req.insert(name, value);
    req.body() = r.body;
    if (!r.body.empty() || r.method == "POST" || r.method == "PUT") req.prepare_payload();
    if (!impl_->plain && !impl_->secure) impl_->connect();
    if (impl_->secure) return impl_->exchange(*impl_->secure, req);
    return impl_->exchange(*impl_->plain, req);
}

http_response http_client::get(const std::string& target, const std::string& cookie) {
    http_request req;
    req.target = target;
    req.cookie = cookie;
    return request(req);
}

http_response http_client::post_form(const std::string& target, const std::string& body,
                                     const std::string& cookie) {
    http_request req;
    req.method = "POST";
    req.target = target;
    req.body = body;
    req.content_type = "application/x-www-form-urlencoded";
    req.cookie = cookie;
    return request(req);
}

int http_client::connections_opened() const {
    return impl_->opened;
}

http_response http_get(const std::string& url, const std::string& cookie) {
    const url_parts parts = parse_url(url);
    http_client client(url);
    return client.get(parts.target, cookie);
}

std::string raw_exchange(const std::string& host, const std::string& port, const std::string& bytes,
                         std::chrono::milliseconds timeout) {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(timeout);
    run_op(ioc, "connect",
           [&](auto handler) { stream.async_connect(resolver.resolve(host, port), handler); });
    std::string received;
    // Reading and writing at once: a server may answer (and close) before it
    // has read everything, as it should for an oversized request.
    std::array<char, 4096> chunk;
    std::function<void()> read_more = [&] {
        stream.async_read_some(net::buffer(chunk), [&](beast::error_code ec, std::size_t n) {
            received.append(chunk.data(), n);
            if (!ec) read_more();
        });
    };
    read_more();
    net::async_write(stream, net::buffer(bytes), [](beast::error_code, std::size_t) {});
    ioc.restart();
    ioc.run();
    return received;
}

}  // namespace swarm::test
