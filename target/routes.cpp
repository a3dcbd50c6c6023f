#include "target/routes.hpp"

#include "common/ascii.hpp"
#include "target/form.hpp"
#include "target/pages.hpp"
#include "target/words.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace swarm::target {
namespace {

constexpr std::string_view html = "text/html; charset=utf-8";
constexpr std::string_view json = "application/json";
constexpr std::string_view text = "text/plain; charset=utf-8";

bool is_get(const request& req) {
    return req.method == "GET" || req.method == "HEAD";
}

// A non-negative decimal number made of digits only (no sign, no spaces).
std::optional<std::uint64_t> parse_number(std::string_view s) {
    std::uint64_t value = 0;
    if (s.empty()) return std::nullopt;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return value;
}

void set_text(response& res, int status, std::string_view body) {
    res.status = status;
    res.content_type = text;
    res.body.assign(body);
    res.body.push_back('\n');
}

void set_json(response& res, const boost::json::value& value) {
    res.content_type = json;
    res.body = boost::json::serialize(value);
}

void method_not_allowed(response& res, std::string_view allow) {
    set_text(res, 405, "method not allowed");
    res.add_header("Allow", allow);
}

// The value of cookie `name` in any of the request's Cookie headers.
std::optional<std::string_view> cookie(const request& req, std::string_view name) {
    for (const auto& h : req.headers) {
        if (!iequals(h.name, "Cookie")) continue;
        for (const auto& [key, value] : parse_cookies(h.value)) {
            if (key == name) return value;
        }
    }
    return std::nullopt;
}

bool accepts_gzip(const request& req) {
    std::string_view list = req.header("Accept-Encoding");
    while (!list.empty()) {
        const auto comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        const auto semi = item.find(';');
        std::string_view coding = item.substr(0, semi);
        while (!coding.empty() && coding.front() == ' ') coding.remove_prefix(1);
        while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
        if (!iequals(coding, "gzip")) continue;
        // "gzip;q=0" explicitly refuses it.
        const std::string_view params = semi == std::string_view::npos ? "" : item.substr(semi);
        return params.find("q=0") == std::string_view::npos ||
               params.find("q=0.") != std::string_view::npos;
    }
    return false;
}

}  // namespace

std::string_view request::header(std::string_view name) const {
    for (const auto& h : headers) {
        if (iequals(h.name, name)) return h.value;
    }
    return {};
}

void response::reset() {
    status = 200;
    content_type = {};
    headers.clear();
    body.clear();
    shared_body = nullptr;
    filler_bytes = 0;
    delay = std::chrono::milliseconds(0);
    counted = true;
    close = false;
}

void response::add_header(std::string_view name, std::string_view value) {
    headers.append(name);
    headers.append(": ");
    headers.append(value);
    headers.append("\r\n");
}

// The pages, as static functions with access to the site's parts.
struct route_table {
    static void static_page(site& s, const request& req, response& res, const std::string& page) {
        if (!is_get(req)) return method_not_allowed(res, "GET, HEAD");
        res.content_type = html;
        res.shared_body = &page;
        res.headers.append(s.pages_->cache_headers);
    }

    static void signin(site& s, const request& req, response& res) {
        if (req.method != "POST") return method_not_allowed(res, "POST");
        const auto email = form_value(req.body, "email");
        const auto password = form_value(req.body, "password");
        if (!email || email->empty() || !password || password->empty()) {
            return set_text(res, 400, "email and password are required");
        }
        const std::string token = s.sessions_.create(*email);
        res.add_header("Set-Cookie", "session=" + token + "; Path=/; HttpOnly; SameSite=Lax");
        res.content_type = html;
        res.body = "<!DOCTYPE html>\n<html><body><p>Signed in as " + html_escape(*email) +
                   ". <a href=\"/account\">Your account</a></p></body></html>\n";
    }

