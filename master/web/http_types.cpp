#include "master/web/http_types.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace swarm::master::web {

web_response json_error(int status, const std::string& message) {
    web_response r;
    r.status = status;
    r.body =
        boost::json::serialize(boost::json::value{{"success", false}, {"message", message}}) + "\n";
    return r;
}

}  // namespace swarm::master::web
