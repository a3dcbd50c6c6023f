#pragma once
// Reading a HAR 1.2 file (HTTP Archive, as browsers' developer tools and
// Playwright's recordHar write it) into the few facts a scenario is built
// from. Only what the converter uses is read and checked; the rest of the
// document (timings, cache, cookies, response bodies) is ignored.
//
// A document that is not HAR is an error naming where, as a JSON pointer:
// "/log/entries/3/request/url: expected a string". Pure functions, no I/O;
// any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace swarm::authoring {

// The largest HAR accepted (bytes) and the most entries read: a recording of
// a browsing session is megabytes, not gigabytes.
inline constexpr std::size_t max_har_bytes = 256 * 1024 * 1024;
inline constexpr std::size_t max_har_entries = 100'000;
inline constexpr double max_entry_time_ms = 86'400'000;

struct har_pair {
    std::string name;
    std::string value;
};

struct har_post_data {
    std::string mime_type;         // postData.mimeType, as recorded (may carry "; charset=")
    std::string text;              // postData.text (empty when absent)
    std::vector<har_pair> params;  // postData.params (form fields), when recorded
    bool has_text = false;         // postData.text was present
};

struct har_entry {
    std::string pageref;          // empty: the entry belongs to no page
    std::int64_t started_us = 0;  // startedDateTime, microseconds since the Unix epoch
    double time_ms = 0;           // the whole exchange (HAR `time`; -1 or absent: 0; at most a day)
    std::string method;           // as recorded, e.g. "GET"
    std::string url;              // absolute, as recorded
    std::vector<har_pair> headers;  // request headers, in order
    std::optional<har_post_data> post;
    int status = 0;             // response status (0: no response, e.g. blocked)
    std::string response_mime;  // response.content.mimeType ("" when absent)
    std::string resource_type;  // Chromium's `_resourceType` ("" when absent)
    // response.content.text when recorded as text (not base64) and at most
    // max_kept_body_bytes; the converter looks for form tokens in it.
    std::string response_text;
};

inline constexpr std::size_t max_kept_body_bytes = 2 * 1024 * 1024;

struct har_page {
    std::string id;
    std::string title;
    std::int64_t started_us = 0;
};

struct har_log {
    std::vector<har_page> pages;     // in file order
    std::vector<har_entry> entries;  // in file order
};

// Parses and checks a HAR document.
swarm::result<har_log> read_har(std::string_view text);

// An ISO 8601 date-time as HAR writes it ("2026-12-07T12:49:31.123Z", or an
// offset "+01:00" instead of "Z"), as microseconds since the Unix epoch.
std::optional<std::int64_t> parse_iso8601(std::string_view text);

}  // namespace swarm::authoring
