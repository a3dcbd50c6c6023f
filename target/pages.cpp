#include "target/pages.hpp"

#include <zlib.h>

#include <ctime>
#include <stdexcept>

namespace swarm::target {
namespace {

constexpr long long expires_after_s = 24 * 3600;

std::string layout(std::string_view title, std::string_view content) {
    std::string page;
    page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
    page += title;
    page +=
        " · swarm target</title>\n</head>\n<body>\n<nav>"
        "<a href=\"/\">Home</a> | <a href=\"/about\">About</a> | "
        "<a href=\"/contact_us\">Contact us</a> | <a href=\"/account\">Account</a></nav>\n"
        "<main>\n";
    page += content;
    page +=
        "</main>\n<footer>Served by swarm target, the demo site of the swarm load "
        "generator.</footer>\n</body>\n</html>\n";
    return page;
}

std::string home_page() {
    return layout("Home",
                  "<h1>Welcome to the swarm demo shop</h1>\n"
                  "<p>This little site exists to be load-tested. Every request is counted; "
                  "see <a href=\"/__stats\">/__stats</a>.</p>\n"
                  "<form method=\"post\" action=\"/user/signin\">\n"
                  "<input name=\"email\" type=\"email\"> <input name=\"password\" "
                  "type=\"password\"> <button>Sign in</button>\n</form>\n"
                  "<form method=\"get\" action=\"/search\"><input name=\"search\"> "
                  "<button>Search</button></form>\n"
                  "<ul>\n<li><a href=\"/api/items/1\">Item 1</a></li>\n"
                  "<li><a href=\"/api/items/2\">Item 2</a></li>\n"
                  "<li><a href=\"/api/items/3\">Item 3</a></li>\n</ul>\n");
}

std::string about_page() {
    return layout("About",
                  "<h1>About us</h1>\n"
                  "<p>Founded in 2024 by people who wanted their load tests to tell the "
                  "truth, the swarm demo shop sells nothing at all, very quickly.</p>\n"
                  "<p>Our servers answer every request and remember how many they saw.</p>\n");
}

std::string gzip_page() {
    std::string content = "<h1>Compressed</h1>\n";
    // Repetitive text compresses well, which makes the difference easy to see in tests.
    for (int i = 0; i < 40; ++i) {
        content += "<p>This paragraph is here to be compressed by gzip on the way out.</p>\n";
    }
    return layout("Gzip", content);
}

}  // namespace

pages::pages()
    : home(home_page()),
      about(about_page()),
      contact_thanks(layout("Thank you", "<h1>Thank you</h1>\n<p>We will be in touch.</p>\n")),
      gzip_plain(gzip_page()),
      gzip_compressed(gzip_compress(gzip_plain)) {
    const std::string contact =
        layout("Contact us",
               "<h1>Contact us</h1>\n<form method=\"post\" action=\"/contact_us\">\n"
               "<input type=\"hidden\" name=\"csrf_token\" value=\"@TOKEN@\">\n"
               "<input name=\"email\" type=\"email\"> <textarea name=\"message\"></textarea>\n"
               "<button>Send</button>\n</form>\n");
    const auto at = contact.find("@TOKEN@");
    contact_head = contact.substr(0, at);
    contact_tail = contact.substr(at + 7);
    // Expires is fixed at start-up: the pages never change while the process lives.
    cache_headers = "Cache-Control: public, max-age=86400\r\nExpires: " +
                    http_date(static_cast<long long>(std::time(nullptr)) + expires_after_s) +
                    "\r\n";
}

std::string gzip_compress(std::string_view data) {
    z_stream z{};
    // windowBits 15 + 16 selects the gzip wrapper instead of raw zlib.
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        throw std::runtime_error("swarm target: deflateInit2 failed");
    }
    std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) throw std::runtime_error("swarm target: deflate failed");
    return out;
}

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string http_date(long long unix_seconds) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    const auto n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return std::string(buf, n);
}

}  // namespace swarm::target
