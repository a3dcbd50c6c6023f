#include "master/web/start_form.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/params_view.hpp>

#include <charconv>
#include <cmath>
#include <map>

#include "common/duration.hpp"
#include "common/result.hpp"

namespace swarm::master::web {
namespace {

// Decoded "a=1&b=x+y" pairs; throws boost::system::system_error when malformed.
boost::urls::params_view form_params(const std::string& encoded) {
    boost::urls::encoding_opts opt;
    opt.space_as_plus = true;
    return boost::urls::params_view(encoded, opt);
}

constexpr std::int64_t max_users = 100'000'000;  // as -u allows

// Field name → text value, from either encoding. Numbers in JSON are kept as
// their JSON text so one validation serves both.
result<std::map<std::string, std::string>> fields_of(const std::string& content_type,
                                                     const std::string& body) {
    std::map<std::string, std::string> fields;
    if (content_type.rfind("application/json", 0) == 0) {
        boost::system::error_code ec;
        const auto doc = boost::json::parse(body, ec);
        if (ec || !doc.is_object()) return fail("body: expected a JSON object");
        for (const auto& [key, value] : doc.as_object()) {
            if (value.is_string()) {
                fields[std::string(key)] = std::string(value.as_string());
            } else if (value.is_number()) {
                fields[std::string(key)] = boost::json::serialize(value);
            } else if (!value.is_null()) {
                return fail(std::string(key) + ": expected a number or a string");
            }
        }
        return fields;
    }
    try {
        for (const auto& p : form_params(body)) {
            if (p.has_value) fields[std::string(p.key)] = std::string(p.value);
        }
    } catch (const std::exception&) {
        return fail("body: malformed form encoding");
    }
    return fields;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// "5", "5.0", "5e0" → 5: Locust's scripts send user_count as a float (JSON
// 5.0 also reaches here as "5E0"); a fraction, a sign, NaN, infinity or more
// than max_users → nullopt.
std::optional<std::int64_t> whole_users(const std::string& text) {
    double v = -1;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size())
        return std::nullopt;
    if (!std::isfinite(v) || v < 0 || v > static_cast<double>(max_users) || v != std::floor(v))
        return std::nullopt;
    return static_cast<std::int64_t>(v);
}

}  // namespace

std::optional<std::string> form_value(const std::string& encoded, const std::string& key) {
    try {
        for (const auto& p : form_params(encoded)) {
            if (p.key == key)
                return std::string(p.has_value ? std::string(p.value) : std::string());
        }
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

result<test_request> parse_start_form(const std::string& content_type, const std::string& body,
                                      const start_defaults& defaults) {
    auto fields = fields_of(content_type, body);
    if (!fields) return fields.error();
    test_request req;
    req.spec.users = defaults.users;
    req.spec.spawn_rate = defaults.spawn_rate;
    req.spec.host_override = defaults.host;
    req.spec.stop_timeout_ms = defaults.stop_timeout_ms;
    req.run_time = defaults.run_time;

    if (auto it = fields->find("user_count"); it != fields->end()) {
        const auto n = whole_users(trim(it->second));
        if (!n) {
            return fail("user_count: expected a whole number from 0 to " +
                        std::to_string(max_users) + ", got '" + it->second + "'");
        }
        req.spec.users = *n;
    }
    if (auto it = fields->find("spawn_rate"); it != fields->end()) {
        const auto text = trim(it->second);
        double rate = 0;
        const auto r = std::from_chars(text.data(), text.data() + text.size(), rate);
        if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size() ||
            !std::isfinite(rate) || rate <= 0) {
            return fail("spawn_rate: expected a number > 0, got '" + it->second + "'");
        }
        req.spec.spawn_rate = rate;
    }
    if (auto it = fields->find("host"); it != fields->end()) {
        const auto host = trim(it->second);
        if (!host.empty() && host.rfind("http://", 0) != 0 && host.rfind("https://", 0) != 0) {
            return fail("host: expected http://... or https://..., got '" + it->second + "'");
        }
        if (!host.empty()) req.spec.host_override = host;
    }
    if (auto it = fields->find("run_time"); it != fields->end()) {
        const auto text = trim(it->second);
        if (text.empty()) {
            req.run_time.reset();
        } else {
            // Run times count whole milliseconds: "1us" would be a test that
            // stops as it starts, so less than 1 ms is refused like 0.
            const auto d = parse_duration(text);
            const auto ms = d ? std::chrono::duration_cast<std::chrono::milliseconds>(*d)
                              : std::chrono::milliseconds(0);
            if (ms.count() <= 0) {
                return fail("run_time: expected a duration like 30s, 5m or 1h30m, got '" +
                            it->second + "'");
            }
            req.run_time = ms;
        }
    }
    return req;
}

}  // namespace swarm::master::web
