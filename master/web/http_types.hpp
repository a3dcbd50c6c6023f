#pragma once
// The web server's view of one HTTP exchange, without Beast: the routing,
// JSON and auth code works on these plain structs, so only server.cpp
// compiles Beast's templates.

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace swarm::master::web {

struct web_request {
    std::string method;  // "GET", "POST", ...
    std::string path;    // percent-encoded path, the base path already removed ("/stats/requests")
    std::string query;   // after '?', still encoded; empty when none
    std::string content_type;  // the Content-Type header
    std::string body;          // bounded by the server's body limit
};

struct web_response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>>
        headers;  // extra headers (Content-Disposition, Allow, ...)
};

// Completes a request. May be called from any thread, exactly once.
using web_reply = std::function<void(web_response)>;

// A JSON error body: {"success": false, "message": message}.
web_response json_error(int status, const std::string& message);

}  // namespace swarm::master::web
