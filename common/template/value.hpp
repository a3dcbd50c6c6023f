#pragma once
// Values that template expressions produce and consume.
//
// Most values are strings (extracted text, data-file lines); integers appear in
// arithmetic and comparisons, booleans in conditions, records are CSV rows.
// Values are small and copied freely; records are shared and immutable.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace swarm::tmpl {

// One row of a CSV data file: fields in header order.
struct record {
    std::vector<std::pair<std::string, std::string>> fields;

    // The field's value, or nullptr when the record has no such field.
    const std::string* find(std::string_view name) const;
};

using record_ptr = std::shared_ptr<const record>;

// std::monostate is "no value" (an unset variable renders as "").
using value = std::variant<std::monostate, bool, std::int64_t, std::string, record_ptr>;

// A named list of items from a data file: strings (one per line of a .txt)
// or records (one per row of a .csv). Immutable once loaded; shared by every
// user of a worker.
struct data_set {
    std::string name;
    std::vector<value> items;
};

// Text form of a value: integers in decimal, booleans as true/false, a record
// as its fields joined "k=v&k=v" (rarely useful, never a crash).
std::string to_string(const value& v);
void append_to(std::string& out, const value& v);
// Decimal digits of `n`, appended without a temporary string (rendering's hot path).
void append_integer(std::string& out, std::int64_t n);

// Conditions: false, 0, "", "false" and "no value" are false; anything else true.
bool truthy(const value& v);

}  // namespace swarm::tmpl
