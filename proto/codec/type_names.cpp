// proto::type_name (declared in messages.hpp), from the wire names.
#include "proto/codec/type_names.hpp"

namespace swarm::proto {

const char* type_name(const message& m) {
    return detail::message_type_names[m.index()];
}

}  // namespace swarm::proto
