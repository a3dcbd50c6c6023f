#pragma once
// Internal to proto/codec: the one decoder of msgpack item headers, shared by
// the limit check (limit_check.cpp, over untrusted bytes) and the readers
// (object_reader.cpp, over bytes the check accepted). A header is the type
// byte and the bytes that say how long the item is (or hold its number);
// what follows it is the payload. Pure functions; any thread.

#include <cstddef>
#include <cstdint>

namespace swarm::proto::detail::mp {

using byte = unsigned char;

enum class kind { uint, nint, f32, f64, str, bin, array, map, nil, boolean, ext, invalid };

struct header {
    kind k = kind::nil;
    // integer (a negative one as int64 bits), float bits, array/map count, str/bin length
    std::uint64_t value = 0;
    std::size_t head = 1;     // bytes of the header, the type byte included
    std::size_t payload = 0;  // bytes after the head: str/bin data, ext type and data
};

// Bytes the header of an item starting with type byte `b` takes: how many
// must be there before read_header may look at it.
std::size_t head_size(byte b) noexcept;

// The header at `p`; head_size(*p) bytes must be readable there. 0xc1 (never
// used by msgpack) is kind::invalid.
header read_header(const byte* p) noexcept;

// msgpack's name for a kind, as errors show it: "unsigned integer", "string".
const char* kind_name(kind k) noexcept;

inline std::uint64_t big_endian(const byte* p, std::size_t n) noexcept {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
    return v;
}

}  // namespace swarm::proto::detail::mp
