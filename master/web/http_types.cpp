#include "master/web/http_types.hpp"

#include <boost/json/value.hpp>

#include "master/web/json_text.hpp"

namespace swarm::master::web {

web_response json_error(int status, const std::string& message) {
    web_response r;
    r.status = status;
    r.body = json_text(boost::json::value{{"success", false}, {"message", message}}) + "\n";
    return r;
}

}  // namespace swarm::master::web
