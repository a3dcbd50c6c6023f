#include "proto/codec/limit_check.hpp"

#include <cstdint>

#include <msgpack.hpp>

namespace swarm::proto::detail {
namespace {

// msgpack's parser calls these as it meets each item; returning false stops it.
// (Hides null_visitor's members; the parser is a template over this type.)
class limit_visitor : public msgpack::null_visitor {
  public:
    limit_visitor(const decode_limits& limits, std::size_t input_bytes)
        : limits_(limits), input_bytes_(input_bytes) {}

    bool visit_str(const char*, std::uint32_t size) { return check_bytes(size, "string"); }
    bool visit_bin(const char*, std::uint32_t size) { return check_bytes(size, "binary"); }
    bool visit_ext(const char*, std::uint32_t) {
        return stop("ext values are not part of the protocol");
    }
    bool start_array(std::uint32_t items) { return enter(items, items, "array"); }
    bool end_array() { return leave(); }
    bool start_map(std::uint32_t pairs) {
        return enter(pairs, 2 * std::uint64_t{pairs}, "map");  // a key and a value per pair
    }
    bool end_map() { return leave(); }
    void parse_error(std::size_t, std::size_t error_offset) {
        error_ = "msgpack: invalid type byte at offset " + std::to_string(error_offset);
    }
    void insufficient_bytes(std::size_t, std::size_t) {
        error_ =
            "msgpack: truncated (" + std::to_string(input_bytes_) + " bytes end inside a value)";
    }

    const std::string& error() const noexcept { return error_; }

  private:
    bool stop(std::string why) {
        error_ = "msgpack: " + std::move(why);
        return false;
    }
    bool check_bytes(std::uint32_t size, const char* what) {
        if (size <= limits_.max_string_bytes) return true;
        return stop(std::string(what) + " of " + std::to_string(size) +
                    " bytes exceeds the limit of " + std::to_string(limits_.max_string_bytes));
    }
    bool enter(std::uint64_t entries, std::uint64_t items, const char* what) {
        if (++depth_ > limits_.max_depth) {
            return stop("nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
        }
        if (entries > limits_.max_array_items) {
            return stop(std::string(what) + " of " + std::to_string(entries) +
                        " entries exceeds the limit of " + std::to_string(limits_.max_array_items));
        }
        // Every item takes at least one byte, so all the items claimed so far
        // cannot outnumber the input's bytes in a message that is really there.
        claimed_items_ += items;
        if (claimed_items_ > input_bytes_) {
            return stop(std::string(what) + " of " + std::to_string(entries) +
                        " entries cannot fit in a message of " + std::to_string(input_bytes_) +
                        " bytes");
        }
        return true;
    }
    bool leave() {
        --depth_;
        return true;
    }

    const decode_limits& limits_;
    std::size_t input_bytes_;
    std::size_t depth_ = 0;            // containers open right now
    std::uint64_t claimed_items_ = 0;  // items all containers so far declared
    std::string error_;
};

}  // namespace

std::optional<std::string> check_limits(std::string_view bytes, const decode_limits& limits) {
    if (bytes.empty()) return "empty message";
    limit_visitor visitor(limits, bytes.size());
    std::size_t offset = 0;
    const bool parsed = msgpack::parse(bytes.data(), bytes.size(), offset, visitor);
    if (!parsed) {
        return visitor.error().empty() ? std::string("msgpack: malformed input") : visitor.error();
    }
    if (offset != bytes.size()) {
        return "msgpack: " + std::to_string(bytes.size() - offset) +
               " trailing bytes after the message";
    }
    return std::nullopt;
}

}  // namespace swarm::proto::detail
