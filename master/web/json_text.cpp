#include "master/web/json_text.hpp"

#include <boost/json/serialize.hpp>

#include <array>
#include <charconv>
#include <cmath>

namespace swarm::master::web {
namespace {

namespace json = boost::json;

void append(std::string& out, const json::value& v) {
    switch (v.kind()) {
        case json::kind::double_:
            out += json_number(v.get_double());
            return;
        case json::kind::object: {
            out += '{';
            bool first = true;
            for (const auto& kv : v.get_object()) {
                if (!first) out += ',';
                first = false;
                out += json::serialize(json::string_view(kv.key()));
                out += ':';
                append(out, kv.value());
            }
            out += '}';
            return;
        }
        case json::kind::array: {
            out += '[';
            bool first = true;
            for (const auto& e : v.get_array()) {
                if (!first) out += ',';
                first = false;
                append(out, e);
            }
            out += ']';
            return;
        }
        default:
            out += json::serialize(v);
            return;
    }
}

}  // namespace

std::string json_number(double d) {
    if (!std::isfinite(d)) return "null";
    // Fixed notation of a double needs at most 309 integer digits plus the
    // shortest fraction (≤ 17 significant digits below 1, after zeros).
    std::array<char, 400> buf{};
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), d, std::chars_format::fixed);
    if (r.ec != std::errc()) return "null";
    std::string out(buf.data(), r.ptr);
    if (out.find('.') == std::string::npos) out += ".0";
    if (out == "-0.0") out = "0.0";
    return out;
}

std::string json_text(const json::value& v) {
    std::string out;
    append(out, v);
    return out;
}

}  // namespace swarm::master::web
