#include "worker/http/h2_fields.hpp"

#include "common/ascii.hpp"

namespace swarm::worker::http {
namespace {

std::string lower(std::string_view name) {
    std::string out(name);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// Connection-specific fields, or ones made here from other inputs.
bool left_out(std::string_view name, std::string_view value, const h2_head_source& src) {
    for (const std::string_view n :
         {"host", "cookie", "content-length", "connection", "keep-alive", "proxy-connection",
          "transfer-encoding", "upgrade", "user-agent", "accept-encoding"}) {
        if (iequals(name, n)) return true;
    }
    if (iequals(name, "te")) return !iequals(value, "trailers");
    if (src.cross_origin && iequals(name, "authorization")) return true;
    return src.body_dropped && iequals(name, "content-type");
}

}  // namespace

h2_head make_h2_head(h2_head_source src) {
    h2_head head;
    head.authority = src.host;
    std::string_view agent = src.user_agent, encoding = "gzip";
    std::string cookies = std::move(src.cookies);
    const header_list no_headers;
    const header_list& user = src.user_headers ? *src.user_headers : no_headers;
    for (const auto& [name, value] : user) {
        if (iequals(name, "Cookie")) {
            // One Cookie field: the user's first, then the jar's (as for HTTP/1.1).
            if (!src.cross_origin) cookies = cookies.empty() ? value : value + "; " + cookies;
        } else if (iequals(name, "Host")) {
            head.authority = value;
        } else if (iequals(name, "User-Agent")) {
            agent = value;
        } else if (iequals(name, "Accept-Encoding")) {
            encoding = value;
        }
    }
    head.fields.reserve(user.size() + 4);
    head.fields.emplace_back("user-agent", agent);
    head.fields.emplace_back("accept-encoding", encoding);
    for (const auto& [name, value] : user) {
        if (!left_out(name, value, src)) head.fields.emplace_back(lower(name), value);
    }
    if (!cookies.empty()) head.fields.emplace_back("cookie", std::move(cookies));
    if (src.body_size > 0 || src.content_length) {
        head.fields.emplace_back("content-length", std::to_string(src.body_size));
    }
    return head;
}

}  // namespace swarm::worker::http
