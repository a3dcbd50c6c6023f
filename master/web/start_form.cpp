#include "master/web/start_form.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/params_view.hpp>

#include <charconv>
#include <map>
#include <sstream>

#include "common/duration.hpp"
#include "common/printable.hpp"
#include "common/result.hpp"
#include "common/scenario/stages_text.hpp"
#include "master/web/start_limits.hpp"

namespace swarm::master::web {
namespace {

// Decoded "a=1&b=x+y" pairs; throws boost::system::system_error when malformed.
boost::urls::params_view form_params(const std::string& encoded) {
    boost::urls::encoding_opts opt;
    opt.space_as_plus = true;
    return boost::urls::params_view(encoded, opt);
}

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
                return fail(printable(key) + ": expected a number or a string");
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
        const auto n = parse_user_count(trim(it->second));
        if (!n) return fail("user_count: " + n.error().message);
        req.spec.users = *n;
    }
    if (auto it = fields->find("spawn_rate"); it != fields->end()) {
        const auto rate = parse_spawn_rate(trim(it->second));
        if (!rate) return fail("spawn_rate: " + rate.error().message);
        req.spec.spawn_rate = *rate;
    }
    if (auto it = fields->find("host"); it != fields->end()) {
        const auto host = trim(it->second);
        if (!host.empty()) {
            const auto checked = check_target_host(host);
            if (!checked) return fail("host: " + checked.error().message);
            req.spec.host_override = *checked;
        }
    }
    if (auto it = fields->find("run_time"); it != fields->end()) {
        const auto text = trim(it->second);
        if (text.empty()) {
            req.run_time.reset();
        } else {
            const auto ms = parse_run_time(text);
            if (!ms) return fail("run_time: " + ms.error().message);
            req.run_time = *ms;
        }
    }
    if (auto it = fields->find("stages"); it != fields->end()) {
        if (const auto text = trim(it->second); !text.empty()) {
            auto stages = scenario::parse_stages(text);
            if (!stages) return fail("stages: " + stages.error().message);
            req.stages = std::move(*stages);
        }
    }
    if (auto it = fields->find("iterations"); it != fields->end()) {
        if (const auto text = trim(it->second); !text.empty()) {
            const auto n = parse_iterations(text);
            if (!n) return fail("iterations: " + n.error().message);
            req.iterations = *n;
        }
    }
    return req;
}

result<start_guard> parse_start_guard(const std::string& content_type, const std::string& body) {
    auto fields = fields_of(content_type, body);
    if (!fields) return fields.error();
    start_guard guard;
    if (auto it = fields->find("tests_started"); it != fields->end()) {
        const auto text = trim(it->second);
        if (!text.empty()) {
            std::uint64_t n = 0;
            const auto r = std::from_chars(text.data(), text.data() + text.size(), n);
            if (r.ec != std::errc() || r.ptr != text.data() + text.size())
                return fail("tests_started: expected a whole number, got '" + printable(text) +
                            "'");
            guard.seen_test = n;
        }
    }
    if (auto it = fields->find("host"); it != fields->end())
        guard.host_given = !trim(it->second).empty();
    guard.run_time_given = fields->count("run_time") > 0;
    return guard;
}

namespace {

std::string rate_text(double rate) {
    std::ostringstream out;
    out << rate << "/s";
    return out.str();
}

std::string run_time_text(const std::optional<std::chrono::milliseconds>& t) {
    return t ? format_duration(*t) : std::string("none");
}

}  // namespace

std::string describe_edit(const test_request& before, const test_request& after) {
    std::string out;
    const auto add = [&](const char* what, const std::string& from, const std::string& to) {
        if (from == to) return;
        out += (out.empty() ? "" : ", ") + std::string(what) + " " + from + " \u2192 " + to;
    };
    add("users", std::to_string(before.spec.users), std::to_string(after.spec.users));
    add("spawn rate", rate_text(before.spec.spawn_rate), rate_text(after.spec.spawn_rate));
    add("run time", run_time_text(before.run_time), run_time_text(after.run_time));
    return out.empty() ? "nothing" : out;
}

}  // namespace swarm::master::web
