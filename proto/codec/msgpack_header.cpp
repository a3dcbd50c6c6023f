#include "proto/codec/msgpack_header.hpp"

namespace swarm::proto::detail::mp {
namespace {

// Signed formats holding a value >= 0 read as unsigned, as msgpack's own
// unpacker and other encoders treat them.
header signed_int(std::int64_t v, std::size_t head) noexcept {
    return {v < 0 ? kind::nint : kind::uint, static_cast<std::uint64_t>(v), head, 0};
}

// A number held in the header itself: integers and floats.
header number(kind k, const byte* p, std::size_t bytes) noexcept {
    return {k, big_endian(p + 1, bytes), 1 + bytes, 0};
}

// str/bin/ext/array/map with a `length_bytes` big-endian length; ext's type
// byte (`extra`) counts as payload.
header sized(kind k, const byte* p, std::size_t length_bytes, std::size_t extra = 0) noexcept {
    const std::uint64_t n = big_endian(p + 1, length_bytes);
    const std::size_t payload =
        k == kind::array || k == kind::map ? 0 : static_cast<std::size_t>(n) + extra;
    return {k, n, 1 + length_bytes, payload};
}

}  // namespace

std::size_t head_size(byte b) noexcept {
    switch (b) {
        case 0xc4:
        case 0xc7:
        case 0xcc:
        case 0xd0:
        case 0xd9:
            return 2;
        case 0xc5:
        case 0xc8:
        case 0xcd:
        case 0xd1:
        case 0xda:
        case 0xdc:
        case 0xde:
            return 3;
        case 0xc6:
        case 0xc9:
        case 0xca:
        case 0xce:
        case 0xd2:
        case 0xdb:
        case 0xdd:
        case 0xdf:
            return 5;
        case 0xcb:
        case 0xcf:
        case 0xd3:
            return 9;
        default:  // fixint, fixmap/array/str, nil, booleans, fixext (its type byte is payload)
            return 1;
    }
}

header read_header(const byte* p) noexcept {
    const byte b = p[0];
    if (b <= 0x7f) return {kind::uint, b, 1, 0};
    if (b >= 0xe0) return signed_int(static_cast<std::int8_t>(b), 1);
    if ((b & 0xf0) == 0x80) return {kind::map, b & 0x0fu, 1, 0};
    if ((b & 0xf0) == 0x90) return {kind::array, b & 0x0fu, 1, 0};
    if ((b & 0xe0) == 0xa0) return {kind::str, b & 0x1fu, 1, b & 0x1fu};
    switch (b) {
        case 0xc0:
            return {kind::nil, 0, 1, 0};
        case 0xc2:
        case 0xc3:
            return {kind::boolean, b == 0xc3 ? 1u : 0u, 1, 0};
        case 0xc4:
            return sized(kind::bin, p, 1);
        case 0xc5:
            return sized(kind::bin, p, 2);
        case 0xc6:
            return sized(kind::bin, p, 4);
        case 0xc7:
            return sized(kind::ext, p, 1, 1);
        case 0xc8:
            return sized(kind::ext, p, 2, 1);
        case 0xc9:
            return sized(kind::ext, p, 4, 1);
        case 0xca:
            return number(kind::f32, p, 4);
        case 0xcb:
            return number(kind::f64, p, 8);
        case 0xcc:
            return number(kind::uint, p, 1);
        case 0xcd:
            return number(kind::uint, p, 2);
        case 0xce:
            return number(kind::uint, p, 4);
        case 0xcf:
            return number(kind::uint, p, 8);
        case 0xd0:
            return signed_int(static_cast<std::int8_t>(p[1]), 2);
        case 0xd1:
            return signed_int(static_cast<std::int16_t>(big_endian(p + 1, 2)), 3);
        case 0xd2:
            return signed_int(static_cast<std::int32_t>(big_endian(p + 1, 4)), 5);
        case 0xd3:
            return signed_int(static_cast<std::int64_t>(big_endian(p + 1, 8)), 9);
        case 0xd4:
            return {kind::ext, 1, 1, 2};
        case 0xd5:
            return {kind::ext, 2, 1, 3};
        case 0xd6:
            return {kind::ext, 4, 1, 5};
        case 0xd7:
            return {kind::ext, 8, 1, 9};
        case 0xd8:
            return {kind::ext, 16, 1, 17};
        case 0xd9:
            return sized(kind::str, p, 1);
        case 0xda:
            return sized(kind::str, p, 2);
        case 0xdb:
            return sized(kind::str, p, 4);
        case 0xdc:
            return sized(kind::array, p, 2);
        case 0xdd:
            return sized(kind::array, p, 4);
        case 0xde:
            return sized(kind::map, p, 2);
        case 0xdf:
            return sized(kind::map, p, 4);
        default:  // 0xc1
            return {kind::invalid, 0, 1, 0};
    }
}

const char* kind_name(kind k) noexcept {
    switch (k) {
        case kind::nil:
            return "nil";
        case kind::boolean:
            return "boolean";
        case kind::uint:
            return "unsigned integer";
        case kind::nint:
            return "negative integer";
        case kind::f32:
        case kind::f64:
            return "float";
        case kind::str:
            return "string";
        case kind::bin:
            return "binary";
        case kind::array:
            return "array";
        case kind::map:
            return "map";
        case kind::ext:
            return "ext";
        case kind::invalid:
            break;
    }
    return "unknown type";
}

}  // namespace swarm::proto::detail::mp
