#pragma once
// JSONPath queries (RFC 9535) for `check.json` and `extract.json`:
//   $  .name  ['name']  [3]  [-1]  [*]  .*  [start:end:step]  [0,'a',1:3]
//   ..name  ..*  ..[...]  [?filter] with @ / $ queries, == != < <= > >=,
//   && || ! ( ), literals, and length() count() match() search() value().
// Leniencies kept from swarm's first JSONPath subset: the leading `$` may be
// left out (`a.b`, `[0]`, `.a`), and a `.name` may hold digits first, '-' and
// '$' (`$.x-request-id`, `$.0`).
//
// Parsed once at load (the text is at most max_text bytes, filters nest at
// most max_nesting deep) and immutable afterwards, so one parsed query may be
// used by any number of threads at once. Evaluation never throws and is
// bounded: at most max_nodes nodes are selected and at most max_steps nodes
// are visited per select() (a descendant query over a huge document, or a
// filter that queries the document again for each node, stops there and keeps
// what it found so far). A singular query (names and indexes only) is resolved
// by find() without allocating.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace boost::json {
class value;
}

namespace swarm::scenario {

namespace json_path_detail {
struct logical;  // a filter expression: json_path_ast.hpp
struct access;   // the parser and the evaluator
}  // namespace json_path_detail

class json_path {
  public:
    static constexpr std::size_t max_text = 4096;        // bytes of query text
    static constexpr int max_nesting = 64;               // filters, parentheses, calls
    static constexpr std::size_t max_nodes = 100'000;    // nodes one select() returns
    static constexpr std::size_t max_steps = 4'000'000;  // nodes one select() visits

    // `start:end:step`; absent bounds take the RFC defaults for the step's sign.
    struct slice {
        std::optional<std::int64_t> start;
        std::optional<std::int64_t> end;
        std::int64_t step = 1;
    };

    struct selector {
        enum class kind : std::uint8_t { name, index, wildcard, slice, filter };
        kind how = kind::name;
        std::string name;                                         // name
        std::int64_t index = 0;                                   // index
        struct slice range;                                       // slice
        std::shared_ptr<const json_path_detail::logical> filter;  // filter
    };

    // `[a, b]` / `.name` / `.*` (child), or `..[a, b]` / `..name` (descendant).
    struct segment {
        std::vector<selector> selectors;
        bool descendant = false;
    };

    // The query, or where its syntax goes wrong ("expected ']' at offset 7").
    static result<json_path> parse(std::string_view text);

    // The first node the query selects, or nullptr when it selects none.
    const boost::json::value* find(const boost::json::value& doc) const;

    // Every node the query selects, in the order RFC 9535 gives (appended to
    // `out`, which the caller may reuse across responses; at most max_nodes).
    void select(const boost::json::value& doc, std::vector<const boost::json::value*>& out) const;

    // True when the query selects at most one node whatever the document
    // (only member names and indexes): extraction then gives one value, a
    // non-singular query gives the list of every match.
    bool is_singular() const { return singular_; }

    const std::vector<segment>& segments() const { return segments_; }

  private:
    friend struct json_path_detail::access;

    std::vector<segment> segments_;
    bool singular_ = true;
    bool relative_ = false;  // `@...` inside a filter: starts at the current node
};

}  // namespace swarm::scenario
