// `swarm try`'s view of each exchange (try_printer.hpp). Each check is judged
// on its own here (check_response with that one rule), so every rule shows
// its result, where a load test stops at the first that fails.
#include "cli/try_printer.hpp"

#include <boost/json/parse.hpp>

#include <iomanip>
#include <sstream>

#include "common/printable.hpp"
#include "common/template/value.hpp"
#include "worker/user/extract.hpp"

namespace swarm::cli {

namespace http = worker::http;
namespace user = worker::user;

namespace {

constexpr const char* bold = "1";
constexpr const char* green = "32";
constexpr const char* red = "31";
constexpr const char* cyan = "36";
constexpr const char* dim = "2";

// Text a terminal shows as it is: no NUL or other control bytes but tab,
// newline and carriage return.
bool looks_binary(std::string_view body) {
    for (unsigned char c : body.substr(0, try_body_excerpt_bytes))
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return true;
    return false;
}

// A response the Content-Type says is not text.
bool binary_type(const std::string* content_type) {
    if (!content_type) return false;
    std::string t;
    for (char c : *content_type)
        t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (std::string_view prefix :
         {"image/", "audio/", "video/", "font/", "application/octet-stream", "application/zip",
          "application/gzip", "application/pdf"})
        if (t.rfind(prefix, 0) == 0) return true;
    return false;
}

std::string describe_status(const scenario::status_ranges& s) {
    std::string out;
    for (const auto& [lo, hi] : s.ranges) {
        if (!out.empty()) out += ", ";
        out += lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
    }
    return out;
}

std::string quote(std::string_view text) {
    return "\"" + printable(text) + "\"";
}

// An extracted value as shown: quoted text (a typed value, e.g. a JSON
// path's number or list, as its text).
[[maybe_unused]] std::string shown(const std::string& text) {
    return quote(text);
}
[[maybe_unused]] std::string shown(const tmpl::value& v) {
    return quote(tmpl::to_string(v));
}

std::string milliseconds(std::chrono::microseconds us) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(1) << static_cast<double>(us.count()) / 1000.0 << " ms";
    return s.str();
}

// The rules of `c`, each as a check of its own with a label. A rule other
// than status is judged with every status allowed, so that it alone decides.
std::vector<std::pair<std::string, scenario::checks>> single_rules(const scenario::checks& c) {
    std::vector<std::pair<std::string, scenario::checks>> out;
    scenario::checks status_only;
    status_only.status = c.status;
    out.emplace_back(c.status ? "status " + describe_status(*c.status) : "status < 400",
                     status_only);
    scenario::checks base;
    base.status = scenario::status_ranges{{{0, 999}}};
    for (const auto& text : c.body_contains) {
        auto one = base;
        one.body_contains = {text};
        out.emplace_back("body_contains " + quote(text.source()), std::move(one));
    }
    for (const auto& text : c.body_not_contains) {
        auto one = base;
        one.body_not_contains = {text};
        out.emplace_back("body_not_contains " + quote(text.source()), std::move(one));
    }
    if (c.body_regex) {
        auto one = base;
        one.body_regex = c.body_regex;
        one.body_regex_text = c.body_regex_text;
        out.emplace_back("body_regex " + quote(c.body_regex_text), std::move(one));
    }
    for (const auto& j : c.json) {
        auto one = base;
        one.json = {j};
        out.emplace_back("json " + printable(j.path_text), std::move(one));
    }
    for (const auto& h : c.headers) {
        auto one = base;
        one.headers = {h};
        out.emplace_back("header " + printable(h.name), std::move(one));
    }
    for (const auto& k : c.cookies) {
        auto one = base;
        one.cookies = {k};
        out.emplace_back("cookie " + printable(k.name), std::move(one));
    }
    if (c.max_time) {
        auto one = base;
        one.max_time = c.max_time;
        out.emplace_back("max_ms " + std::to_string(c.max_time->count() / 1000), std::move(one));
    }
    return out;
}

}  // namespace

