#pragma once
// Turning a HAR recording into a swarm scenario (`swarm convert`), in two
// steps: `build_recording` chooses what to keep (the requests a user made,
// their useful headers and bodies, the think times between them, grouped by
// page) and `emit_scenario` writes it as YAML that `swarm check` accepts.
//
// What is kept, and why (README "swarm convert" says the same to users):
// - one task per page the user saw (a HAR page, split at each top-level
//   navigation: Playwright records one HAR page per tab), named by the
//   page's <title>, in a sequential nested task set, so that one iteration
//   of the user replays the whole recording in order;
// - the most common origin becomes `host:`, other origins stay absolute URLs;
// - headers a browser or the transport adds are dropped (cookies: swarm's
//   cookie jar makes its own; HTTP/2 pseudo-headers; hop-by-hop headers;
//   Host, Content-Length, Accept-Encoding, User-Agent: swarm's session sets
//   them; Referer, Origin, Sec-*: tied to the browser and the recorded host;
//   conditional and cache headers: a replay should get the full answer).
//   Authorization and custom headers (X-...) are kept: APIs need them;
// - form bodies become `form:`, JSON bodies `json:`, other text bodies
//   `body:` with their Content-Type;
// - a form value of at least 8 characters that an earlier response carried
//   in an <input> of the same name (a CSRF token) is extracted from that
//   response on replay (`extract: {input: ...}`) rather than sent as recorded;
// - a redirect is replayed as recorded: `follow_redirects: false` and its
//   3xx status, the browser's next request follows it;
// - static assets (images, CSS, scripts, fonts, media) only when asked.
// Pure functions; any thread.

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "authoring/har.hpp"

namespace swarm::authoring {

struct convert_options {
    bool include_static = false;  // keep images, CSS, scripts, fonts, media
    std::string class_name = "RecordedUser";
    std::string source_name;  // the HAR's file name, for the header comment
    // Gaps shorter than this between two requests are the browser's own
    // pace (parallel fetches of one page), not a user thinking: no sleep.
    std::int64_t min_think_ms = 100;
    // Longer gaps are a person gone away, not thinking: the sleep is cut to this.
    std::int64_t max_think_ms = 60'000;
    // Form values shorter than this are never taken for server-made tokens.
    std::size_t min_token_length = 8;
};

// A form field; a value the server handed out earlier in a page's
// <input> (a CSRF token) is taken from the replayed page instead.
struct form_field {
    std::string name;
    std::string value;     // as recorded
    std::string variable;  // set: sent as "{{ variable }}", extracted earlier
};

struct recorded_request {
    enum class body_kind : std::uint8_t { none, form, json, raw };
    std::string method;  // lower case, as the scenario's key: "get", "post", ...
    std::string url;     // relative to the host ("/a?b=1"), or absolute for another origin
    std::vector<har_pair> headers;
    body_kind body = body_kind::none;
    std::vector<form_field> form;  // body == form
    // `extract: {variable: {input: name}}`: variable → the <input>'s name.
    std::vector<std::pair<std::string, std::string>> extract;
    boost::json::value json;  // body == json
    std::string raw;          // body == raw
    int status = 0;           // the recorded status, checked on replay (0: not checked)
    bool redirect = false;    // a recorded 3xx: replayed without following it
    std::int64_t sleep_before_ms = 0;
};

struct recorded_page {
    std::string name;  // its <title>, the HAR page's title, or "GET /path"; unique
    std::int64_t sleep_before_ms = 0;
    std::vector<recorded_request> requests;
};

struct recording {
    std::string host;  // scheme://host[:port] of the most common origin
    std::vector<recorded_page> pages;
    std::size_t requests = 0;        // kept
    std::size_t static_skipped = 0;  // left out: static assets without --include-static
    std::vector<std::string> notes;  // what was left out or changed, and why (for stderr)
};

recording build_recording(const har_log& har, const convert_options& opts);

// The recording as a scenario (YAML text, ending in a newline).
std::string emit_scenario(const recording& r, const convert_options& opts);

// Whether a request fetched a static asset (by its resource type, its
// response's MIME type or its URL's extension).
bool is_static_asset(const har_entry& e);

// `text` with every "{{" written as a template that yields it, so that a
// recorded value is sent as it was, never evaluated.
std::string escape_template(const std::string& text);

}  // namespace swarm::authoring
