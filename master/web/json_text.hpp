#pragma once
// JSON text without exponent notation, for every JSON the master serves or
// writes (REST, WebSocket, result.json). Boost.JSON's serializer writes
// doubles as "0E0" and "6.25E-1", which JavaScript and Python read but
// grep-, awk- and jq-style scripts written against Locust's API do not; and
// Locust (Python's json) tells floats from ints by the ".0". So here:
// - a double is its shortest round-trip digits in fixed notation, with ".0"
//   on whole numbers ("0.0", "0.625", "1234.0"); NaN and infinities (which
//   JSON lacks) are null;
// - integers, strings, keys, booleans and null as Boost.JSON writes them.
// Pure functions; any thread.

#include <string>

#include <boost/json/value.hpp>

namespace swarm::master::web {

std::string json_text(const boost::json::value& v);
// One double as json_text writes it.
std::string json_number(double d);

}  // namespace swarm::master::web
