#pragma once
// Internal to proto/codec: checked reading of an unpacked msgpack tree.
// msgpack's own as<T>() throws a bare type_error on a mismatch; these readers
// check every item's type and range first and throw a decode_error that
// names the field ("spawn.targets[1].users: expected integer, got string"),
// which decode() hands back as its error value. Used by one decode() call at
// a time; no shared state.

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include <msgpack.hpp>

namespace swarm::proto::detail {

// A malformed message; thrown and caught inside the decoder only.
class decode_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// msgpack's name for an item's type, as errors show it.
const char* msgpack_type_name(const msgpack::object& o) noexcept;

// Up to `max` bytes of `s` with unprintable bytes as \xNN, for error messages
// quoting hostile input.
std::string printable(std::string_view s, std::size_t max = 64);

// Reads the items of one msgpack array front to back. Items beyond the ones
// read are ignored (later protocol versions may append fields).
class array_reader {
  public:
    // `where` names the array in errors: "stats_report.requests[3]".
    array_reader(const msgpack::object& array, std::string where);

    std::size_t size() const noexcept { return size_; }
    // No items left: an optional field appended in a later release is absent.
    bool at_end() const noexcept { return next_ >= size_; }
    const std::string& where() const noexcept { return where_; }

    std::uint64_t u64(std::string_view field);
    std::uint32_t u32(std::string_view field);
    std::int64_t i64(std::string_view field);
    double f64(std::string_view field);       // finite; integers accepted too
    std::string str(std::string_view field);  // msgpack str or bin
    array_reader array(std::string_view field);
    // The next item as an unsigned integer, named "[index]" in errors: for
    // long lists (histogram buckets), where formatting a name per item would
    // cost more than reading it. The name is only built on failure.
    std::uint64_t next_u64();

    // The next item, unconverted; throws when the array has no more items.
    const msgpack::object& next(std::string_view field);

    // `where` + field, the way errors name a field: "hello.host", "spawn.targets[2]".
    std::string path(std::string_view field) const;
    [[noreturn]] void fail(std::string_view field, std::string_view problem) const;

  private:
    [[noreturn]] void wrong_type(std::string_view field, const msgpack::object& o,
                                 const char* expected) const;

    const msgpack::object* items_ = nullptr;
    std::size_t size_ = 0;
    std::size_t next_ = 0;  // index of the next item to read
    std::string where_;
};

// "[i]", the field name of the i-th item of a list.
std::string item(std::size_t i);

}  // namespace swarm::proto::detail
