#pragma once
// Internal to proto/codec: checked reading of msgpack bytes that
// check_limits() has already accepted (one complete, well-formed value within
// the limits). The readers walk those bytes in place: no msgpack object tree
// is built and nothing is allocated for the items themselves, which matters
// to a master decoding a thousand 24 KB reports a second (bench/README.md,
// "Master fan-in"). Every item's type and range are checked before it is
// converted; a mismatch throws a decode_error that names the field
// ("spawn.targets[1].users: expected integer, got string"), which decode()
// hands back as its error value. Used by one decode() call at a time; no
// shared state.
//
// Nesting: array(field) returns a reader of the nested array that continues
// on the same bytes. The parent reads on only after the nested reader has
// read all of its items or been destroyed (which skips what it did not read:
// later protocol versions may append fields). Reading the parent while a
// nested reader is half-way is a bug in the decoder, reported as an error.

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace swarm::proto::detail {

// A malformed message; thrown and caught inside the decoder only.
class decode_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Up to `max` bytes of `s` with unprintable bytes as \xNN, for error messages
// quoting hostile input.
std::string printable(std::string_view s, std::size_t max = 64);

// Reads the items of one msgpack array front to back. Items beyond the ones
// read are ignored (later protocol versions may append fields).
class array_reader {
  public:
    // The top-level value of `bytes` (accepted by check_limits), which must be
    // an array; `where` names it in errors ("envelope"). `bytes` must outlive
    // the reader and every string_view it hands out.
    array_reader(std::string_view bytes, std::string where);
    ~array_reader();
    array_reader(const array_reader&) = delete;
    array_reader& operator=(const array_reader&) = delete;

    std::size_t size() const noexcept { return size_; }
    // No items left: an optional field appended in a later release is absent.
    bool at_end() const noexcept { return next_ >= size_; }
    const std::string& where() const noexcept { return where_; }
    // Names the array differently from here on (the envelope, once its type is known).
    void rename(std::string where) { where_ = std::move(where); }

    std::uint64_t u64(std::string_view field);
    std::uint32_t u32(std::string_view field);
    std::int64_t i64(std::string_view field);
    double f64(std::string_view field);       // finite; integers accepted too
    std::string str(std::string_view field);  // msgpack str or bin
    // The same, refusing one longer than `max_bytes` before copying it.
    std::string str(std::string_view field, std::size_t max_bytes);
    // A msgpack str (not bin), pointing into the input bytes.
    std::string_view str_view(std::string_view field);
    array_reader array(std::string_view field);
    // The next item as an unsigned integer, named "[index]" in errors: for
    // long lists (histogram buckets), where formatting a name per item would
    // cost more than reading it. The name is only built on failure.
    std::uint64_t next_u64();
    // Throws "missing <field>" when no item is left.
    void require(std::string_view field) const;

    // `where` + field, the way errors name a field: "hello.host", "spawn.targets[2]".
    std::string path(std::string_view field) const;
    [[noreturn]] void fail(std::string_view field, std::string_view problem) const;

  private:
    // A nested array: the item at the parent's position.
    array_reader(array_reader& parent, std::string where);
    // The position of the next item, once it is this reader's turn to read.
    const unsigned char* take(std::string_view field);
    // Moves past the item at pos_ that was just read (`length` bytes).
    void consumed(std::size_t length) noexcept;
    // When every item is read (and no nested reader is open), hands the
    // position back to the parent.
    void settle() noexcept;
    [[noreturn]] void wrong_type(std::string_view field, const unsigned char* at,
                                 const char* expected) const;

    const unsigned char* pos_ = nullptr;  // start of the next unread item
    std::size_t size_ = 0;
    std::size_t next_ = 0;  // index of the next item to read
    std::string where_;
    array_reader* parent_ = nullptr;  // null for the top-level array
    bool child_open_ = false;         // a nested reader owns the position
    bool settled_ = false;            // position handed back to the parent
};

// msgpack's name for the type of the value starting at `at`, as errors show it.
const char* msgpack_type_name(const unsigned char* at) noexcept;

// "[i]", the field name of the i-th item of a list.
std::string item(std::size_t i);

}  // namespace swarm::proto::detail
