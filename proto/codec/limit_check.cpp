#include "proto/codec/limit_check.hpp"

#include <cstdint>
#include <vector>

#include "proto/codec/msgpack_header.hpp"

namespace swarm::proto::detail {
namespace {

using mp::byte;
using mp::kind;

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

    result<void> run() {
        open_.reserve(limits_.max_depth < 64 ? limits_.max_depth + 1 : 64);
        open_.push_back(1);  // the message itself: one value
        while (!open_.empty()) {
            if (open_.back() == 0) {
                open_.pop_back();
                continue;
            }
            --open_.back();
            if (!item()) return fail(std::move(error_));
        }
        if (p_ != end_) {
            return fail("msgpack: " + std::to_string(end_ - p_) +
                        " trailing bytes after the message");
        }
        return {};
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

    // Truncation is found before any limit: the header first, then the payload.
    bool item() {
        if (left() == 0 || left() < mp::head_size(*p_)) return truncated();
        const mp::header h = mp::read_header(p_);
        if (h.k == kind::invalid) {  // 0xc1: never used by msgpack
            return stop("invalid type byte at offset " + std::to_string(p_ - begin_));
        }
        if (h.k == kind::array || h.k == kind::map) return container(h);
        if (left() - h.head < h.payload) return truncated();
        p_ += h.head + h.payload;
        if (h.k == kind::ext) return stop("ext values are not part of the protocol");
        if (h.k != kind::str && h.k != kind::bin) return true;
        if (h.value <= limits_.max_string_bytes) return true;
        return stop(std::string(h.k == kind::str ? "string" : "binary") + " of " +
                    std::to_string(h.value) + " bytes exceeds the limit of " +
                    std::to_string(limits_.max_string_bytes));
    }

    bool container(const mp::header& h) {
        const char* what = h.k == kind::map ? "map" : "array";
        const std::uint64_t entries = h.value;
        p_ += h.head;
        if (open_.size() > limits_.max_depth) {  // the message's own slot is not a level
            return stop("nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
        }
        if (entries > limits_.max_array_items) {
            return stop(std::string(what) + " of " + std::to_string(entries) +
                        " entries exceeds the limit of " + std::to_string(limits_.max_array_items));
        }
        // Every item takes at least one byte, so all the items claimed so far
        // cannot outnumber the input's bytes in a message that is really there.
        const std::uint64_t items = entries * (h.k == kind::map ? 2 : 1);
        claimed_items_ += items;
        if (claimed_items_ > static_cast<std::uint64_t>(end_ - begin_)) {
            return stop(std::string(what) + " of " + std::to_string(entries) +
                        " entries cannot fit in a message of " + std::to_string(end_ - begin_) +
                        " bytes");
        }
        open_.push_back(items);
        return true;
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

result<void> check_limits(std::string_view bytes, const decode_limits& limits) {
    if (bytes.empty()) return fail("empty message");
    return limit_walk(bytes, limits).run();
}

}  // namespace swarm::proto::detail
