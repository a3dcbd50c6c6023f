#pragma once
// Judging a response: the `check:` rules of a request step, in the order
// status (or the default status >= 400 rule), body_contains,
// body_not_contains, body_regex, json, header, cookie, max_ms. The first rule
// that fails decides the message; `check.message` replaces it. (A send that
// failed has no response to judge: failure_text.hpp words it.)
//
// Plain functions on the user's thread; nothing here allocates unless a check
// fails, JSON has to be parsed or a check value is a template (rendered per
// response: body_contains, body_not_contains, a json equals value, a header
// or cookie `equals:`).

#include <boost/json/value.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/scenario/plan.hpp"
#include "worker/http/session.hpp"

namespace swarm::worker::user {

// The response body parsed as JSON on first use, shared by checks and
// extractions of one response.
class lazy_json {
  public:
    explicit lazy_json(std::string_view body) : body_(body) {}
    // The document, or nullptr when the body is not JSON.
    const boost::json::value* get();

  private:
    std::string_view body_;
    std::optional<boost::json::value> doc_;
    bool parsed_ = false;
};

// Everything a check looks at besides the plan.
struct response_facts {
    const http::response& response;
    const http::session& session;  // for cookie checks
    std::string_view url;          // the URL cookies are looked up for
    lazy_json& json;
    // The user's, for templated check values; nullptr renders them as written.
    tmpl::environment* env = nullptr;
};

// Passes, or fails with why the response fails `c`. `expected` holds, for
// each of c.json that compares equals, its expected value parsed once
// (index-aligned with c.json; other kinds' slots are ignored).
swarm::result<void> check_response(const scenario::checks& c,
                                   std::span<const boost::json::value> expected,
                                   const response_facts& facts);

// A JSON value as text: strings without quotes, doubles in their shortest
// form, anything else serialised.
std::string json_text(const boost::json::value& v);

}  // namespace swarm::worker::user
