// Choosing what of a HAR recording becomes the scenario (see convert.hpp):
// pages, origins, headers, bodies and think times.
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <unordered_map>

#include "authoring/convert.hpp"
#include "common/printable.hpp"

namespace swarm::authoring {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// "text/html; charset=utf-8" → "text/html".
std::string base_mime(std::string_view mime) {
    const auto semi = mime.find(';');
    std::string out = lower(mime.substr(0, semi));
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Request headers a replay must not copy (lower case); see convert.hpp.
bool dropped_header(const std::string& name) {
    static const std::set<std::string, std::less<>> dropped{"cookie",
                                                            "host",
                                                            "connection",
                                                            "keep-alive",
                                                            "proxy-connection",
                                                            "transfer-encoding",
                                                            "te",
                                                            "trailer",
                                                            "upgrade",
                                                            "content-length",
                                                            "accept-encoding",
                                                            "user-agent",
                                                            "referer",
                                                            "origin",
                                                            "upgrade-insecure-requests",
                                                            "if-none-match",
                                                            "if-modified-since",
                                                            "if-match",
                                                            "if-unmodified-since",
                                                            "if-range",
                                                            "cache-control",
                                                            "pragma",
                                                            "priority",
                                                            "dnt",
                                                            "purpose",
                                                            "proxy-authorization"};
    return name.empty() || name[0] == ':' || starts_with(name, "sec-") || dropped.contains(name);
}

struct parsed_url {
    std::string origin;    // scheme://host[:port]
    std::string relative;  // path?query
};

std::optional<parsed_url> split_url(const std::string& url) {
    const auto u = boost::urls::parse_uri(url);
    if (!u) return std::nullopt;
    const std::string scheme = lower(u->scheme());
    if ((scheme != "http" && scheme != "https") || !u->has_authority() || u->encoded_host().empty())
        return std::nullopt;
    parsed_url out;
    out.origin = scheme + "://" + lower(u->encoded_host_and_port());
    out.relative = u->encoded_path().empty() ? "/" : std::string(u->encoded_path());
    if (u->has_query()) out.relative += "?" + std::string(u->encoded_query());
    return out;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// application/x-www-form-urlencoded decoding; nullopt on a bad escape.
std::optional<std::string> form_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            const int hi = hex_digit(s[i + 1]);
            const int lo = hex_digit(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::optional<std::vector<har_pair>> parse_form(const har_post_data& post) {
    if (!post.has_text) return post.params;  // only the fields were recorded
    std::vector<har_pair> out;
    std::string_view rest = post.text;
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const auto field = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        if (field.empty()) continue;
        const auto eq = field.find('=');
        auto name = form_decode(field.substr(0, eq));
        auto value = form_decode(eq == std::string_view::npos ? "" : field.substr(eq + 1));
        if (!name || !value) return std::nullopt;
        out.push_back({std::move(*name), std::move(*value)});
    }
    return out;
}

bool unique_names(const std::vector<har_pair>& fields) {
    std::set<std::string, std::less<>> seen;
    for (const auto& f : fields)
        if (!seen.insert(f.name).second) return false;
    return true;
}

// Deep JSON is refused by the scenario loader (bundle.hpp's max_nesting).
int json_depth(const boost::json::value& v) {
    int deepest = 0;
    if (const auto* o = v.if_object())
        for (const auto& kv : *o) deepest = std::max(deepest, json_depth(kv.value()));
    if (const auto* a = v.if_array())
        for (const auto& item : *a) deepest = std::max(deepest, json_depth(item));
    return v.is_object() || v.is_array() ? deepest + 1 : 0;
}
constexpr int max_json_depth = 16;

// Sets the request's body from the recorded postData; returns whether the
// recorded Content-Type header is still needed (raw bodies).
bool take_body(const har_post_data& post, recorded_request& out) {
    const std::string mime = base_mime(post.mime_type);
    if (mime == "application/x-www-form-urlencoded") {
        if (auto fields = parse_form(post); fields && unique_names(*fields)) {
            out.body = recorded_request::body_kind::form;
            for (auto& f : *fields) out.form.push_back({std::move(f.name), std::move(f.value), {}});
            return false;
        }
    } else if ((mime == "application/json" || ends_with(mime, "+json")) && post.has_text) {
        boost::system::error_code ec;
        auto doc = boost::json::parse(post.text, ec);
        if (!ec && json_depth(doc) <= max_json_depth) {
            out.body = recorded_request::body_kind::json;
            out.json = std::move(doc);
            return false;
        }
    }
    if (!post.has_text || post.text.empty()) return true;
    out.body = recorded_request::body_kind::raw;
    out.raw = post.text;
    return true;
}

constexpr std::array<std::string_view, 7> supported_methods{"get",    "post", "put",    "patch",
                                                            "delete", "head", "options"};

// The pages in the order they were visited: HAR's pages first (by start),
// then any pageref no page names, then entries of no page.
std::vector<std::string> page_order(const har_log& har) {
    std::vector<const har_page*> pages;
    pages.reserve(har.pages.size());
    for (const auto& p : har.pages) pages.push_back(&p);
    std::stable_sort(pages.begin(), pages.end(),
                     [](const auto* a, const auto* b) { return a->started_us < b->started_us; });
    std::vector<std::string> order;
    std::set<std::string, std::less<>> seen;
    for (const auto* p : pages)
        if (seen.insert(p->id).second) order.push_back(p->id);
    for (const auto& e : har.entries)
        if (seen.insert(e.pageref).second) order.push_back(e.pageref);
    return order;
}

const har_page* find_page(const har_log& har, const std::string& id) {
    for (const auto& p : har.pages)
        if (p.id == id) return &p;
    return nullptr;
}

std::string unique_name(const std::string& base, std::set<std::string, std::less<>>& taken) {
    std::string name = base;
    for (int n = 2; taken.contains(name); ++n) name = base + " (" + std::to_string(n) + ")";
    taken.insert(name);
    return name;
}

// A top-level document load: Chromium's resource type, or the fetch
// metadata browsers send with a navigation.
bool is_navigation(const har_entry& e) {
    if (lower(e.resource_type) == "document") return true;
    for (const auto& h : e.headers)
        if (lower(h.name) == "sec-fetch-mode" && lower(h.value) == "navigate") return true;
    return false;
}

// The text of an HTML page's <title>, spaces trimmed ("" when none).
std::string html_title(std::string_view html) {
    const std::string head = lower(html.substr(0, 64 * 1024));
    const auto open = head.find("<title");
    if (open == std::string::npos) return {};
    const auto text_at = head.find('>', open);
    const auto close = head.find("</title", open);
    if (text_at == std::string::npos || close == std::string::npos || close < text_at) return {};
    std::string_view title = html.substr(text_at + 1, close - text_at - 1);
    while (!title.empty() && std::isspace(static_cast<unsigned char>(title.front())))
        title.remove_prefix(1);
    while (!title.empty() && std::isspace(static_cast<unsigned char>(title.back())))
        title.remove_suffix(1);
    return std::string(title);
}

// A header recorded twice becomes one, its values joined as HTTP allows
// (a scenario's headers are a map).
void add_header(std::vector<har_pair>& headers, const har_pair& h) {
    for (auto& have : headers) {
        if (lower(have.name) == lower(h.name)) {
            have.value += ", " + h.value;
            return;
        }
    }
    headers.push_back(h);
}

std::string most_common_origin(const std::vector<const har_entry*>& kept) {
    std::map<std::string, std::size_t> count;
    for (const auto* e : kept) ++count[split_url(e->url)->origin];
    std::string best;
    std::size_t most = 0;
    for (const auto& [origin, n] : count) {
        if (n > most) best = origin, most = n;  // ties: the first in order (map order)
    }
    return best;
}

// A scenario variable named after a form field: letters, digits and _.
std::string variable_for(const std::string& field) {
    std::string out;
    for (unsigned char c : field) out += std::isalnum(c) ? static_cast<char>(c) : '_';
    if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "v_" + out;
    return out;
}

// The value of attribute `name` in a tag's text (`lowered`: the same, lower
// case), or nullopt. Quoted with " or ', or bare up to a space.
std::optional<std::string_view> attribute(std::string_view tag, std::string_view lowered,
                                          const std::string& name) {
    const std::string key = name + "=";
    for (auto at = lowered.find(key); at != std::string_view::npos;
         at = lowered.find(key, at + 1)) {
        if (at == 0 || !std::isspace(static_cast<unsigned char>(lowered[at - 1]))) continue;
        std::size_t from = at + key.size();
        if (from >= tag.size()) return std::nullopt;
        const char quote = tag[from];
        if (quote == '"' || quote == '\'') {
            const auto to = tag.find(quote, ++from);
            if (to == std::string_view::npos) return std::nullopt;
            return tag.substr(from, to - from);
        }
        auto to = from;
        while (to < tag.size() && !std::isspace(static_cast<unsigned char>(tag[to]))) ++to;
        return tag.substr(from, to - from);
    }
    return std::nullopt;
}

// The name and value of every <input> of an HTML page (a tag longer than
// 4 KiB is not looked into: the scan stays linear in the page).
using input_list = std::vector<std::pair<std::string, std::string>>;
input_list inputs_of(std::string_view html) {
    constexpr std::size_t max_tag = 4096;
    input_list out;
    const std::string lowered = lower(html);
    for (auto at = lowered.find("<input"); at != std::string::npos;
         at = lowered.find("<input", at + 1)) {
        const auto end = lowered.find('>', at);
        if (end == std::string::npos) break;
        if (end - at > max_tag) continue;
        const auto tag = html.substr(at, end - at);
        const auto tag_lowered = std::string_view(lowered).substr(at, end - at);
        const auto name = attribute(tag, tag_lowered, "name");
        const auto value = attribute(tag, tag_lowered, "value");
        if (name && value) out.emplace_back(*name, *value);
    }
    return out;
}

// A kept request and the entry it came from, in replay order.
struct replayed {
    recorded_request* request;
    const har_entry* entry;
    std::optional<input_list> inputs{};  // of its response, parsed on first use
};

// How many requests back a token is looked for: the form's page is recent.
constexpr std::size_t token_lookback = 64;

// Form values an earlier page handed out become extractions (see convert.hpp).
void correlate_tokens(std::vector<replayed>& order, std::size_t min_length) {
    for (std::size_t i = 0; i < order.size(); ++i) {
        for (auto& field : order[i].request->form) {
            if (field.value.size() < min_length) continue;
            const std::pair<std::string, std::string> input{field.name, field.value};
            const std::size_t oldest = i > token_lookback ? i - token_lookback : 0;
            for (std::size_t j = i; j-- > oldest;) {
                auto& earlier = order[j];
                if (!earlier.inputs) earlier.inputs = inputs_of(earlier.entry->response_text);
                if (std::find(earlier.inputs->begin(), earlier.inputs->end(), input) ==
                    earlier.inputs->end())
                    continue;
                field.variable = variable_for(field.name);
                auto& extract = earlier.request->extract;
                const std::pair<std::string, std::string> wanted{field.variable, field.name};
                if (std::find(extract.begin(), extract.end(), wanted) == extract.end())
                    extract.push_back(wanted);
                break;
            }
        }
    }
}

// The request of a kept entry, its URL relative to `host` when it is on it.
recorded_request make_request(const har_entry& e, const std::string& host) {
    recorded_request r;
    const auto url = *split_url(e.url);
    r.method = lower(e.method);
    r.url = url.origin == host ? url.relative : url.origin + url.relative;
    const bool keep_content_type = e.post ? take_body(*e.post, r) : true;
    for (const auto& h : e.headers) {
        const std::string name = lower(h.name);
        if (dropped_header(name) || (name == "content-type" && !keep_content_type)) continue;
        add_header(r.headers, h);
    }
    r.status = e.status;
    r.redirect = e.status >= 300 && e.status < 400 && e.status != 304;
    return r;
}

}  // namespace

bool is_static_asset(const har_entry& e) {
    static const std::set<std::string, std::less<>> static_types{
        "image", "stylesheet", "script", "font", "media", "texttrack", "manifest"};
    if (static_types.contains(lower(e.resource_type))) return true;
    const std::string mime = base_mime(e.response_mime);
    for (std::string_view prefix :
         {"image/", "font/", "audio/", "video/", "application/font", "application/x-font"})
        if (starts_with(mime, prefix)) return true;
    static const std::set<std::string, std::less<>> static_mimes{"text/css",
                                                                 "text/javascript",
                                                                 "application/javascript",
                                                                 "application/x-javascript",
                                                                 "application/ecmascript",
                                                                 "application/vnd.ms-fontobject"};
    if (static_mimes.contains(mime)) return true;
    const auto u = split_url(e.url);
    if (!u) return false;
    const std::string path = lower(u->relative.substr(0, u->relative.find('?')));
    for (std::string_view ext :
         {".css", ".js",  ".mjs",  ".map",  ".png", ".jpg",  ".jpeg",  ".gif",
          ".svg", ".ico", ".webp", ".avif", ".bmp", ".woff", ".woff2", ".ttf",
          ".otf", ".eot", ".mp4",  ".webm", ".mp3", ".ogg",  ".wav"})
        if (ends_with(path, ext)) return true;
    return false;
}

std::string escape_template(const std::string& text) {
    std::string out;
    std::size_t from = 0;
    for (auto at = text.find("{{"); at != std::string::npos; at = text.find("{{", from)) {
        out.append(text, from, at - from);
        out += "{{ '{{' }}";
        from = at + 2;
    }
    out.append(text, from);
    return out;
}

// A scenario uses header and form field names as written and refuses "{{"
// in them (it cannot mean a template there), so a recorded name with "{{"
// cannot be replayed: that pair is left out, and said.
void drop_templated_names(recorded_request& r, const std::string& url,
                          std::vector<std::string>& notes) {
    const auto templated = [](const auto& pair) {
        return pair.name.find("{{") != std::string::npos;
    };
    const auto drop = [&](auto& pairs, const char* what) {
        const auto dropped = std::erase_if(pairs, templated);
        if (dropped > 0) {
            notes.push_back(printable(url) + ": " + std::to_string(dropped) + " " + what +
                            " named with '{{' left out (a scenario cannot send such a name)");
        }
    };
    drop(r.headers, "header(s)");
    drop(r.form, "form field(s)");
}

recording build_recording(const har_log& har, const convert_options& opts) {
    recording out;
    // What can be replayed at all, and what is wanted.
    std::vector<const har_entry*> kept;
    for (std::size_t i = 0; i < har.entries.size(); ++i) {
        const auto& e = har.entries[i];
        const std::string where = "entry " + std::to_string(i) + " (" + printable(e.url) + ")";
        const std::string method = lower(e.method);
        if (!split_url(e.url)) {
            out.notes.push_back(where + ": not an http(s) URL, left out");
        } else if (std::find(supported_methods.begin(), supported_methods.end(), method) ==
                   supported_methods.end()) {
            out.notes.push_back(where + ": method " + printable(e.method) +
                                " not supported, left out");
        } else if (e.status == 0) {
            out.notes.push_back(where + ": no response was recorded, left out");
        } else if (!opts.include_static && is_static_asset(e)) {
            ++out.static_skipped;
        } else {
            kept.push_back(&e);
        }
    }
    if (kept.empty()) return out;
    std::vector<const har_entry*> sources;  // per kept request, in replay order
    out.host = most_common_origin(kept);

    std::set<std::string, std::less<>> names;
    std::int64_t busy_until_us = 0;  // the end of the latest request so far
    bool first = true;
    std::unordered_map<std::string, std::vector<const har_entry*>> by_page;
    for (const auto* e : kept) by_page[e->pageref].push_back(e);
    for (const auto& id : page_order(har)) {
        auto& entries = by_page[id];
        if (entries.empty()) continue;
        std::stable_sort(entries.begin(), entries.end(), [](const auto* a, const auto* b) {
            return a->started_us < b->started_us;
        });
        const har_page* har_page_of = find_page(har, id);
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const har_entry& e = *entries[i];
            // A navigation begins a page as the user saw it (a HAR page may hold many).
            if (i == 0 || is_navigation(e)) {
                out.pages.emplace_back();
                const std::string title = html_title(e.response_text);
                std::string name = !title.empty() ? title
                                   : i == 0 && har_page_of && !har_page_of->title.empty()
                                       ? har_page_of->title
                                       : e.method + " " + split_url(e.url)->relative;
                out.pages.back().name = unique_name(printable(name, 80), names);
            }
            recorded_request r = make_request(e, out.host);
            drop_templated_names(r, e.url, out.notes);
            const auto gap_ms = (e.started_us - busy_until_us) / 1000;
            if (!first && gap_ms >= opts.min_think_ms) {
                r.sleep_before_ms = std::min(gap_ms, opts.max_think_ms);
                if (gap_ms > opts.max_think_ms)
                    out.notes.push_back("a gap of " + std::to_string(gap_ms / 1000) + " s before " +
                                        printable(e.url) + " is replayed as " +
                                        std::to_string(opts.max_think_ms / 1000) + " s");
            }
            first = false;
            busy_until_us =
                std::max(busy_until_us, e.started_us + static_cast<std::int64_t>(e.time_ms * 1000));
            auto& page = out.pages.back();
            // The first request's think time is the page's: the user read the page before.
            if (page.requests.empty()) std::swap(page.sleep_before_ms, r.sleep_before_ms);
            page.requests.push_back(std::move(r));
            sources.push_back(&e);
            ++out.requests;
        }
    }
    std::vector<replayed> order;
    for (auto& page : out.pages)
        for (auto& r : page.requests) order.push_back({&r, sources[order.size()]});
    correlate_tokens(order, opts.min_token_length);
    return out;
}

}  // namespace swarm::authoring
