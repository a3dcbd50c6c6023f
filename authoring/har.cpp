// The HAR reader: Boost.JSON's DOM, walked with the JSON pointer of each
// value at hand so that the first thing that is not HAR is named exactly.
#include "authoring/har.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "common/printable.hpp"

namespace swarm::authoring {

namespace json = boost::json;

namespace {

// Thrown inside the walk only; read_har turns it into its error.
struct har_error {
    std::string message;
};

[[noreturn]] void bad(const std::string& pointer, const std::string& what) {
    throw har_error{(pointer.empty() ? std::string("/") : pointer) + ": " + what};
}

const json::object& object_at(const json::value& v, const std::string& pointer) {
    if (!v.is_object()) bad(pointer, "expected an object");
    return v.get_object();
}

const json::array& array_at(const json::value& v, const std::string& pointer) {
    if (!v.is_array()) bad(pointer, "expected an array");
    return v.get_array();
}

const json::value& member(const json::object& o, std::string_view key, const std::string& pointer) {
    const auto* v = o.if_contains(key);
    if (!v) bad(pointer, "missing member '" + std::string(key) + "'");
    return *v;
}

std::string string_at(const json::value& v, const std::string& pointer) {
    if (!v.is_string()) bad(pointer, "expected a string");
    return std::string(v.get_string());
}

// An optional string member: absent or null gives "".
std::string optional_string(const json::object& o, std::string_view key,
                            const std::string& pointer) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) return {};
    return string_at(*v, pointer + "/" + std::string(key));
}

double number_at(const json::value& v, const std::string& pointer) {
    if (v.is_int64()) return static_cast<double>(v.get_int64());
    if (v.is_uint64()) return static_cast<double>(v.get_uint64());
    if (v.is_double() && std::isfinite(v.get_double())) return v.get_double();
    bad(pointer, "expected a number");
}

std::int64_t date_at(const json::object& o, const std::string& pointer) {
    const std::string at = pointer + "/startedDateTime";
    const auto text = string_at(member(o, "startedDateTime", pointer), at);
    const auto us = parse_iso8601(text);
    if (!us) bad(at, "expected an ISO 8601 date-time, got '" + printable(text) + "'");
    return *us;
}

std::vector<har_pair> pairs_at(const json::value& v, const std::string& pointer) {
    std::vector<har_pair> out;
    const auto& list = array_at(v, pointer);
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string at = pointer + "/" + std::to_string(i);
        const auto& o = object_at(list[i], at);
        out.push_back(
            {string_at(member(o, "name", at), at + "/name"), optional_string(o, "value", at)});
    }
    return out;
}

har_post_data post_data_at(const json::object& o, const std::string& pointer) {
    har_post_data out;
    out.mime_type = optional_string(o, "mimeType", pointer);
    if (const auto* t = o.if_contains("text"); t && !t->is_null()) {
        out.text = string_at(*t, pointer + "/text");
        out.has_text = true;
    }
    if (const auto* p = o.if_contains("params")) out.params = pairs_at(*p, pointer + "/params");
    return out;
}

har_entry entry_at(const json::value& v, const std::string& pointer) {
    const auto& o = object_at(v, pointer);
    har_entry e;
    e.pageref = optional_string(o, "pageref", pointer);
    e.started_us = date_at(o, pointer);
    if (const auto* t = o.if_contains("time"); t && !t->is_null())
        e.time_ms = std::clamp(number_at(*t, pointer + "/time"), 0.0, max_entry_time_ms);
    e.resource_type = optional_string(o, "_resourceType", pointer);

    const std::string req_at = pointer + "/request";
    const auto& req = object_at(member(o, "request", pointer), req_at);
    e.method = string_at(member(req, "method", req_at), req_at + "/method");
    e.url = string_at(member(req, "url", req_at), req_at + "/url");
    if (const auto* h = req.if_contains("headers")) e.headers = pairs_at(*h, req_at + "/headers");
    if (const auto* p = req.if_contains("postData"); p && !p->is_null())
        e.post = post_data_at(object_at(*p, req_at + "/postData"), req_at + "/postData");

    const std::string resp_at = pointer + "/response";
    const auto& resp = object_at(member(o, "response", pointer), resp_at);
    const double status = number_at(member(resp, "status", resp_at), resp_at + "/status");
    // 0 is what browsers record for a request that got no answer.
    if (status != std::floor(status) || (status != 0 && (status < 100 || status > 599)))
        bad(resp_at + "/status", "expected an HTTP status (100 to 599, or 0)");
    e.status = static_cast<int>(status);
    if (const auto* c = resp.if_contains("content"); c && !c->is_null()) {
        const std::string content_at = resp_at + "/content";
        const auto& content = object_at(*c, content_at);
        e.response_mime = optional_string(content, "mimeType", content_at);
        auto text = optional_string(content, "text", content_at);
        if (optional_string(content, "encoding", content_at).empty() &&
            text.size() <= max_kept_body_bytes)
            e.response_text = std::move(text);
    }
    return e;
}

