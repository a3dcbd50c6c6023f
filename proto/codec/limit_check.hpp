#pragma once
// Internal to proto/codec: a first pass over untrusted bytes that builds
// nothing and allocates nothing, and stops at the first limit crossed. Only
// input that passes is unpacked into a msgpack tree, so that a few bytes
// claiming a huge array cannot make the unpacker allocate for it: after this
// pass every claimed item is known to be present, and the tree is at most a
// small multiple of the input's size. Stateless; any thread.

#include <optional>
#include <string>
#include <string_view>

#include "proto/codec.hpp"

namespace swarm::proto::detail {

// nullopt when `bytes` is exactly one well-formed msgpack value within
// `limits`; otherwise what is wrong ("string of 40000000 bytes exceeds ...").
std::optional<std::string> check_limits(std::string_view bytes, const decode_limits& limits);

}  // namespace swarm::proto::detail
