// The HAR reader: what it takes from a recording, and where it says a
// document is not HAR (as a JSON pointer).
#include <gtest/gtest.h>

#include "authoring/har.hpp"

namespace swarm::authoring {
namespace {

const char* const two_entries = R"({"log": {
  "version": "1.2", "creator": {"name": "test", "version": "1"},
  "pages": [{"id": "page_1", "title": "Home", "startedDateTime": "2026-12-07T10:00:00.000Z"}],
  "entries": [
    {"pageref": "page_1", "startedDateTime": "2026-12-07T10:00:00.250Z", "time": 12.5,
     "request": {"method": "GET", "url": "http://127.0.0.1:8080/",
                 "headers": [{"name": "Accept", "value": "text/html"}]},
     "response": {"status": 200, "content": {"mimeType": "text/html"}}},
    {"startedDateTime": "2026-12-07T11:00:01+01:00", "time": -1,
     "request": {"method": "POST", "url": "http://127.0.0.1:8080/user/signin", "headers": [],
                 "postData": {"mimeType": "application/x-www-form-urlencoded",
                              "text": "a=1", "params": [{"name": "a", "value": "1"}]}},
     "response": {"status": 302}}
  ]}})";

TEST(har_reader, reads_pages_entries_headers_and_bodies) {
    const auto har = read_har(two_entries);
    ASSERT_TRUE(har) << har.error().message;
    ASSERT_EQ(har->pages.size(), 1u);
    EXPECT_EQ(har->pages[0].title, "Home");
    ASSERT_EQ(har->entries.size(), 2u);
    const auto& get = har->entries[0];
    EXPECT_EQ(get.pageref, "page_1");
    EXPECT_EQ(get.method, "GET");
    EXPECT_EQ(get.status, 200);
    EXPECT_EQ(get.response_mime, "text/html");
    EXPECT_DOUBLE_EQ(get.time_ms, 12.5);
    ASSERT_EQ(get.headers.size(), 1u);
    EXPECT_EQ(get.headers[0].name, "Accept");
    EXPECT_EQ(get.started_us - har->pages[0].started_us, 250'000);
    const auto& post = har->entries[1];
    EXPECT_EQ(post.pageref, "");
    EXPECT_EQ(post.time_ms, 0);  // -1: unknown
    ASSERT_TRUE(post.post);
    EXPECT_EQ(post.post->text, "a=1");
    ASSERT_EQ(post.post->params.size(), 1u);
    // 11:00:01+01:00 is 10:00:01Z: one second after the page began.
    EXPECT_EQ(post.started_us - har->pages[0].started_us, 1'000'000);
}

std::string error_of(const std::string& text) {
    const auto har = read_har(text);
    return har ? std::string("(read)") : har.error().message;
}

TEST(har_reader, names_the_json_pointer_of_a_value_of_the_wrong_type) {
    std::string text = two_entries;
    text.replace(text.find("\"http://127.0.0.1:8080/user/signin\""),
                 std::string("\"http://127.0.0.1:8080/user/signin\"").size(), "42");
    EXPECT_EQ(error_of(text), "/log/entries/1/request/url: expected a string");
}

TEST(har_reader, names_what_is_missing_and_where) {
    EXPECT_EQ(error_of(R"({"log": {"entries": [{"startedDateTime": "2026-12-07T10:00:00Z"}]}})"),
              "/log/entries/0: missing member 'request'");
    EXPECT_EQ(error_of(R"({"log": {}})"), "/log: missing member 'entries'");
    EXPECT_EQ(error_of(R"({"nothing": 1})"), "/: missing member 'log'");
    EXPECT_EQ(error_of("[]"), "/: expected an object");
    EXPECT_EQ(error_of(R"({"log": {"entries": {}}})"), "/log/entries: expected an array");
    EXPECT_EQ(error_of(R"({"log": {"entries": [], "pages": [{"id": 3}]}})"),
              "/log/pages/0/id: expected a string");
}

TEST(har_reader, refuses_bad_dates_statuses_and_headers) {
    const std::string entry_head =
        R"({"log": {"entries": [{"request": {"method": "GET", "url": "http://a/", )";
    EXPECT_EQ(error_of(entry_head + R"("headers": [{"name": "A"}]}, "response": {"status": 200},
                       "startedDateTime": "yesterday"}]}})"),
              "/log/entries/0/startedDateTime: expected an ISO 8601 date-time, got 'yesterday'");
    EXPECT_EQ(error_of(entry_head + R"("headers": [{"value": "x"}]}, "response": {"status": 200},
                       "startedDateTime": "2026-12-07T10:00:00Z"}]}})"),
              "/log/entries/0/request/headers/0: missing member 'name'");
    EXPECT_EQ(error_of(entry_head + R"("headers": []}, "response": {"status": 1000},
                       "startedDateTime": "2026-12-07T10:00:00Z"}]}})"),
              "/log/entries/0/response/status: expected an HTTP status (100 to 599, or 0)");
    EXPECT_EQ(error_of(entry_head + R"("headers": []}, "response": {"status": "200"},
                       "startedDateTime": "2026-12-07T10:00:00Z"}]}})"),
              "/log/entries/0/response/status: expected a number");
}

TEST(har_reader, says_when_the_file_is_not_json) {
    EXPECT_EQ(error_of("{\"log\": ").rfind("not JSON: ", 0), 0u);
    // Deeply nested input is refused by the parser, not by the stack.
    EXPECT_EQ(error_of(std::string(100'000, '[')).rfind("not JSON: ", 0), 0u);
}

TEST(iso8601, parses_utc_offsets_and_fractions) {
    EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(parse_iso8601("1970-01-01T00:00:01.5Z"), 1'500'000);
    EXPECT_EQ(parse_iso8601("1970-01-01T01:00:00+01:00"), 0);
    EXPECT_EQ(parse_iso8601("1969-12-31T23:00:00-01:00"), 0);
    EXPECT_EQ(parse_iso8601("2000-03-01T00:00:00.123456789Z"), 951'868'800'123'456);
    EXPECT_FALSE(parse_iso8601("2026-02-30T00:00:00Z"));
    EXPECT_FALSE(parse_iso8601("2026-12-07T00:00:00"));
    EXPECT_FALSE(parse_iso8601("2026-12-07T00:00:00.Z"));
    EXPECT_FALSE(parse_iso8601("2026-12-07 00:00:00Z"));
}

}  // namespace
}  // namespace swarm::authoring
