#include "common/scenario/plan.hpp"

namespace swarm::scenario {

const char* to_string(http_method m) {
    switch (m) {
        case http_method::get:
            return "GET";
        case http_method::post:
            return "POST";
        case http_method::put:
            return "PUT";
        case http_method::patch:
            return "PATCH";
        case http_method::delete_:
            return "DELETE";
        case http_method::head:
            return "HEAD";
        case http_method::options:
            return "OPTIONS";
    }
    return "GET";
}

const char* to_string(http_protocol p) {
    switch (p) {
        case http_protocol::auto_:
            return "auto";
        case http_protocol::h1:
            return "h1";
        case http_protocol::h2c:
            return "h2c";
    }
    return "auto";
}

bool status_ranges::contains(int status) const {
    for (const auto& [lo, hi] : ranges) {
        if (status >= lo && status <= hi) return true;
    }
    return false;
}

}  // namespace swarm::scenario
