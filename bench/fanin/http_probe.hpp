#pragma once
// bench/fanin: one timed HTTP request against the master's web server on
// 127.0.0.1 (a fresh connection each time, as a browser polling the REST API).

#include <chrono>
#include <optional>
#include <string>

namespace swarm::bench {

struct probe_result {
    std::chrono::microseconds elapsed{0};  // connect to last byte
    int status = 0;                        // HTTP status code
    std::size_t bytes = 0;                 // whole response, headers included
    std::string body;                      // the response body (after the headers)
};

// GET `path` from 127.0.0.1:`port` with a 5 s deadline; nullopt on any failure.
std::optional<probe_result> http_get(int port, const std::string& path);
// POST a form (application/x-www-form-urlencoded) to `path`, same rules.
std::optional<probe_result> http_post_form(int port, const std::string& path,
                                           const std::string& form);

}  // namespace swarm::bench