std::string try_printer::paint(const char* code, const std::string& text) const {
    if (!colour_) return text;
    return std::string("\x1b[") + code + "m" + text + "\x1b[0m";
}

void try_printer::print_request(const http::request& sent) {
    ++requests_;
    out_ << paint(bold, std::string("> ") + scenario::to_string(sent.method) + " " +
                            printable(sent.url, 2048))
         << "\n";
    for (const auto& [name, value] : sent.headers)
        out_ << "  " << printable(name) << ": " << printable(value, 512) << "\n";
    if (!sent.body.empty()) print_body(sent.body, false);
}

void try_printer::print_body(std::string_view body, bool binary) {
    if (binary || looks_binary(body)) {
        out_ << paint(dim, "  (" + std::to_string(body.size()) + " bytes of binary data)") << "\n";
        return;
    }
    const std::string_view excerpt = body.substr(0, try_body_excerpt_bytes);
    std::size_t from = 0;
    while (from < excerpt.size()) {
        auto end = excerpt.find('\n', from);
        if (end == std::string_view::npos) end = excerpt.size();
        auto line = excerpt.substr(from, end - from);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        out_ << paint(dim, "  | " + printable(line, try_body_excerpt_bytes)) << "\n";
        from = end + 1;
    }
    if (body.size() > excerpt.size()) {
        out_ << paint(dim, "  | ... (" + std::to_string(body.size()) + " bytes in all)") << "\n";
    }
}

void try_printer::print_outcome(bool ok, const std::string& what, const std::string& detail) {
    out_ << "  " << (ok ? paint(green, "ok  ") : paint(red, "FAIL")) << " " << what;
    if (!detail.empty()) out_ << ": " << detail;
    out_ << "\n";
}

void try_printer::print_checks(const scenario::checks& c, const user::response_facts& facts,
                               bool with_status) {
    const auto rules = single_rules(c);
    for (std::size_t i = with_status ? 0 : 1; i < rules.size(); ++i) {
        const auto& [label, one] = rules[i];
        std::vector<boost::json::value> expected;
        for (const auto& j : one.json) {
            boost::system::error_code ec;
            expected.push_back(j.how == scenario::json_check::kind::equals
                                   ? boost::json::parse(j.expected_json, ec)
                                   : boost::json::value());
        }
        const auto verdict = user::check_response(one, expected, facts);
        if (!verdict) ++checks_failed_;
        print_outcome(bool(verdict), "check " + label, verdict ? "" : verdict.error().message);
    }
}

void try_printer::on_response(const scenario::request_step& step, const http::request& sent,
                              const user::response_facts& facts,
                              const swarm::result<void>& verdict) {
    print_request(sent);
    const auto& resp = facts.response;
    out_ << paint(cyan, "< " + std::to_string(resp.status) + " in " + milliseconds(resp.latency) +
                            ", " + std::to_string(resp.body.size()) + " bytes")
         << "\n";
    for (const auto& [name, value] : resp.headers)
        out_ << "  " << printable(name) << ": " << printable(value, 512) << "\n";
    print_body(resp.body, binary_type(resp.header("Content-Type")));
    print_checks(step.check, facts);
    print_extractions(step.extract, facts);
    if (!verdict) ++failed_;
    out_ << "\n";
}

std::size_t try_printer::print_extractions(const std::vector<scenario::extraction>& extract,
                                           const user::response_facts& facts) {
    std::size_t failed = 0;
    for (const auto& e : extract) {
        const auto value = user::extract_value(e, facts);
        if (!value) ++failed;
        print_outcome(value.has_value(), "extract " + e.variable,
                      value ? shown(*value) : std::string("no match"));
    }
    return failed;
}

void try_printer::on_send_failed(const scenario::request_step& /*step*/, const http::request& sent,
                                 const http::error& /*failure*/, const std::string& message) {
    print_request(sent);
    ++failed_;
    print_outcome(false, "send", message);
    out_ << "\n";
}

