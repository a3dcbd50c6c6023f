#include "target/wire.hpp"

#include "target/pages.hpp"

#include <charconv>
#include <ctime>

namespace swarm::target {

std::string_view reason_phrase(int status) {
    switch (status) {
        case 100:
            return "Continue";
        case 101:
            return "Switching Protocols";
        case 102:
            return "Processing";
        case 103:
            return "Early Hints";
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 202:
            return "Accepted";
        case 203:
            return "Non-Authoritative Information";
        case 204:
            return "No Content";
        case 205:
            return "Reset Content";
        case 206:
            return "Partial Content";
        case 300:
            return "Multiple Choices";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Found";
        case 303:
            return "See Other";
        case 304:
            return "Not Modified";
        case 307:
            return "Temporary Redirect";
        case 308:
            return "Permanent Redirect";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 402:
            return "Payment Required";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 406:
            return "Not Acceptable";
        case 408:
            return "Request Timeout";
        case 409:
            return "Conflict";
        case 410:
            return "Gone";
        case 411:
            return "Length Required";
        case 412:
            return "Precondition Failed";
        case 413:
            return "Content Too Large";
        case 414:
            return "URI Too Long";
        case 415:
            return "Unsupported Media Type";
        case 416:
            return "Range Not Satisfiable";
        case 417:
            return "Expectation Failed";
        case 418:
            return "I'm a teapot";
        case 422:
            return "Unprocessable Content";
        case 425:
            return "Too Early";
        case 426:
            return "Upgrade Required";
        case 428:
            return "Precondition Required";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 451:
            return "Unavailable For Legal Reasons";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        case 505:
            return "HTTP Version Not Supported";
        default:
            return "Unknown";
    }
}

std::string_view current_http_date() {
    thread_local std::time_t cached_second = 0;
    thread_local std::string cached;
    const std::time_t now = std::time(nullptr);
    if (now != cached_second) {
        cached_second = now;
        cached = http_date(static_cast<long long>(now));
    }
    return cached;
}

const std::string& filler_pattern() {
    static const std::string pattern = [] {
        std::string s(std::size_t{64} * 1024, '\0');
        for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>('a' + i % 26);
        return s;
    }();
    return pattern;
}

void render_head(const response& res, connection_mode mode, std::string& out) {
    char number[24];
    out.append("HTTP/1.1 ");
    out.append(number, std::to_chars(number, number + sizeof number, res.status).ptr);
    out.push_back(' ');
    out.append(reason_phrase(res.status));
    out.append("\r\nServer: swarm-target\r\nDate: ");
    out.append(current_http_date());
    out.append("\r\n");
    if (!res.content_type.empty()) {
        out.append("Content-Type: ");
        out.append(res.content_type);
        out.append("\r\n");
    }
    // 1xx and 204 must not carry Content-Length; 304's would describe the
    // cached representation, which this site does not have.
    const bool bodyless = res.status < 200 || res.status == 204 || res.status == 304;
    if (!bodyless) {
        out.append("Content-Length: ");
        out.append(number, std::to_chars(number, number + sizeof number, res.body_size()).ptr);
        out.append("\r\n");
    }
    out.append(res.headers);
    if (mode == connection_mode::close) out.append("Connection: close\r\n");
    if (mode == connection_mode::keep_alive_http10) out.append("Connection: keep-alive\r\n");
    out.append("\r\n");
}

}  // namespace swarm::target
