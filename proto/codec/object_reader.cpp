#include "proto/codec/object_reader.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include "proto/codec/msgpack_header.hpp"

namespace swarm::proto::detail {
namespace {

using byte = unsigned char;
using mp::header;
using mp::kind;
using mp::read_header;

// The position after the whole value at `p`, nested items included.
const byte* skip_value(const byte* p) noexcept {
    std::uint64_t pending = 1;
    while (pending > 0) {
        --pending;
        const header h = read_header(p);
        p += h.head + h.payload;
        if (h.k == kind::array) pending += h.value;
        if (h.k == kind::map) pending += 2 * h.value;
    }
    return p;
}

}  // namespace

const char* msgpack_type_name(const unsigned char* at) noexcept {
    return mp::kind_name(read_header(at).k);
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

array_reader::array_reader(std::string_view bytes, std::string where) : where_(std::move(where)) {
    const auto* p = reinterpret_cast<const byte*>(bytes.data());
    const header h = read_header(p);
    if (h.k != kind::array) {
        throw decode_error(where_ + ": expected array, got " + mp::kind_name(h.k));
    }
    pos_ = p + h.head;
    size_ = static_cast<std::size_t>(h.value);
}

array_reader::array_reader(array_reader& parent, std::string where)
    : where_(std::move(where)), parent_(&parent) {
    const header h = read_header(parent.pos_);
    pos_ = parent.pos_ + h.head;
    size_ = static_cast<std::size_t>(h.value);
    ++parent.next_;
    parent.child_open_ = true;
    settle();  // an empty array is done at once
}

array_reader::~array_reader() {
    if (parent_ == nullptr || settled_) return;
    // Fields a later protocol version appended, or an error is unwinding:
    // move past what was not read so the parent's position is right.
    for (; next_ < size_; ++next_) pos_ = skip_value(pos_);
    child_open_ = false;  // nested readers are gone before this one
    settle();
}

void array_reader::settle() noexcept {
    if (parent_ == nullptr || settled_ || next_ < size_ || child_open_) return;
    settled_ = true;
    parent_->pos_ = pos_;
    parent_->child_open_ = false;
    parent_->settle();
}

void array_reader::consumed(std::size_t length) noexcept {
    pos_ += length;
    if (++next_ >= size_) settle();
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

void array_reader::wrong_type(std::string_view field, const unsigned char* at,
                              const char* expected) const {
    fail(field, std::string("expected ") + expected + ", got " + msgpack_type_name(at));
}

void array_reader::require(std::string_view field) const {
    if (child_open_) {
        throw decode_error(where_ + ": internal: " + std::string(field) +
                           " read while a nested array is open");
    }
    if (next_ >= size_) {
        throw decode_error(where_ + ": missing " + std::string(field) + " (item " +
                           std::to_string(next_) + " of an array of " + std::to_string(size_) +
                           ")");
    }
}

const unsigned char* array_reader::take(std::string_view field) {
    require(field);
    return pos_;
}

std::uint64_t array_reader::u64(std::string_view field) {
    const byte* p = take(field);
    const header h = read_header(p);
    if (h.k != kind::uint) wrong_type(field, p, "unsigned integer");
    consumed(h.head);
    return h.value;
}

std::uint64_t array_reader::next_u64() {
    // The unsigned formats inline: a histogram's pairs are most of a report.
    if (next_ < size_ && !child_open_) {
        const byte b = *pos_;
        if (b <= 0x7f) {
            consumed(1);
            return b;
        }
        if (b >= 0xcc && b <= 0xcf) {
            const int n = 1 << (b - 0xcc);  // uint8, 16, 32, 64
            const std::uint64_t v = mp::big_endian(pos_ + 1, static_cast<std::size_t>(n));
            consumed(1 + static_cast<std::size_t>(n));
            return v;
        }
    }
    return u64(item(next_));  // other types and errors, naming the item
}

std::uint32_t array_reader::u32(std::string_view field) {
    const std::uint64_t v = u64(field);
    if (v > std::numeric_limits<std::uint32_t>::max()) {
        fail(field, std::to_string(v) + " does not fit in 32 bits");
    }
    return static_cast<std::uint32_t>(v);
}

std::int64_t array_reader::i64(std::string_view field) {
    const byte* p = take(field);
    const header h = read_header(p);
    if (h.k != kind::uint && h.k != kind::nint) wrong_type(field, p, "integer");
    if (h.k == kind::uint &&
        h.value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        fail(field, std::to_string(h.value) + " does not fit in a signed 64-bit integer");
    }
    consumed(h.head);
    return static_cast<std::int64_t>(h.value);
}

double array_reader::f64(std::string_view field) {
    const byte* p = take(field);
    const header h = read_header(p);
    double v = 0;
    switch (h.k) {
        case kind::f32: {
            float f = 0;
            const auto bits = static_cast<std::uint32_t>(h.value);
            std::memcpy(&f, &bits, sizeof f);
            v = f;
            break;
        }
        case kind::f64:
            std::memcpy(&v, &h.value, sizeof v);
            break;
        // Other encoders write whole numbers as integers.
        case kind::uint:
            v = static_cast<double>(h.value);
            break;
        case kind::nint:
            v = static_cast<double>(static_cast<std::int64_t>(h.value));
            break;
        default:
            wrong_type(field, p, "number");
    }
    // NaN and infinities would poison every sum and comparison downstream.
    if (!std::isfinite(v)) fail(field, "not a finite number");
    consumed(h.head + h.payload);
    return v;
}

std::string array_reader::str(std::string_view field) {
    const byte* p = take(field);
    const header h = read_header(p);
    if (h.k != kind::str && h.k != kind::bin) wrong_type(field, p, "string");
    std::string out(reinterpret_cast<const char*>(p + h.head), h.payload);
    consumed(h.head + h.payload);
    return out;
}

std::string array_reader::str(std::string_view field, std::size_t max_bytes) {
    const byte* p = take(field);
    const header h = read_header(p);
    if (h.k != kind::str && h.k != kind::bin) wrong_type(field, p, "string");
    if (h.payload > max_bytes) {
        fail(field, std::to_string(h.payload) + " bytes, more than the " +
                        std::to_string(max_bytes) + " allowed");
    }
    std::string out(reinterpret_cast<const char*>(p + h.head), h.payload);
    consumed(h.head + h.payload);
    return out;
}

std::string_view array_reader::str_view(std::string_view field) {
    const byte* p = take(field);
    const header h = read_header(p);
    if (h.k != kind::str) wrong_type(field, p, "string");
    const std::string_view out(reinterpret_cast<const char*>(p + h.head), h.payload);
    consumed(h.head + h.payload);
    return out;
}

array_reader array_reader::array(std::string_view field) {
    const byte* p = take(field);
    if (read_header(p).k != kind::array) wrong_type(field, p, "array");
    return array_reader(*this, path(field));
}

}  // namespace swarm::proto::detail
