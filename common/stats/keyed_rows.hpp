#pragma once
// Internal to common/stats: rows keyed by N strings, kept in first-seen
// order, found by string_view without allocating (heterogeneous lookup).
// table and error_table build on it; not a public interface.
//
// The hash index is built lazily: append() adds a row without touching it,
// and the first find() or insert() after appends indexes the rows it has not
// seen. A decoded worker message is appended row by row and only iterated,
// so it never pays for an index (the master takes in thousands a second).
// Because of that a const find() may update the index: like the rest of
// common/stats, not safe to touch from two threads at once, even to read.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace swarm::stats::detail {

template <std::size_t N>
using string_key = std::array<std::string, N>;
template <std::size_t N>
using string_key_view = std::array<std::string_view, N>;

template <std::size_t N>
struct string_key_hash {
    using is_transparent = void;
    std::size_t operator()(const string_key_view<N>& key) const noexcept {
        std::size_t h = 0;
        for (std::string_view part : key) {
            // boost::hash_combine's mixing, so ("ab", "c") and ("a", "bc") differ.
            h ^= std::hash<std::string_view>{}(part) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
        }
        return h;
    }
    std::size_t operator()(const string_key<N>& key) const noexcept { return (*this)(view(key)); }
    static string_key_view<N> view(const string_key<N>& key) noexcept {
        string_key_view<N> v;
        std::copy(key.begin(), key.end(), v.begin());
        return v;
    }
};

template <std::size_t N>
struct string_key_equal {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const noexcept {
        return std::equal(a.begin(), a.end(), b.begin(), [](const auto& x, const auto& y) {
            return std::string_view(x) == std::string_view(y);
        });
    }
};

template <std::size_t N, class Value>
class keyed_rows {
  public:
    struct row {
        string_key<N> key;  // the strings identifying the row
        Value value;
    };

    // (noexcept: indexing pending rows may allocate; running out of memory
    // there ends the process, as it would in most of the program anyway.)
    Value* find(const string_key_view<N>& key) noexcept {
        sync_index();
        const auto it = index_.find(key);
        return it == index_.end() ? nullptr : &rows_[it->second].value;
    }
    const Value* find(const string_key_view<N>& key) const noexcept {
        sync_index();
        const auto it = index_.find(key);
        return it == index_.end() ? nullptr : &rows_[it->second].value;
    }

    // Adds a row with a default value; `key` must not be present yet.
    Value& insert(const string_key_view<N>& key) {
        sync_index();
        string_key<N> owned;
        std::copy(key.begin(), key.end(), owned.begin());
        rows_.push_back(row{owned, Value{}});
        try {
            index_.emplace(std::move(owned), static_cast<std::uint32_t>(rows_.size() - 1));
        } catch (...) {
            rows_.pop_back();  // keep rows_ and index_ in step
            throw;
        }
        indexed_ = rows_.size();
        return rows_.back().value;
    }

    // Adds a row without looking the key up or indexing it now. The caller
    // guarantees the key is not present (the decoder checks its rows for
    // duplicates itself); a duplicate would be found by find() only once.
    Value& append(string_key<N> key, Value&& value) {
        rows_.push_back(row{std::move(key), std::move(value)});
        return rows_.back().value;
    }

    // Rows in the order their keys were first inserted.
    const std::vector<row>& rows() const noexcept { return rows_; }
    std::size_t size() const noexcept { return rows_.size(); }
    bool empty() const noexcept { return rows_.empty(); }
    void clear() noexcept {
        rows_.clear();
        index_.clear();
        indexed_ = 0;
    }
    void swap(keyed_rows& other) noexcept {
        rows_.swap(other.rows_);
        index_.swap(other.index_);
        std::swap(indexed_, other.indexed_);
    }

  private:
    // Indexes the rows appended since the last lookup.
    void sync_index() const {
        for (; indexed_ < rows_.size(); ++indexed_) {
            index_.emplace(rows_[indexed_].key, static_cast<std::uint32_t>(indexed_));
        }
    }

    std::vector<row> rows_;  // first-seen order; keys are duplicated in index_
    mutable std::unordered_map<string_key<N>, std::uint32_t, string_key_hash<N>,
                               string_key_equal<N>>
        index_;                        // key -> position in rows_, for rows_[0, indexed_)
    mutable std::size_t indexed_ = 0;  // rows_ before this position are in index_
};

}  // namespace swarm::stats::detail
