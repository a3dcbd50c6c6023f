// The HAR → scenario converter over small recordings: every scenario it
// writes is compiled by the scenario loader (what `swarm check` runs), and
// the compiled plan is inspected, not the YAML text.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "authoring/convert.hpp"
#include "common/scenario/loader.hpp"
#include "tests/template/fake_environment.hpp"

namespace swarm::authoring {
namespace {

namespace json = boost::json;

// One HAR entry; `ms` is its start in ms after 10:00:00Z.
json::object entry(const std::string& method, const std::string& url, int status, int ms,
                   const std::string& pageref = "page_1") {
    char date[40];
    std::snprintf(date, sizeof date, "2026-12-07T10:%02d:%02d.%03dZ", ms / 60000, ms / 1000 % 60,
                  ms % 1000);
    json::object e{{"startedDateTime", date},
                   {"time", 20},
                   {"request", {{"method", method}, {"url", url}, {"headers", json::array{}}}},
                   {"response", {{"status", status}, {"content", {{"mimeType", "text/html"}}}}}};
    if (!pageref.empty()) e["pageref"] = pageref;
    return e;
}

json::object page(const std::string& id, const std::string& title, int second) {
    return {{"id", id},
            {"title", title},
            {"startedDateTime", "2026-12-07T10:00:0" + std::to_string(second) + ".000Z"}};
}

void add_header(json::object& e, const std::string& name, const std::string& value) {
    e["request"].as_object()["headers"].as_array().push_back({{"name", name}, {"value", value}});
}

void set_body(json::object& e, const std::string& mime, const std::string& text) {
    e["request"].as_object()["postData"] = {{"mimeType", mime}, {"text", text}};
}

har_log read(json::array entries, json::array pages = {page("page_1", "Home", 0)}) {
    const json::object doc{{"log", {{"version", "1.2"}, {"pages", pages}, {"entries", entries}}}};
    auto har = read_har(json::serialize(doc));
    EXPECT_TRUE(har) << har.error().message;
    return har ? *har : har_log{};
}

struct converted {
    recording rec;
    std::string yaml;
    std::shared_ptr<const scenario::plan> plan;
};

// Converts and compiles, failing the test on any compile error.
converted convert(const har_log& har, const convert_options& opts = {}) {
    converted out;
    out.rec = build_recording(har, opts);
    out.yaml = emit_scenario(out.rec, opts);
    scenario::bundle b;
    b.name = "converted.yaml";
    b.source = out.yaml;
    const auto compiled = scenario::compile(b);
    for (const auto& e : compiled.errors) ADD_FAILURE() << e.to_string() << "\n" << out.yaml;
    out.plan = compiled.result;
    return out;
}

// The pages (tasks of the recording's sequential set) of a converted plan.
const std::vector<scenario::task>& pages_of(const scenario::plan& p) {
    return p.users.at(0).root.tasks.at(0).nested->tasks;
}

std::vector<const scenario::request_step*> requests_of(const scenario::task& t) {
    std::vector<const scenario::request_step*> out;
    for (const auto& s : t.steps)
        if (const auto* r = std::get_if<scenario::request_step>(&s.action)) out.push_back(r);
    return out;
}

std::string render(const tmpl::template_string& t) {
    tmpl::test::fake_environment env;
    return t.render(env);
}

TEST(har_convert, makes_a_task_per_page_in_order_and_one_iteration_replays_them_all) {
    const auto c = convert(read({entry("GET", "http://127.0.0.1:8080/about", 200, 3000, "page_2"),
                                 entry("GET", "http://127.0.0.1:8080/", 200, 0),
                                 entry("GET", "http://127.0.0.1:8080/search?q=a", 200, 500)},
                                {page("page_2", "About", 3), page("page_1", "Home", 0)}));
    ASSERT_TRUE(c.plan);
    EXPECT_EQ(c.plan->host, "http://127.0.0.1:8080");
    const auto& root = c.plan->users.at(0).root;
    ASSERT_EQ(root.tasks.size(), 1u);
    const auto& set = *root.tasks[0].nested;
    EXPECT_TRUE(set.sequential);
    EXPECT_EQ(set.iterations, 2);
    ASSERT_EQ(set.tasks.size(), 2u);
    EXPECT_EQ(set.tasks[0].name, "Home");
    EXPECT_EQ(set.tasks[1].name, "About");
    const auto home = requests_of(set.tasks[0]);
    ASSERT_EQ(home.size(), 2u);
    EXPECT_EQ(render(home[0]->url), "/");
    EXPECT_EQ(render(home[1]->url), "/search?q=a");
    ASSERT_TRUE(home[1]->check.status);
    EXPECT_TRUE(home[1]->check.status->contains(200));
    EXPECT_FALSE(home[1]->check.status->contains(201));
}

TEST(har_convert, keeps_the_most_common_origin_as_host_and_others_absolute) {
    const auto c = convert(read({entry("GET", "http://127.0.0.1:9000/x", 200, 0),
                                 entry("GET", "http://127.0.0.1:8080/a#frag", 200, 10),
                                 entry("GET", "http://127.0.0.1:8080/b", 200, 20)}));
    ASSERT_TRUE(c.plan);
    EXPECT_EQ(c.plan->host, "http://127.0.0.1:8080");
    const auto r = requests_of(pages_of(*c.plan)[0]);
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(render(r[0]->url), "http://127.0.0.1:9000/x");
    EXPECT_EQ(render(r[1]->url), "/a");
}

TEST(har_convert, drops_cookies_pseudo_and_hop_by_hop_headers_and_keeps_useful_ones) {
    auto e = entry("GET", "http://127.0.0.1:8080/api/items/1", 200, 0);
    for (const auto& [n, v] :
         std::vector<std::pair<std::string, std::string>>{{":authority", "127.0.0.1"},
                                                          {"Cookie", "sid=1"},
                                                          {"Connection", "keep-alive"},
                                                          {"Accept-Encoding", "gzip"},
                                                          {"Content-Length", "0"},
                                                          {"User-Agent", "Chrome"},
                                                          {"sec-ch-ua", "x"},
                                                          {"Referer", "http://127.0.0.1:8080/"},
                                                          {"If-None-Match", "\"a\""},
                                                          {"Accept", "application/json"},
                                                          {"Authorization", "Bearer t"},
                                                          {"X-Api-Key", "k"},
                                                          {"accept", "text/plain"}})
        add_header(e, n, v);
    const auto c = convert(read({e}));
    ASSERT_TRUE(c.plan);
    const auto& headers = requests_of(pages_of(*c.plan)[0])[0]->headers;
    std::vector<std::string> names;
    for (const auto& [n, v] : headers) names.push_back(n);
    EXPECT_EQ(names, (std::vector<std::string>{"Accept", "Authorization", "X-Api-Key"}));
    EXPECT_EQ(render(headers[0].second), "application/json, text/plain");  // joined once
}

TEST(har_convert, turns_form_posts_into_form_bodies) {
    auto e = entry("POST", "http://127.0.0.1:8080/contact_us", 200, 0);
    add_header(e, "Content-Type", "application/x-www-form-urlencoded");
    set_body(e, "application/x-www-form-urlencoded", "email=a%40b.c&message=hi+there&empty=");
    const auto c = convert(read({e}));
    ASSERT_TRUE(c.plan);
    const auto* r = requests_of(pages_of(*c.plan)[0])[0];
    EXPECT_EQ(r->method, scenario::http_method::post);
    ASSERT_EQ(r->body, scenario::request_step::body_kind::form);
    ASSERT_EQ(r->form.size(), 3u);
    EXPECT_EQ(r->form[0].first, "email");
    EXPECT_EQ(render(r->form[0].second), "a@b.c");
    EXPECT_EQ(render(r->form[1].second), "hi there");
    EXPECT_EQ(render(r->form[2].second), "");
    EXPECT_TRUE(r->headers.empty());  // swarm sets the form's Content-Type
}

TEST(har_convert, keeps_json_bodies_with_their_types) {
    auto e = entry("POST", "http://127.0.0.1:8080/echo", 201, 0);
    const std::string body =
        R"({"id":12,"price":9.5,"ok":true,"none":null,"name":"007","tags":["a",{"b":[]}]})";
    set_body(e, "application/json; charset=utf-8", body);
    const auto c = convert(read({e}));
    ASSERT_TRUE(c.plan);
    const auto* r = requests_of(pages_of(*c.plan)[0])[0];
    ASSERT_EQ(r->body, scenario::request_step::body_kind::json);
    std::string sent;
    for (const auto& part : r->json.parts) {
        ASSERT_FALSE(part.value);  // nothing to render: all literal
        sent += part.literal;
    }
    EXPECT_EQ(json::parse(sent), json::parse(body));
}

TEST(har_convert, sends_recorded_braces_as_they_were_never_as_templates) {
    // (A URL with braces is not a URL: browsers record them %-encoded.)
    auto e = entry("POST", "http://127.0.0.1:8080/echo?q=%7B%7Bx%7D%7D", 200, 0);
    add_header(e, "X-Tpl", "{{ user_id }}");
    set_body(e, "text/plain", "a {{ b }} {{{c");
    const auto c = convert(read({e}));
    ASSERT_TRUE(c.plan);
    const auto* r = requests_of(pages_of(*c.plan)[0])[0];
    EXPECT_EQ(render(r->url), "/echo?q=%7B%7Bx%7D%7D");
    EXPECT_EQ(render(r->headers.at(0).second), "{{ user_id }}");
    ASSERT_EQ(r->body, scenario::request_step::body_kind::raw);
    EXPECT_EQ(render(r->raw), "a {{ b }} {{{c");
}

// Found by fuzz.har: a scenario refuses "{{" in a header or form field
// name, so such a pair is left out (and noted) rather than written.
TEST(har_convert, leaves_out_header_and_form_names_with_braces_and_says_so) {
    auto e = entry("POST", "http://127.0.0.1:8080/contact_us", 200, 0);
    add_header(e, "X-{{a}}", "1");
    add_header(e, "X-Kept", "2");
    set_body(e, "application/x-www-form-urlencoded", "email=a%40b&options%7B%7Bx%7D%7D=&kept=1");
    const auto c = convert(read({e}));
    ASSERT_TRUE(c.plan);
    const auto* r = requests_of(pages_of(*c.plan)[0])[0];
    ASSERT_EQ(r->headers.size(), 1u);
    EXPECT_EQ(r->headers[0].first, "X-Kept");
    ASSERT_EQ(r->form.size(), 2u);
    EXPECT_EQ(r->form[0].first, "email");
    EXPECT_EQ(r->form[1].first, "kept");
    ASSERT_EQ(c.rec.notes.size(), 2u);
    EXPECT_NE(c.rec.notes[0].find("1 header(s) named with '{{' left out"), std::string::npos);
    EXPECT_NE(c.rec.notes[1].find("1 form field(s) named with '{{' left out"), std::string::npos);
}

TEST(har_convert, keeps_other_bodies_raw_with_their_content_type) {
    auto e = entry("PUT", "http://127.0.0.1:8080/echo", 200, 0);
    add_header(e, "Content-Type", "text/csv");
    set_body(e, "text/csv", "a,b\n1,2\n");
    const auto c = convert(read({e}));
    ASSERT_TRUE(c.plan);
    const auto* r = requests_of(pages_of(*c.plan)[0])[0];
    ASSERT_EQ(r->body, scenario::request_step::body_kind::raw);
    EXPECT_EQ(render(r->raw), "a,b\n1,2\n");
    ASSERT_EQ(r->headers.size(), 1u);
    EXPECT_EQ(render(r->headers[0].second), "text/csv");
}

TEST(har_convert, sleeps_for_recorded_think_times_but_not_for_parallel_fetches) {
    // / at 0 ms (20 ms long), /a at 10 ms (parallel), /b at 1520 ms: 1500 ms thought.
    const auto c =
        convert(read({entry("GET", "http://h:1/", 200, 0), entry("GET", "http://h:1/a", 200, 10),
                      entry("GET", "http://h:1/b", 200, 1530, "page_2")},
                     {page("page_1", "One", 0), page("page_2", "Two", 1)}));
    ASSERT_TRUE(c.plan);
    const auto& pages = pages_of(*c.plan);
    ASSERT_EQ(pages.size(), 2u);
    ASSERT_EQ(pages[0].steps.size(), 2u);  // no sleep between / and /a
    ASSERT_EQ(pages[1].steps.size(), 2u);
    const auto* sleep = std::get_if<scenario::sleep_step>(&pages[1].steps[0].action);
    ASSERT_TRUE(sleep);
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(sleep->time).count(), 1500);
}

TEST(har_convert, leaves_static_assets_out_unless_asked) {
    auto css = entry("GET", "http://h:1/site.css", 200, 5);
    auto img = entry("GET", "http://h:1/logo", 200, 6);
    img["response"].as_object()["content"] = {{"mimeType", "image/png"}};
    auto script = entry("GET", "http://h:1/app", 200, 7);
    script["_resourceType"] = "script";
    const json::array entries{entry("GET", "http://h:1/", 200, 0), css, img, script,
                              entry("GET", "http://h:1/favicon.ico", 404, 8)};
    const auto without = convert(read(entries));
    EXPECT_EQ(without.rec.requests, 1u);
    EXPECT_EQ(without.rec.static_skipped, 4u);
    convert_options with;
    with.include_static = true;
    const auto all = convert(read(entries), with);
    EXPECT_EQ(all.rec.requests, 5u);
    ASSERT_TRUE(all.plan);
    EXPECT_EQ(requests_of(pages_of(*all.plan)[0]).size(), 5u);
}

TEST(har_convert, replays_redirects_as_recorded) {
    auto redirect = entry("POST", "http://h:1/user/signin", 302, 0);
    set_body(redirect, "application/x-www-form-urlencoded", "email=a");
    const auto c = convert(read({redirect, entry("GET", "http://h:1/account", 200, 30),
                                 entry("GET", "http://h:1/cached", 304, 60)}));
    ASSERT_TRUE(c.plan);
    const auto r = requests_of(pages_of(*c.plan)[0]);
    ASSERT_EQ(r.size(), 3u);
    EXPECT_FALSE(r[0]->follow_redirects);
    EXPECT_TRUE(r[0]->check.status->contains(302));
    EXPECT_TRUE(r[1]->follow_redirects);
    // A 304 came from the browser's cache; the replay asks unconditionally.
    EXPECT_TRUE(r[2]->check.status->contains(200));
    EXPECT_TRUE(r[2]->check.status->contains(304));
}

TEST(har_convert, groups_requests_of_no_page_into_one_task_and_names_pages_uniquely) {
    const auto c = convert(
        read({entry("GET", "http://h:1/", 200, 0, ""), entry("GET", "http://h:1/a", 200, 10, "p1"),
              entry("GET", "http://h:1/b", 200, 20, "p2")},
             {page("p1", "Same \"title\"", 0), page("p2", "Same \"title\"", 1)}));
    ASSERT_TRUE(c.plan);
    const auto& pages = pages_of(*c.plan);
    ASSERT_EQ(pages.size(), 3u);
    EXPECT_EQ(pages[0].name, "Same \"title\"");
    EXPECT_EQ(pages[1].name, "Same \"title\" (2)");
    EXPECT_EQ(pages[2].name, "GET /");  // no page, no title: named by its request
}

TEST(har_convert, starts_a_task_at_each_navigation_named_by_the_pages_title) {
    auto home = entry("GET", "http://h:1/", 200, 0);
    home["_resourceType"] = "document";
    home["response"].as_object()["content"] = {
        {"mimeType", "text/html"},
        {"text", "<html><head><TITLE> Home · shop </TITLE></head></html>"}};
    auto api = entry("GET", "http://h:1/api/items/1", 200, 50);
    api["_resourceType"] = "fetch";
    auto about = entry("GET", "http://h:1/about", 200, 900);
    add_header(about, "Sec-Fetch-Mode", "navigate");
    auto again = entry("GET", "http://h:1/", 200, 1900);
    again["_resourceType"] = "document";
    again["response"] = home["response"];
    const auto c = convert(read({home, api, about, again}, {page("page_1", "", 0)}));
    ASSERT_TRUE(c.plan);
    const auto& pages = pages_of(*c.plan);
    ASSERT_EQ(pages.size(), 3u);
    EXPECT_EQ(pages[0].name, "Home · shop");
    EXPECT_EQ(requests_of(pages[0]).size(), 2u);  // the page and its fetch
    EXPECT_EQ(pages[1].name, "GET /about");
    EXPECT_EQ(pages[2].name, "Home · shop (2)");
    EXPECT_EQ(c.plan->users[0].root.tasks[0].nested->iterations, 3);
}

TEST(har_convert, notes_what_cannot_be_replayed) {
    const auto rec = build_recording(
        read({entry("GET", "data:image/png;base64,AAAA", 200, 0),
              entry("TRACE", "http://h:1/", 200, 1), entry("GET", "http://h:1/blocked", 0, 2),
              entry("GET", "http://h:1/", 200, 3)}),
        {});
    EXPECT_EQ(rec.requests, 1u);
    ASSERT_EQ(rec.notes.size(), 3u);
    EXPECT_NE(rec.notes[0].find("not an http(s) URL"), std::string::npos);
    EXPECT_NE(rec.notes[1].find("method TRACE not supported"), std::string::npos);
    EXPECT_NE(rec.notes[2].find("no response was recorded"), std::string::npos);
}

}  // namespace
}  // namespace swarm::authoring