void try_printer::on_parallel(std::size_t requests, std::chrono::microseconds took) {
    out_ << paint(bold, "parallel: " + std::to_string(requests) + " request" +
                            (requests == 1 ? "" : "s") + " at once, all ended in " +
                            milliseconds(took))
         << "\n\n";
}

}  // namespace swarm::cli

namespace swarm::cli {

namespace {

// The upgrade's URL as a scenario writes it: ws:// (wss://) for http:// (https://).
std::string ws_scheme(std::string_view url) {
    if (url.rfind("https://", 0) == 0) return "wss://" + std::string(url.substr(8));
    if (url.rfind("http://", 0) == 0) return "ws://" + std::string(url.substr(7));
    return std::string(url);
}

std::string message_size(std::size_t bytes, bool binary) {
    return std::to_string(bytes) + " bytes of " + (binary ? "binary" : "text");
}

}  // namespace

void try_printer::print_ws_verdict(const char* what, const swarm::result<void>& verdict,
                                   const std::string& detail) {
    ++requests_;
    if (!verdict) {
        ++failed_;
        print_outcome(false, what, verdict.error().message);
    } else if (!detail.empty()) {
        out_ << paint(cyan, "< " + detail) << "\n";
    }
    out_ << "\n";
}

void try_printer::on_ws_connect(const scenario::ws_connect_step& step, std::string_view url,
                                std::string_view subprotocol, std::chrono::microseconds took,
                                const swarm::result<void>& verdict) {
    out_ << paint(bold, "> WS connect " + printable(ws_scheme(url), 2048)) << "\n";
    std::string offered;
    for (const auto& p : step.subprotocols) offered += (offered.empty() ? "" : ", ") + p;
    if (!offered.empty()) out_ << "  Sec-WebSocket-Protocol: " << printable(offered, 512) << "\n";
    print_ws_verdict(
        "connect", verdict,
        "101 Switching Protocols in " + milliseconds(took) +
            (subprotocol.empty() ? ", no subprotocol" : ", subprotocol " + quote(subprotocol)));
}

void try_printer::on_ws_send(const scenario::ws_send_step& step, std::string_view payload,
                             bool binary, std::chrono::microseconds took,
                             const swarm::result<void>& verdict) {
    out_ << paint(bold,
                  "> WS send " + printable(step.name) + ": " + message_size(payload.size(), binary))
         << "\n";
    if (!payload.empty()) print_body(payload, binary);
    print_ws_verdict("send", verdict, "sent in " + milliseconds(took));
}

void try_printer::on_ws_receive(const scenario::ws_receive_step& step,
                                const user::response_facts* message, bool binary, std::int64_t read,
                                const swarm::result<void>& verdict) {
    std::string line = "< WS receive " + printable(step.name);
    if (message) {
        line += ": " + message_size(message->response.body.size(), binary) + " in " +
                milliseconds(message->response.latency);
    }
    if (step.until) {
        line += " (" + std::to_string(read) + " message" + (read == 1 ? "" : "s") + " read" +
                (message ? ", the last shown)" : ")");
    }
    out_ << paint(cyan, line) << "\n";
    if (!message) {
        print_ws_verdict("receive", verdict, "");
        return;
    }
    print_body(message->response.body, binary);
    const auto checks_failed_before = checks_failed_;
    print_checks(step.check, *message, false);  // a message has no status to check
    const auto extractions_failed = print_extractions(step.extract, *message);
    ++requests_;
    if (!verdict) {
        ++failed_;
        // Unless a check or extraction said it above (an until: that never held).
        if (checks_failed_ == checks_failed_before && extractions_failed == 0)
            print_outcome(false, "receive", verdict.error().message);
    }
    out_ << "\n";
}

void try_printer::on_ws_close(const scenario::ws_close_step& step, std::chrono::microseconds took,
                              const swarm::result<void>& verdict) {
    out_ << paint(bold, "> WS close " + std::to_string(step.code) +
                            (step.reason.empty() ? "" : " " + quote(step.reason)))
         << "\n";
    print_ws_verdict("close", verdict, "closed in " + milliseconds(took));
}

}  // namespace swarm::cli
