#pragma once
// `extract:` — pulling a value out of a response into a user variable: a
// regex group, a JSON path, a header, a cookie, or the value of an HTML
// <input name=...>. Plain functions on the user's thread; the regexes are
// compiled at scenario load (and, for HTML inputs, once per process).

#include <optional>
#include <string>
#include <string_view>

#include "common/scenario/plan.hpp"
#include "worker/user/checks.hpp"

namespace swarm::worker::user {

// The extracted value, or nullopt when nothing matched. JSON strings come
// back unquoted, other JSON values serialised.
std::optional<std::string> extract_value(const scenario::extraction& e,
                                         const response_facts& facts);

// The value of the first <input> whose name attribute is `name`: attributes
// in any order, values in double, single or no quotes, &amp; &lt; &gt;
// &quot; &#39; decoded. An input without a value attribute yields "".
std::optional<std::string> find_input_value(std::string_view html, std::string_view name);

}  // namespace swarm::worker::user
