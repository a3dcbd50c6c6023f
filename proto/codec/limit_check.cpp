#include "proto/codec/limit_check.hpp"

#include <cstdint>
#include <vector>

namespace swarm::proto::detail {
namespace {

using byte = unsigned char;

std::uint64_t big_endian(const byte* p, std::size_t n) noexcept {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
    return v;
}

// One pass over the bytes, item by item, with the open containers' item
// counts on a small stack: no callbacks, no allocation beyond that stack.
// (It replaced msgpack's parser with a visitor, which cost the master a
// fifth of its CPU with many workers; the checks and messages are the same.)
class limit_walk {
  public:
    limit_walk(std::string_view bytes, const decode_limits& limits)
        : begin_(reinterpret_cast<const byte*>(bytes.data())),
          p_(begin_),
          end_(begin_ + bytes.size()),
          limits_(limits) {}

    std::optional<std::string> run() {
        open_.reserve(limits_.max_depth < 64 ? limits_.max_depth + 1 : 64);
        open_.push_back(1);  // the message itself: one value
        while (!open_.empty()) {
            if (open_.back() == 0) {
                open_.pop_back();
                continue;
            }
            --open_.back();
            if (!item()) return error_;
        }
        if (p_ != end_) {
            return "msgpack: " + std::to_string(end_ - p_) + " trailing bytes after the message";
        }
        return std::nullopt;
    }

  private:
    std::size_t left() const noexcept { return static_cast<std::size_t>(end_ - p_); }

    bool truncated() {
        error_ =
            "msgpack: truncated (" + std::to_string(end_ - begin_) + " bytes end inside a value)";
        return false;
    }
    bool stop(std::string why) {
        error_ = "msgpack: " + std::move(why);
        return false;
    }

    // A fixed-size item: the type byte and `n` more.
    bool fixed(std::size_t n) {
        if (left() < 1 + n) return truncated();
        p_ += 1 + n;
        return true;
    }
    // str/bin/ext: the type byte, a `length_bytes` big-endian length, `extra`
    // bytes (ext's type), then the data. Truncation is found before the limit.
    bool sized(std::size_t length_bytes, std::size_t extra, const char* what) {
        if (left() < 1 + length_bytes) return truncated();
        const std::uint64_t n = big_endian(p_ + 1, length_bytes);
        if (left() - 1 - length_bytes < extra || left() - 1 - length_bytes - extra < n) {
            return truncated();
        }
        p_ += 1 + length_bytes + extra + n;
        if (extra != 0) return stop("ext values are not part of the protocol");
        if (n <= limits_.max_string_bytes) return true;
        return stop(std::string(what) + " of " + std::to_string(n) +
                    " bytes exceeds the limit of " + std::to_string(limits_.max_string_bytes));
    }
    bool container(std::size_t length_bytes, std::uint64_t entries, std::uint64_t per_entry,
                   const char* what) {
        if (left() < 1 + length_bytes) return truncated();
        if (length_bytes != 0) entries = big_endian(p_ + 1, length_bytes);
        p_ += 1 + length_bytes;
        if (open_.size() > limits_.max_depth) {  // the message's own slot is not a level
            return stop("nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
        }
        if (entries > limits_.max_array_items) {
            return stop(std::string(what) + " of " + std::to_string(entries) +
                        " entries exceeds the limit of " + std::to_string(limits_.max_array_items));
        }
        // Every item takes at least one byte, so all the items claimed so far
        // cannot outnumber the input's bytes in a message that is really there.
        claimed_items_ += entries * per_entry;
        if (claimed_items_ > static_cast<std::uint64_t>(end_ - begin_)) {
            return stop(std::string(what) + " of " + std::to_string(entries) +
                        " entries cannot fit in a message of " + std::to_string(end_ - begin_) +
                        " bytes");
        }
        open_.push_back(entries * per_entry);
        return true;
    }

    bool item() {
        if (left() == 0) return truncated();
        const byte b = *p_;
        if (b <= 0x7f || b >= 0xe0) return fixed(0);
        if ((b & 0xf0) == 0x80) return container(0, b & 0x0fu, 2, "map");
        if ((b & 0xf0) == 0x90) return container(0, b & 0x0fu, 1, "array");
        if ((b & 0xe0) == 0xa0) return sized_fix(b & 0x1fu);
        switch (b) {
            case 0xc0:
            case 0xc2:
            case 0xc3:
                return fixed(0);
            case 0xc4:
                return sized(1, 0, "binary");
            case 0xc5:
                return sized(2, 0, "binary");
            case 0xc6:
                return sized(4, 0, "binary");
            case 0xc7:
                return sized(1, 1, "ext");
            case 0xc8:
                return sized(2, 1, "ext");
            case 0xc9:
                return sized(4, 1, "ext");
            case 0xca:
                return fixed(4);
            case 0xcb:
                return fixed(8);
            case 0xcc:
                return fixed(1);
            case 0xcd:
                return fixed(2);
            case 0xce:
                return fixed(4);
            case 0xcf:
                return fixed(8);
            case 0xd0:
                return fixed(1);
            case 0xd1:
                return fixed(2);
            case 0xd2:
                return fixed(4);
            case 0xd3:
                return fixed(8);
            case 0xd4:
                return fixed_ext(1);
            case 0xd5:
                return fixed_ext(2);
            case 0xd6:
                return fixed_ext(4);
            case 0xd7:
                return fixed_ext(8);
            case 0xd8:
                return fixed_ext(16);
            case 0xd9:
                return sized(1, 0, "string");
            case 0xda:
                return sized(2, 0, "string");
            case 0xdb:
                return sized(4, 0, "string");
            case 0xdc:
                return container(2, 0, 1, "array");
            case 0xdd:
                return container(4, 0, 1, "array");
            case 0xde:
                return container(2, 0, 2, "map");
            case 0xdf:
                return container(4, 0, 2, "map");
            default:  // 0xc1: never used by msgpack
                return stop("invalid type byte at offset " + std::to_string(p_ - begin_));
        }
    }
    bool sized_fix(std::size_t n) {
        if (left() < 1 + n) return truncated();
        p_ += 1 + n;
        if (n <= limits_.max_string_bytes) return true;
        return stop("string of " + std::to_string(n) + " bytes exceeds the limit of " +
                    std::to_string(limits_.max_string_bytes));
    }
    bool fixed_ext(std::size_t n) {
        if (left() < 2 + n) return truncated();
        p_ += 2 + n;
        return stop("ext values are not part of the protocol");
    }

    const byte* begin_;
    const byte* p_;
    const byte* end_;
    const decode_limits& limits_;
    std::vector<std::uint64_t>
        open_;  // items left in each open container, the message's slot first
    std::uint64_t claimed_items_ = 0;  // items all containers so far declared
    std::string error_;
};

}  // namespace

std::optional<std::string> check_limits(std::string_view bytes, const decode_limits& limits) {
    if (bytes.empty()) return "empty message";
    return limit_walk(bytes, limits).run();
}

}  // namespace swarm::proto::detail