    static void contact_us(site& s, const request& req, response& res) {
        // The token is bound to the session cookie when signed in, else to a
        // visitor cookie, which the form page hands out when there is none.
        auto binding = cookie(req, "session");
        if (!binding) binding = cookie(req, "visitor");
        if (is_get(req)) {
            std::string visitor;
            if (!binding) {
                visitor = random_token();
                res.add_header("Set-Cookie", "visitor=" + visitor + "; Path=/; HttpOnly");
                binding = visitor;
            }
            res.content_type = html;
            res.add_header("Cache-Control", "no-store");
            res.body =
                s.pages_->contact_head + s.csrf_.token_for(*binding) + s.pages_->contact_tail;
            return;
        }
        if (req.method != "POST") return method_not_allowed(res, "GET, HEAD, POST");
        const auto token = form_value(req.body, "csrf_token");
        if (!binding || !token || !s.csrf_.verify(*binding, *token)) {
            return set_text(res, 403, "missing or wrong csrf_token");
        }
        res.content_type = html;
        res.shared_body = &s.pages_->contact_thanks;
    }

    static void account(site& s, const request& req, response& res) {
        if (!is_get(req)) return method_not_allowed(res, "GET, HEAD");
        const auto token = cookie(req, "session");
        const auto email = token ? s.sessions_.email_of(*token) : std::nullopt;
        if (!email) return set_text(res, 401, "sign in first");
        res.add_header("Cache-Control", "no-store");
        set_json(res, boost::json::object{{"email", *email}});
    }

    static void stats(site& s, const request& req, response& res) {
        res.counted = false;
        if (!is_get(req)) return method_not_allowed(res, "GET, HEAD");
        res.add_header("Cache-Control", "no-store");
        res.content_type = json;
        auto snapshot = s.counters_.snapshot();
        snapshot.stall_phase_unix_ms = s.started_unix_ms_;
        snapshot.uploads = s.uploads_.snapshot();
        snapshot.ws = s.websockets_.snapshot();
        res.body = to_json(snapshot);
    }

    // /stall?every_ms=P&for_ms=W: a request arriving in the first W ms of a
    // P ms period (periods count from the site's creation) is answered when
    // that window ends; any other at once. A server that stalls now and
    // then, for coordinated-omission tests. The wait is a timer, as /slow's.
    static void stall(site& s, const request& req, response& res) {
        const auto every_text = form_value(req.query, "every_ms");
        const auto for_text = form_value(req.query, "for_ms");
        const auto every = every_text ? parse_number(*every_text) : std::nullopt;
        const auto window = for_text ? parse_number(*for_text) : std::nullopt;
        if (!every || !window || *every == 0 ||
            *every > static_cast<std::uint64_t>(site::max_delay_ms) || *window > *every) {
            return set_text(res, 400, "stall needs every_ms=1..60000 and for_ms=0..every_ms");
        }
        using namespace std::chrono;
        const auto since_start =
            duration_cast<microseconds>(steady_clock::now() - s.started_).count();
        const auto period_us = static_cast<std::int64_t>(*every) * 1000;
        const auto window_us = static_cast<std::int64_t>(*window) * 1000;
        const std::int64_t into_period = since_start % period_us;
        const std::int64_t wait_us = into_period < window_us ? window_us - into_period : 0;
        res.delay = microseconds(wait_us);
        set_json(res, boost::json::object{{"stalled_us", wait_us}});
    }

    static void reset(site& s, const request& req, response& res) {
        res.counted = false;
        if (!is_get(req) && req.method != "POST") return method_not_allowed(res, "GET, POST");
        s.counters_.reset();
        s.uploads_.reset();
        s.websockets_.reset();
        set_json(res, boost::json::object{{"reset", true}});
    }

    // POST /upload: a multipart/form-data body, parsed and counted; answers
    // what it found, each file by size and SHA-256.
    static void upload(site& s, const request& req, response& res) {
        if (req.method != "POST") return method_not_allowed(res, "POST");
        const auto boundary = multipart_boundary(req.header("Content-Type"));
        if (!boundary) {
            s.uploads_.record_malformed();
            return set_text(res, 400, "expected Content-Type: multipart/form-data; boundary=...");
        }
        const auto parsed = parse_multipart(req.body, *boundary);
        if (!parsed.error.empty()) {
            s.uploads_.record_malformed();
            return set_text(res, 400, "malformed multipart body: " + parsed.error);
        }
        boost::json::object fields;
        boost::json::array files;
        std::vector<std::string> hashes;
        for (const auto& part : parsed.parts) {
            if (!part.has_filename) {
                fields[part.name] = part.data;
                continue;
            }
            hashes.push_back(sha256_hex(part.data));
            files.push_back(boost::json::object{{"name", part.name},
                                                {"filename", part.filename},
                                                {"content_type", part.content_type},
                                                {"size", part.data.size()},
                                                {"sha256", hashes.back()}});
        }
        s.uploads_.record(parsed.parts, hashes);
        set_json(res,
                 boost::json::object{{"fields", std::move(fields)}, {"files", std::move(files)}});
    }
};

