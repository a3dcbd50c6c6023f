#include "worker/http/session.hpp"

#include "common/ascii.hpp"

namespace swarm::worker::http {

const std::string* response::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (swarm::iequals(key, name)) return &value;
    }
    return nullptr;
}

}  // namespace swarm::worker::http
