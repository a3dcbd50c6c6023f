// libFuzzer target over the JSONPath parser and evaluator (RFC 9535):
// the input up to its first NUL byte is a query; when it parses, it is
// evaluated over a fixed document and over the rest of the input read as a
// JSON document. Any crash, hang, leak or UB is a bug, and so is a broken
// promise of json_path.hpp: find() is select()'s first node, a singular query
// selects at most one node, no select() returns more than max_nodes.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/scenario/json_path.hpp"

namespace {

const boost::json::value& fixed_document() {
    static const boost::json::value doc = boost::json::parse(R"({
        "store": {"book": [
            {"category": "reference", "author": "Nigel Rees", "price": 8.95},
            {"category": "fiction", "author": "Herman Melville", "isbn": "0-553-21311-3",
             "price": 8.99, "tags": ["sea", "whale"]}],
            "bicycle": {"color": "red", "price": 399}},
        "a": [3, 5, 1, 2, 4, 6, {"b": "j"}, {"b": "k"}, {"b": {}}, {"b": "kilo"}, null, true],
        "o": {"p": 1, "q": 2.5, "r": -3, "s": 18446744073709551615, "t": {"u": "é"}},
        "": [[[[[]]]]], "x-id": "abc"})");
    return doc;
}

void check(const swarm::scenario::json_path& path, const boost::json::value& doc) {
    std::vector<const boost::json::value*> out;
    path.select(doc, out);
    if (out.size() > swarm::scenario::json_path::max_nodes) __builtin_trap();
    if (path.is_singular() && out.size() > 1) __builtin_trap();
    if (path.find(doc) != (out.empty() ? nullptr : out.front())) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto nul = input.find('\0');
    const auto query = input.substr(0, nul);
    const auto parsed = swarm::scenario::json_path::parse(query);
    if (!parsed) return 0;
    check(*parsed, fixed_document());
    if (nul == std::string_view::npos) return 0;
    boost::json::parse_options options;
    options.max_depth = 1000;
    boost::system::error_code ec;
    const auto doc = boost::json::parse(input.substr(nul + 1), ec, {}, options);
    if (!ec) check(*parsed, doc);
    return 0;
}
