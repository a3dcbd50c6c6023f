#pragma once
// Turns a plan's request step into the http::request a session sends: the URL
// joined with the host, the query encoded, headers and body rendered, and the
// default Content-Type added for form and JSON bodies.
//
// prepare() runs once per step when a user class's program is built, and
// renders every part that has no template; build() fills in the rest per
// request. Both are plain functions: prepare()'s result is immutable and
// shared by all users (any thread may read it); build() runs on the user's
// thread with the user's environment.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/scenario/plan.hpp"
#include "worker/http/session.hpp"

namespace swarm::worker::user {

// What prepare() could render ahead of time for one request step.
struct prepared_request {
    // Every part static: the whole request, sent as is by every user.
    std::optional<http::request> whole;
    // Otherwise the parts that are static (absent: render per request).
    std::optional<std::string> url;  // host joined, query appended
    // `url` (or whole's url) parsed once; null when the URL is invalid.
    std::shared_ptr<const http::target_url> parsed_url;
    std::optional<http::header_list> headers;  // default Content-Type included
    std::optional<std::string> body;
};

prepared_request prepare(const scenario::request_step& step, std::string_view host);

// Fills `out` from the step, taking static parts from `prep`.
void build(const scenario::request_step& step, const prepared_request& prep, std::string_view host,
           tmpl::environment& env, http::request& out);

// The pieces, exposed for tests and for reuse.

// Appends a typed JSON body rendered (`env` may be null when it has no template).
void render_json_body(const scenario::json_body& body, tmpl::environment* env, std::string& out);

// `url` as is when absolute (http:// or https://), else appended to `host`
// with exactly one '/' between them.
void join_url(std::string_view host, std::string_view url, std::string& out);
// Appends `text` percent-encoded as in application/x-www-form-urlencoded
// (what Python's requests does for params and data): unreserved characters
// stay, space becomes '+', every other byte %XX.
void append_form_encoded(std::string& out, std::string_view text);
// Appends `text` as the body of a JSON string (no quotes): ", \ and control
// characters escaped; other bytes, UTF-8 included, copied.
void append_json_escaped(std::string& out, std::string_view text);
// "application/x-www-form-urlencoded", "application/json", or empty.
std::string_view default_content_type(scenario::request_step::body_kind body);

}  // namespace swarm::worker::user
