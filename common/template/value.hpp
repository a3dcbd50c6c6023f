#pragma once
// Values that template expressions produce and consume.
//
// Most values are strings (extracted text, data-file lines); integers appear in
// arithmetic and comparisons, booleans in conditions, records are CSV rows.
// Values extracted from JSON keep their JSON type: floating-point numbers,
// null, and arrays/objects (shared, immutable Boost.JSON values). Values are
// small and copied freely: records and JSON containers are shared pointers.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace boost::json {
class value;
class array;
}  // namespace boost::json

namespace swarm::tmpl {

// One row of a CSV data file: fields in header order.
struct record {
    std::vector<std::pair<std::string, std::string>> fields;

    // The field's value, or nullptr when the record has no such field.
    const std::string* find(std::string_view name) const;
};

using record_ptr = std::shared_ptr<const record>;

// JSON null (a value, unlike "no value": it is what a JSON response said).
struct null_value {
    friend bool operator==(null_value, null_value) = default;
};

// A JSON array or object; scalars from JSON become bool/int64/double/string/null.
using json_ptr = std::shared_ptr<const boost::json::value>;

// std::monostate is "no value" (an unset variable renders as "", or as null
// where a whole JSON value is expected).
using value = std::variant<std::monostate, bool, std::int64_t, std::string, record_ptr, double,
                           null_value, json_ptr>;

// A named list of items from a data file: strings (one per line of a .txt)
// or records (one per row of a .csv). Immutable once loaded; shared by every
// user of a worker.
struct data_set {
    std::string name;
    std::vector<value> items;
};

// Text form of a value: integers in decimal, floats in their shortest
// round-trip form with at least one decimal ("1.5", "2.0"), booleans as
// true/false, null as "null", arrays and objects as compact JSON, a record as
// its fields joined "k=v&k=v" (rarely useful, never a crash).
std::string to_string(const value& v);
void append_to(std::string& out, const value& v);
// Decimal digits of `n`, appended without a temporary string (rendering's hot path).
void append_integer(std::string& out, std::int64_t n);
// Shortest round-trip digits of `d`, with ".0" when they would read as an
// integer; "nan", "inf", "-inf" for the non-finite.
void append_double(std::string& out, double d);

// The JSON text of a value, typed: 1, 1.5, true, null, "text" (escaped),
// arrays and objects as they are, a record as an object of its string
// fields; "no value" and non-finite floats are null.
void append_json(std::string& out, const value& v);
// `text` as a JSON string, quotes included.
void append_json_string(std::string& out, std::string_view text);
// `text`'s bytes escaped for the inside of a JSON string.
void append_json_escaped(std::string& out, std::string_view text);

// A JSON value as a template value: strings, numbers (an integer too large
// for int64 becomes a float), booleans and null natively; arrays and objects
// shared.
value from_json(const boost::json::value& j);
// The array of copies of `items` (a JSONPath query's matches).
value list_of(std::span<const boost::json::value* const> items);
// The array a value holds, or nullptr.
const boost::json::array* as_list(const value& v);

// Conditions: false, 0, 0.0, "", "false", null, an empty array or object and
// "no value" are false; anything else true.
bool truthy(const value& v);

}  // namespace swarm::tmpl
