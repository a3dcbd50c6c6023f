#include "master/web/http_types.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <stdexcept>

#include "master/web/server.hpp"

namespace swarm::master::web {

web_response json_error(int status, const std::string& message) {
    web_response r;
    r.status = status;
    r.body =
        boost::json::serialize(boost::json::value{{"success", false}, {"message", message}}) + "\n";
    return r;
}

std::string normalize_base_path(const std::string& text) {
    std::string path = text;
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (path.empty()) return path;
    if (path.front() != '/') path.insert(path.begin(), '/');
    for (const char ch : path) {
        const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                        (ch >= '0' && ch <= '9') || ch == '/' || ch == '-' || ch == '_' ||
                        ch == '.' || ch == '~';
        if (!ok)
            throw std::invalid_argument("--web-base-path: '" + text + "' holds '" +
                                        std::string(1, ch) +
                                        "'; use letters, digits, '/', '-', '_', '.', '~'");
    }
    return path;
}

}  // namespace swarm::master::web
