#pragma once
// `extract:` — pulling a value out of a response into a user variable: a
// regex group, a JSON path, a header, a cookie, or the value of an HTML
// <input name=...>. Plain functions on the user's thread; the regexes are
// compiled at scenario load (and, for HTML inputs, once per process).

#include <optional>
#include <string>
#include <string_view>

#include "common/scenario/plan.hpp"
#include "common/template/value.hpp"
#include "worker/user/checks.hpp"

namespace swarm::worker::user {

// The extracted value, or nullopt when nothing matched. A JSON path keeps
// the JSON type of what it finds (a string, number, bool, null, array or
// object); a path that may select several nodes ($.items[*].id) gives the list
// of every match. Regex, header, cookie and input extractions give strings.
std::optional<tmpl::value> extract_value(const scenario::extraction& e,
                                         const response_facts& facts);

// The value of the first <input> whose name attribute is `name`: attributes
// in any order, values in double, single or no quotes, &amp; &lt; &gt;
// &quot; &#39; decoded. An input without a value attribute yields "".
std::optional<std::string> find_input_value(std::string_view html, std::string_view name);

}  // namespace swarm::worker::user
