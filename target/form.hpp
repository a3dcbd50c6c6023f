#pragma once
// Decoding of what browsers send: query strings and urlencoded form bodies
// (application/x-www-form-urlencoded) and Cookie headers. Pure functions.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace swarm::target {

using form_fields = std::vector<std::pair<std::string, std::string>>;

// "a=1&b=x+y%21" → {{"a","1"},{"b","x y!"}}, in order. A field without '='
// has an empty value; empty fields ("a=1&&b=2") are skipped. nullopt when a
// percent escape is malformed.
std::optional<form_fields> parse_form(std::string_view text);

// The first value of `name` in a query string or form body; nullopt when
// absent or the text is malformed.
std::optional<std::string> form_value(std::string_view text, std::string_view name);

// "a=1; b=2" → {{"a","1"},{"b","2"}}; views into `header`.
std::vector<std::pair<std::string_view, std::string_view>> parse_cookies(std::string_view header);

// True when `s` may be used as a cookie name (an RFC 6265 token) or value
// (cookie-octets), so echoing it into Set-Cookie cannot inject headers.
bool is_cookie_name(std::string_view s);
bool is_cookie_value(std::string_view s);

}  // namespace swarm::target
