#include "worker/user/checks.hpp"

#include <re2/re2.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>

#include "common/printable.hpp"

namespace swarm::worker::user {
namespace {

using verdict = swarm::result<void>;
using scenario::checks;
using scenario::json_check;
using scenario::named_check;

// Text from the response or the scenario, printable and short, in quotes.
std::string quoted(std::string_view text) {
    return "'" + printable(text) + "'";
}

// "2xx", "200" or "200-204", joined by " or ".
std::string describe(const scenario::status_ranges& s) {
    std::string out;
    for (const auto& [lo, hi] : s.ranges) {
        if (!out.empty()) out += " or ";
        if (lo % 100 == 0 && hi == lo + 99) {
            out += std::to_string(lo / 100) + "xx";
        } else if (lo == hi) {
            out += std::to_string(lo);
        } else {
            out += std::to_string(lo) + "-" + std::to_string(hi);
        }
    }
    return out;
}

verdict check_status(const checks& c, int status) {
    if (c.status) {
        if (c.status->contains(status)) return {};
        return fail("HTTP " + std::to_string(status) + ", expected " + describe(*c.status));
    }
    if (status >= 400) return fail("HTTP " + std::to_string(status));
    return {};
}

// A check value's text: a static one as is, a template rendered for the user.
std::string_view text_of(const tmpl::template_string& t, tmpl::environment* env,
                         std::string& scratch) {
    if (t.is_static()) return t.static_text();
    if (!env) return t.source();
    scratch.clear();
    t.render(*env, scratch);
    return scratch;
}

verdict check_body(const checks& c, std::string_view body, tmpl::environment* env) {
    std::string scratch;
    for (const auto& t : c.body_contains) {
        const std::string_view text = text_of(t, env, scratch);
        if (body.find(text) == std::string_view::npos)
            return fail("body does not contain " + quoted(text));
    }
    for (const auto& t : c.body_not_contains) {
        const std::string_view text = text_of(t, env, scratch);
        if (body.find(text) != std::string_view::npos) return fail("body contains " + quoted(text));
    }
    if (c.body_regex && !RE2::PartialMatch(body, *c.body_regex)) {
        return fail("body does not match " + quoted(c.body_regex_text));
    }
    return {};
}

// Numbers compare by value (5 == 5.0), everything else as Boost.JSON does.
bool json_equal(const boost::json::value& a, const boost::json::value& b) {
    if (a.is_number() && b.is_number()) return a.to_number<double>() == b.to_number<double>();
    return a == b;
}

verdict check_one_json(const json_check& j, const boost::json::value* expected,
                       const boost::json::value& doc, tmpl::environment* env) {
    const boost::json::value* found = j.path.find(doc);
    const auto failed = [&](std::string_view why) {
        std::string message = "json " + j.path_text + ": ";
        message += why;
        return fail(std::move(message));
    };
    switch (j.how) {
        case json_check::kind::exists:
            if (j.exists && !found) return failed("missing");
            if (!j.exists && found) return failed("expected absent");
            return {};
        case json_check::kind::equals:
            if (!found) return failed("missing");
            if (j.expected_template) {
                std::string scratch;
                const std::string_view want = text_of(*j.expected_template, env, scratch);
                const std::string got = json_text(*found);
                if (got == want) return {};
                return failed("expected " + quoted(want) + ", got " + quoted(got));
            }
            if (expected && json_equal(*found, *expected)) return {};
            return failed("expected " + j.expected_json + ", got " +
                          printable(boost::json::serialize(*found)));
        case json_check::kind::matches: {
            if (!found) return failed("missing");
            const std::string text = json_text(*found);
            if (j.pattern && RE2::PartialMatch(text, *j.pattern)) return {};
            return failed(quoted(text) + " does not match " +
                          quoted(j.pattern ? j.pattern->pattern() : std::string()));
        }
    }
    return {};
}

verdict check_json(const checks& c, std::span<const boost::json::value> expected, lazy_json& json,
                   tmpl::environment* env) {
    if (c.json.empty()) return {};
    const boost::json::value* doc = json.get();
    if (!doc) return fail("response is not JSON");
    for (std::size_t i = 0; i < c.json.size(); ++i) {
        const boost::json::value* e = i < expected.size() ? &expected[i] : nullptr;
        if (auto v = check_one_json(c.json[i], e, *doc, env); !v) return v;
    }
    return {};
}

// `what` is "header" or "cookie"; `value` the found value or nullptr.
verdict check_named(const named_check& n, const std::string* value, std::string_view what,
                    tmpl::environment* env) {
    const auto failed = [&](std::string_view why) {
        std::string message = std::string(what) + " " + n.name + ": ";
        message += why;
        return fail(std::move(message));
    };
    if (n.equals) {
        if (!value) return failed("missing");
        std::string scratch;
        const std::string_view want = text_of(*n.equals, env, scratch);
        if (*value == want) return {};
        return failed(quoted(*value) + ", expected " + quoted(want));
    }
    if (n.pattern) {
        if (!value) return failed("missing");
        if (RE2::PartialMatch(*value, *n.pattern)) return {};
        return failed(quoted(*value) + " does not match " + quoted(n.pattern_text));
    }
    if (n.exists && !value) return failed("missing");
    if (!n.exists && value) return failed("expected absent");
    return {};
}

verdict check_all(const checks& c, std::span<const boost::json::value> expected,
                  const response_facts& f) {
    if (auto v = check_status(c, f.response.status); !v) return v;
    if (auto v = check_body(c, f.response.body, f.env); !v) return v;
    if (auto v = check_json(c, expected, f.json, f.env); !v) return v;
    for (const auto& h : c.headers) {
        if (auto v = check_named(h, f.response.header(h.name), "header", f.env); !v) return v;
    }
    for (const auto& k : c.cookies) {
        auto v = check_named(k, f.session.cookie(f.url, k.name), "cookie", f.env);
        if (!v) return v;
    }
    if (c.max_time && f.response.latency > *c.max_time) {
        using std::chrono::duration_cast;
        using std::chrono::milliseconds;
        return fail(
            "took " + std::to_string(duration_cast<milliseconds>(f.response.latency).count()) +
            " ms, max " + std::to_string(duration_cast<milliseconds>(*c.max_time).count()) + " ms");
    }
    return {};
}

}  // namespace

const boost::json::value* lazy_json::get() {
    if (!parsed_) {
        parsed_ = true;
        boost::system::error_code ec;
        auto v = boost::json::parse(body_, ec);
        if (!ec) doc_ = std::move(v);
    }
    return doc_ ? &*doc_ : nullptr;
}

std::string json_text(const boost::json::value& v) {
    if (const auto* s = v.if_string()) return std::string(*s);
    if (const auto* d = v.if_double()) {
        // Shortest round-trip form ("9.5", not Boost.JSON's "9.5E0"): the
        // text lands in URLs and form fields.
        char digits[32];
        const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, *d);
        if (ec == std::errc()) return std::string(digits, end);
    }
    return boost::json::serialize(v);
}

swarm::result<void> check_response(const checks& c, std::span<const boost::json::value> expected,
                                   const response_facts& facts) {
    auto v = check_all(c, expected, facts);
    if (!v && !c.message.empty()) return fail(c.message);
    return v;
}

}  // namespace swarm::worker::user
