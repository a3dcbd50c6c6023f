#pragma once
// A small JSONPath subset for `check.json` and `extract.json`:
//   $            the document
//   .name        a member           ['name']  a member with any characters
//   [3]          an array element   [-1]      counted from the end
// Parsed once at load; resolved per response without allocating.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace boost::json {
class value;
}

namespace swarm::scenario {

class json_path {
  public:
    struct segment {
        std::string member;      // when !is_index
        std::int64_t index = 0;  // when is_index
        bool is_index = false;
    };

    // The path, or where its syntax goes wrong ("expected ']' at offset 7").
    static result<json_path> parse(std::string_view text);

    // The value at this path, or nullptr when any step does not resolve.
    // For a query that may select several nodes: the first selected one.
    const boost::json::value* find(const boost::json::value& doc) const;

    // Every node the query selects, in the order RFC 9535 gives (appended to
    // `out`, which the caller may reuse across responses).
    void select(const boost::json::value& doc, std::vector<const boost::json::value*>& out) const;

    // True when the query selects at most one node whatever the document
    // (only member names and indexes): extraction then gives one value, a
    // non-singular query gives the list of every match.
    bool is_singular() const;

    const std::vector<segment>& segments() const { return segments_; }

  private:
    std::vector<segment> segments_;
};

}  // namespace swarm::scenario
