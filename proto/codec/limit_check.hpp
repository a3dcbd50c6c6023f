#pragma once
// Internal to proto/codec: a first pass over untrusted bytes that builds
// nothing, allocates only a stack as deep as the nesting limit, and stops at
// the first limit crossed. Only input that passes is read (object_reader.hpp),
// which then trusts its structure: every header and payload is complete, no
// claimed count outnumbers the bytes, nesting is bounded, and there is
// exactly one value. Stateless; any thread.

#include <string_view>

#include "common/result.hpp"
#include "proto/codec.hpp"

namespace swarm::proto::detail {

// Success when `bytes` is exactly one well-formed msgpack value within
// `limits`; otherwise what is wrong ("string of 40000000 bytes exceeds ...").
result<void> check_limits(std::string_view bytes, const decode_limits& limits);

}  // namespace swarm::proto::detail