har_log log_at(const json::value& doc) {
    const auto& root = object_at(doc, "");
    const auto& log = object_at(member(root, "log", ""), "/log");
    har_log out;
    if (const auto* pages = log.if_contains("pages"); pages && !pages->is_null()) {
        const auto& list = array_at(*pages, "/log/pages");
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string at = "/log/pages/" + std::to_string(i);
            const auto& p = object_at(list[i], at);
            out.pages.push_back({string_at(member(p, "id", at), at + "/id"),
                                 optional_string(p, "title", at), date_at(p, at)});
        }
    }
    const auto& entries = array_at(member(log, "entries", "/log"), "/log/entries");
    if (entries.size() > max_har_entries)
        bad("/log/entries", "more than " + std::to_string(max_har_entries) + " entries");
    for (std::size_t i = 0; i < entries.size(); ++i)
        out.entries.push_back(entry_at(entries[i], "/log/entries/" + std::to_string(i)));
    return out;
}

// Reads exactly `n` digits at `pos` (advancing it), or fails.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9') return false;
        out = out * 10 + (c - '0');
    }
    pos += n;
    return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
    if (pos >= s.size() || s[pos] != c) return false;
    ++pos;
    return true;
}

}  // namespace

std::optional<std::int64_t> parse_iso8601(std::string_view s) {
    std::size_t pos = 0;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (!digits(s, pos, 4, y) || !expect(s, pos, '-') || !digits(s, pos, 2, mo) ||
        !expect(s, pos, '-') || !digits(s, pos, 2, d) || !expect(s, pos, 'T') ||
        !digits(s, pos, 2, h) || !expect(s, pos, ':') || !digits(s, pos, 2, mi) ||
        !expect(s, pos, ':') || !digits(s, pos, 2, sec))
        return std::nullopt;
    std::int64_t micros = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        std::int64_t scale = 100'000;
        const std::size_t first = pos;
        for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos) {
            micros += (s[pos] - '0') * scale;  // digits past microseconds add 0
            scale /= 10;
        }
        if (pos == first) return std::nullopt;
    }
    int offset_min = 0;
    if (pos < s.size() && s[pos] == 'Z') {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        const int sign = s[pos++] == '+' ? 1 : -1;
        int oh = 0, om = 0;
        if (!digits(s, pos, 2, oh) || !expect(s, pos, ':') || !digits(s, pos, 2, om) || oh > 23 ||
            om > 59)
            return std::nullopt;
        offset_min = sign * (oh * 60 + om);
    } else {
        return std::nullopt;
    }
    if (pos != s.size() || mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
    const std::chrono::year_month_day date{std::chrono::year{y},
                                           std::chrono::month{static_cast<unsigned>(mo)},
                                           std::chrono::day{static_cast<unsigned>(d)}};
    if (!date.ok()) return std::nullopt;
    const auto days = std::chrono::sys_days(date).time_since_epoch().count();
    const std::int64_t seconds =
        static_cast<std::int64_t>(days) * 86'400 + h * 3600 + mi * 60 + sec - offset_min * 60;
    return seconds * 1'000'000 + micros;
}

swarm::result<har_log> read_har(std::string_view text) {
    if (text.size() > max_har_bytes)
        return fail("the HAR file is larger than " + std::to_string(max_har_bytes >> 20) + " MiB");
    boost::system::error_code ec;
    json::parse_options opts;
    opts.max_depth = 64;  // HAR is shallow; a deeper document is not one
    const json::value doc = json::parse(text, ec, {}, opts);
    if (ec) return fail("not JSON: " + ec.message());
    try {
        return log_at(doc);
    } catch (const har_error& e) {
        return fail(e.message);
    }
}

}  // namespace swarm::authoring
