#include "proto/codec/object_reader.hpp"

#include <cmath>
#include <limits>

namespace swarm::proto::detail {

const char* msgpack_type_name(const msgpack::object& o) noexcept {
    switch (o.type) {
        case msgpack::type::NIL:
            return "nil";
        case msgpack::type::BOOLEAN:
            return "boolean";
        case msgpack::type::POSITIVE_INTEGER:
            return "unsigned integer";
        case msgpack::type::NEGATIVE_INTEGER:
            return "negative integer";
        case msgpack::type::FLOAT32:
        case msgpack::type::FLOAT64:
            return "float";
        case msgpack::type::STR:
            return "string";
        case msgpack::type::BIN:
            return "binary";
        case msgpack::type::ARRAY:
            return "array";
        case msgpack::type::MAP:
            return "map";
        case msgpack::type::EXT:
            return "ext";
    }
    return "unknown type";
}

std::string printable(std::string_view s, std::size_t max) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (const char c : s.substr(0, max)) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7f && c != '\\') {
            out += c;
        } else {
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 0xf];
        }
    }
    if (s.size() > max) out += "...";
    return out;
}

std::string item(std::size_t i) {
    return "[" + std::to_string(i) + "]";
}

array_reader::array_reader(const msgpack::object& array, std::string where)
    : where_(std::move(where)) {
    if (array.type != msgpack::type::ARRAY) {
        throw decode_error(where_ + ": expected array, got " + msgpack_type_name(array));
    }
    items_ = array.via.array.ptr;
    size_ = array.via.array.size;
}

std::string array_reader::path(std::string_view field) const {
    std::string out = where_;
    if (!field.starts_with('[')) out += '.';
    out += field;
    return out;
}

void array_reader::fail(std::string_view field, std::string_view problem) const {
    throw decode_error(path(field) + ": " + std::string(problem));
}

void array_reader::wrong_type(std::string_view field, const msgpack::object& o,
                              const char* expected) const {
    fail(field, std::string("expected ") + expected + ", got " + msgpack_type_name(o));
}

const msgpack::object& array_reader::next(std::string_view field) {
    if (next_ >= size_) {
        throw decode_error(where_ + ": missing " + std::string(field) + " (item " +
                           std::to_string(next_) + " of an array of " + std::to_string(size_) +
                           ")");
    }
    return items_[next_++];
}

std::uint64_t array_reader::u64(std::string_view field) {
    const msgpack::object& o = next(field);
    if (o.type != msgpack::type::POSITIVE_INTEGER) wrong_type(field, o, "unsigned integer");
    return o.via.u64;
}

std::uint64_t array_reader::next_u64() {
    if (next_ < size_ && items_[next_].type == msgpack::type::POSITIVE_INTEGER) return items_[next_++].via.u64;
    return u64(item(next_));  // throws, naming the item
}

std::uint32_t array_reader::u32(std::string_view field) {
    const msgpack::object& o = next(field);
    if (o.type != msgpack::type::POSITIVE_INTEGER) wrong_type(field, o, "unsigned integer");
    if (o.via.u64 > std::numeric_limits<std::uint32_t>::max()) {
        fail(field, std::to_string(o.via.u64) + " does not fit in 32 bits");
    }
    return static_cast<std::uint32_t>(o.via.u64);
}

std::int64_t array_reader::i64(std::string_view field) {
    const msgpack::object& o = next(field);
    if (o.type == msgpack::type::NEGATIVE_INTEGER) return o.via.i64;
    if (o.type != msgpack::type::POSITIVE_INTEGER) wrong_type(field, o, "integer");
    if (o.via.u64 > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        fail(field, std::to_string(o.via.u64) + " does not fit in a signed 64-bit integer");
    }
    return static_cast<std::int64_t>(o.via.u64);
}

double array_reader::f64(std::string_view field) {
    const msgpack::object& o = next(field);
    double v = 0;
    switch (o.type) {
        case msgpack::type::FLOAT32:
        case msgpack::type::FLOAT64:
            v = o.via.f64;
            break;
        // Other encoders write whole numbers as integers.
        case msgpack::type::POSITIVE_INTEGER:
            v = static_cast<double>(o.via.u64);
            break;
        case msgpack::type::NEGATIVE_INTEGER:
            v = static_cast<double>(o.via.i64);
            break;
        default:
            wrong_type(field, o, "number");
    }
    // NaN and infinities would poison every sum and comparison downstream.
    if (!std::isfinite(v)) fail(field, "not a finite number");
    return v;
}

std::string array_reader::str(std::string_view field) {
    const msgpack::object& o = next(field);
    // An empty str/bin may carry a null pointer, which std::string must not see.
    if (o.type == msgpack::type::STR) {
        return o.via.str.size == 0 ? std::string() : std::string(o.via.str.ptr, o.via.str.size);
    }
    if (o.type == msgpack::type::BIN) {
        return o.via.bin.size == 0 ? std::string() : std::string(o.via.bin.ptr, o.via.bin.size);
    }
    wrong_type(field, o, "string");
}

array_reader array_reader::array(std::string_view field) {
    const msgpack::object& o = next(field);
    if (o.type != msgpack::type::ARRAY) wrong_type(field, o, "array");
    return array_reader(o, path(field));
}

}  // namespace swarm::proto::detail