namespace swarm::authoring {
namespace {

TEST(har_convert, takes_a_token_the_page_handed_out_from_the_replayed_page) {
    auto form_page = entry("GET", "http://h:1/contact_us", 200, 0);
    form_page["response"].as_object()["content"] = {
        {"mimeType", "text/html"},
        {"text",
         R"(<form><input type="hidden" name="csrf_token" value="tok3n-abc123"><input name="email">)"
         R"(<INPUT value='zz-99887766' NAME=other.token></form>)"}};
    auto post = entry("POST", "http://h:1/contact_us", 200, 900);
    set_body(
        post, "application/x-www-form-urlencoded",
        "csrf_token=tok3n-abc123&email=someone%40example.com&subject=hi&other.token=zz-99887766");
    const auto c = convert(read({form_page, post}));
    ASSERT_TRUE(c.plan);
    const auto r = requests_of(pages_of(*c.plan)[0]);
    ASSERT_EQ(r.size(), 2u);
    ASSERT_EQ(r[0]->extract.size(), 2u);
    EXPECT_EQ(r[0]->extract[1].variable, "other_token");  // a variable's name: letters, digits, _
    EXPECT_EQ(r[0]->extract[1].argument, "other.token");
    EXPECT_EQ(r[0]->extract[0].variable, "csrf_token");
    EXPECT_EQ(r[0]->extract[0].how, scenario::extraction::kind::input);
    EXPECT_EQ(r[0]->extract[0].argument, "csrf_token");
    ASSERT_EQ(r[1]->form.size(), 4u);
    EXPECT_EQ(r[1]->form[3].second.source(), "{{ other_token }}");
    EXPECT_EQ(r[1]->form[0].second.source(), "{{ csrf_token }}");
    // Typed values stay as recorded, even one the page's body happens to contain.
    EXPECT_EQ(render(r[1]->form[1].second), "someone@example.com");
    EXPECT_EQ(render(r[1]->form[2].second), "hi");
}

}  // namespace
}  // namespace swarm::authoring