namespace {

void search(const request& req, response& res) {
    std::string prefix = form_value(req.query, "search").value_or("");
    std::transform(prefix.begin(), prefix.end(), prefix.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
    const auto list = words();
    auto it = std::lower_bound(list.begin(), list.end(), std::string_view(prefix));
    boost::json::array found;
    for (; it != list.end() && it->starts_with(prefix); ++it) found.emplace_back(*it);
    set_json(res, found);
}

void item(std::string_view id_text, response& res) {
    const auto id = parse_number(id_text);
    if (!id) return set_text(res, 404, "no such item");
    const auto list = words();
    const std::string_view name = list[*id % list.size()];
    const std::uint64_t cents = 99 + (*id * 7919) % 100'000;  // deterministic per id
    char buf[160];
    const int n = std::snprintf(buf, sizeof buf, R"({"id":%llu,"name":"%.*s","price":%llu.%02llu})",
                                static_cast<unsigned long long>(*id), static_cast<int>(name.size()),
                                name.data(), static_cast<unsigned long long>(cents / 100),
                                static_cast<unsigned long long>(cents % 100));
    res.content_type = json;
    res.body.assign(buf, static_cast<std::size_t>(n));
}

void slow(const request& req, response& res) {
    const auto ms_text = form_value(req.query, "ms");
    const auto ms = ms_text ? parse_number(*ms_text) : std::optional<std::uint64_t>(0);
    if (!ms) return set_text(res, 400, "ms must be a number of milliseconds");
    const auto capped = std::min<std::uint64_t>(*ms, site::max_delay_ms);
    res.delay = std::chrono::milliseconds(capped);
    set_json(res, boost::json::object{{"ms", capped}});
}

void status(std::string_view code_text, response& res) {
    const auto code = parse_number(code_text);
    if (!code || *code < 100 || *code > 599) return set_text(res, 400, "status must be 100..599");
    res.status = static_cast<int>(*code);
    // A 1xx is an interim response: the client would wait for a final one, so
    // close instead of leaving it hanging. 204 and 304 carry no body.
    if (*code < 200) {
        res.close = true;
    } else if (*code != 204 && *code != 304) {
        set_text(res, res.status, "status " + std::to_string(*code));
    }
}

void bytes(std::string_view count_text, response& res) {
    const auto count = parse_number(count_text);
    if (!count) return set_text(res, 400, "bytes must be a number");
    res.content_type = "application/octet-stream";
    res.filler_bytes = std::min(*count, site::max_filler_bytes);
}

bool is_safe_location(std::string_view to) {
    return !to.empty() && std::none_of(to.begin(), to.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
}

void redirect_chain(std::string_view hops_text, response& res) {
    const auto hops = parse_number(hops_text);
    if (!hops || *hops < 1 || *hops > 1000) return set_text(res, 400, "hops must be 1..1000");
    res.status = 302;
    res.add_header("Location", *hops == 1 ? "/about" : "/redirect/" + std::to_string(*hops - 1));
}

void redirect_to(const request& req, response& res) {
    const auto to = form_value(req.query, "to");
    if (!to || !is_safe_location(*to)) return set_text(res, 400, "to must be a location");
    res.status = 302;
    res.add_header("Location", *to);
}

void gzip(const pages& p, const request& req, response& res) {
    res.content_type = html;
    res.add_header("Vary", "Accept-Encoding");
    if (accepts_gzip(req)) {
        res.add_header("Content-Encoding", "gzip");
        res.shared_body = &p.gzip_compressed;
    } else {
        res.shared_body = &p.gzip_plain;
    }
}

void set_cookies(const request& req, response& res) {
    const auto fields = parse_form(req.query);
    if (!fields) return set_text(res, 400, "malformed query");
    boost::json::object set;
    for (const auto& [name, value] : *fields) {
        if (!is_cookie_name(name) || !is_cookie_value(value)) {
            res.headers.clear();
            return set_text(res, 400, "invalid cookie name or value: " + name);
        }
        res.add_header("Set-Cookie", name + "=" + value + "; Path=/");
        set[name] = value;
    }
    set_json(res, set);
}

void list_cookies(const request& req, response& res) {
    boost::json::object cookies;
    for (const auto& h : req.headers) {
        if (!iequals(h.name, "Cookie")) continue;
        for (const auto& [name, value] : parse_cookies(h.value)) cookies[name] = value;
    }
    set_json(res, cookies);
}

void echo(const request& req, response& res) {
    boost::json::object headers;
    for (const auto& h : req.headers) {
        // Repeated headers are joined as a list would be on the wire.
        auto [it, inserted] = headers.emplace(h.name, h.value);
        if (!inserted) {
            std::string joined(it->value().as_string());
            joined += ", ";
            joined += h.value;
            it->value() = joined;
        }
    }
    set_json(res, boost::json::object{{"method", req.method},
                                      {"target", req.target},
                                      {"headers", std::move(headers)},
                                      {"body", req.body}});
}

// Routes whose path starts with a fixed prefix followed by one parameter.
bool handle_prefixed(const request& req, response& res) {
    struct prefixed {
        std::string_view prefix;
        void (*handler)(std::string_view, response&);
    };
    static constexpr prefixed table[] = {
        {"/api/items/", item},
        {"/status/", status},
        {"/bytes/", bytes},
        {"/redirect/", redirect_chain},
    };
    for (const auto& route : table) {
        if (!req.path.starts_with(route.prefix)) continue;
        if (!is_get(req)) {
            method_not_allowed(res, "GET, HEAD");
        } else {
            route.handler(req.path.substr(route.prefix.size()), res);
        }
        return true;
    }
    return false;
}

}  // namespace

site::site(unsigned threads)
    : counters_(threads),
      started_(std::chrono::steady_clock::now()),
      started_unix_ms_(std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count()),
      pages_(std::make_unique<const pages>()) {}

site::~site() = default;

void site::handle(const request& req, response& res) {
    const std::string_view path = req.path;
    const pages& p = *pages_;
    if (path == "/") return route_table::static_page(*this, req, res, p.home);
    if (path == "/about") return route_table::static_page(*this, req, res, p.about);
    if (path == "/user/signin") return route_table::signin(*this, req, res);
    if (path == "/contact_us") return route_table::contact_us(*this, req, res);
    if (path == "/account") return route_table::account(*this, req, res);
    if (path == "/__stats") return route_table::stats(*this, req, res);
    if (path == "/__reset") return route_table::reset(*this, req, res);
    if (path == "/upload") return route_table::upload(*this, req, res);
    if (path == "/stall") {
        if (!is_get(req)) return method_not_allowed(res, "GET, HEAD");
        return route_table::stall(*this, req, res);
    }
    if (path == "/echo") return echo(req, res);
    if (path == "/ws/echo" || path == "/ws/chat") {
        // The server hands a WebSocket upgrade to ws_session.cpp before this.
        res.add_header("Upgrade", "websocket");
        return set_text(res, 426,
                        "a WebSocket endpoint: upgrade to it (GET with Upgrade: websocket)");
    }
    if (handle_prefixed(req, res)) return;
    if (!is_get(req)) {
        // Every remaining route is read-only.
        static constexpr std::string_view read_only[] = {"/search", "/slow",    "/redirect",
                                                         "/gzip",   "/cookies", "/cookies/set"};
        if (std::find(std::begin(read_only), std::end(read_only), path) != std::end(read_only)) {
            return method_not_allowed(res, "GET, HEAD");
        }
        return set_text(res, 404, "not found");
    }
    if (path == "/search") return search(req, res);
    if (path == "/slow") return slow(req, res);
    if (path == "/redirect") return redirect_to(req, res);
    if (path == "/gzip") return gzip(p, req, res);
    if (path == "/cookies") return list_cookies(req, res);
    if (path == "/cookies/set") return set_cookies(req, res);
    set_text(res, 404, "not found");
}

}  // namespace swarm::target
