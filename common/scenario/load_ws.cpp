// WebSocket steps: `ws:` (connect), `send:`, `receive:` and `close:`.
#include <algorithm>

#include "common/byte_size.hpp"
#include "common/scenario/load_context.hpp"

namespace swarm::scenario::detail {
namespace {

// 64 MiB: a message is held whole in memory by the user that reads it.
constexpr std::uint64_t max_ws_message_limit = std::uint64_t{64} << 20;

// A row name as written: fixed text within the stats name bound.
std::string load_row_name(load_context& ctx, const YAML::Node& n, const std::string& path,
                          std::string fallback) {
    if (!n) return fallback;
    if (ctx.refuse_template(n, path, "a WebSocket row's name is fixed")) return fallback;
    auto name = ctx.string(n, path);
    if (!name) return fallback;
    if (name->empty() || name->size() > max_stats_name_bytes) {
        ctx.error(n, path,
                  "a name is 1 to " + std::to_string(max_stats_name_bytes) + " bytes, got " +
                      std::to_string(name->size()));
        return fallback;
    }
    return std::move(*name);
}

bool plausible_ws_url(std::string_view url) {
    for (std::string_view prefix : {"/", "ws://", "wss://", "http://", "https://", "{{"}) {
        if (url.substr(0, prefix.size()) == prefix) return true;
    }
    return false;
}

// RFC 6455 §4.1: a subprotocol is a token (no separators, no spaces).
bool is_token(std::string_view s) {
    static constexpr std::string_view separators = "()<>@,;:\\\"/[]?={} \t";
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7f && separators.find(c) == std::string_view::npos;
    });
}

void load_subprotocols(load_context& ctx, const YAML::Node& n, const std::string& path,
                       std::vector<std::string>& out) {
    auto add = [&](const YAML::Node& item, const std::string& where) {
        auto p = ctx.string(item, where);
        if (!p) return;
        if (!is_token(*p)) {
            ctx.error(item, where, "a subprotocol is a token like chat.v2, got '" + *p + "'");
            return;
        }
        out.push_back(std::move(*p));
    };
    if (n.IsScalar()) {
        add(n, path);
    } else if (ctx.expect_sequence(n, path)) {
        std::size_t i = 0;
        for (const auto& item : n) add(item, index_path(path, i++));
    }
}

void load_connect(load_context& ctx, const YAML::Node& n, const std::string& path, step& out) {
    ctx.check_keys(n, path, {"ws", "name", "headers", "subprotocols", "timeout", "max_message"});
    ws_connect_step c;
    const auto& url = n["ws"];
    const auto url_path = join_path(path, "ws");
    if (!url.IsScalar() || url.Scalar().empty() || !plausible_ws_url(url.Scalar())) {
        ctx.error(url, url_path,
                  "expected a path like /chat (on the class's host: http → ws, https → wss) or "
                  "a ws:// or wss:// URL");
        return;
    }
    if (auto t = ctx.templ(url, url_path)) c.url = std::move(*t);
    c.name = load_row_name(ctx, n["name"], join_path(path, "name"), url.Scalar());
    if (c.name.size() > max_stats_name_bytes) {
        ctx.error(url, url_path, "the URL is too long to name its row: give it a shorter name:");
    }
    if (n["headers"]) c.headers = ctx.templates_map(n["headers"], join_path(path, "headers"));
    if (n["subprotocols"])
        load_subprotocols(ctx, n["subprotocols"], join_path(path, "subprotocols"), c.subprotocols);
    if (n["timeout"]) c.timeout = ctx.time(n["timeout"], join_path(path, "timeout"));
    if (const auto& m = n["max_message"]) {
        const auto size = m.IsScalar() ? parse_byte_size(m.Scalar()) : std::nullopt;
        if (!size || *size == 0 || *size > max_ws_message_limit) {
            ctx.error(m, join_path(path, "max_message"),
                      "expected a size from 1 byte to 64MiB, like 65536, 64KiB or 1MiB");
        } else {
            c.max_message_bytes = *size;
        }
    }
    ctx.ws_open = true;
    out.action = std::move(c);
}

void load_send(load_context& ctx, const YAML::Node& n, const std::string& path, step& out) {
    ctx.check_keys(n, path, {"send", "name"});
    ws_send_step s;
    const auto& v = n["send"];
    const auto where = join_path(path, "send");
    // `name:` beside `send:` or inside its map (a YAML::Node is a reference:
    // chosen once, never assigned).
    const bool name_inside = v.IsMap() && v["name"];
    if (name_inside && n["name"])
        ctx.error(v["name"], join_path(where, "name"), "`name` is given twice");
    const YAML::Node name = name_inside ? v["name"] : n["name"];
    const std::string name_path = name_inside ? join_path(where, "name") : join_path(path, "name");
    if (v.IsMap()) {
        ctx.check_keys(v, where, {"text", "json", "binary", "name"});
        const int kinds = (v["text"] ? 1 : 0) + (v["json"] ? 1 : 0) + (v["binary"] ? 1 : 0);
        if (kinds != 1) {
            ctx.error(v, where,
                      "a send has exactly one of text, json (typed JSON) or binary (a file)");
            return;
        }
        if (v["json"]) {
            s.payload = ws_send_step::payload_kind::json;
            load_json_body(ctx, v["json"], join_path(where, "json"), s.json);
        } else if (v["binary"]) {
            s.payload = ws_send_step::payload_kind::binary;
            const auto file_path = join_path(where, "binary");
            auto file = ctx.string(v["binary"], file_path);
            const auto* content = file ? bundled_file(ctx.source(), *file) : nullptr;
            if (file && !content) {
                ctx.error(v["binary"], file_path,
                          "file '" + *file +
                              "' is not in the scenario's bundle (a path "
                              "relative to the scenario)");
            } else if (content) {
                s.file = std::move(*file);
                s.content = std::make_shared<const std::string>(*content);
            }
        } else if (auto t = ctx.templ(v["text"], join_path(where, "text"))) {
            s.text = std::move(*t);
        }
    } else if (v.IsScalar()) {
        if (auto t = ctx.templ(v, where)) s.text = std::move(*t);
    } else {
        ctx.error(v, where, "expected a text message (a template), {json: ...} or {binary: FILE}");
        return;
    }
    s.name = load_row_name(ctx, name, name_path, "send");
    out.action = std::move(s);
}

// Checks on a message: the body's (contains, regex, json), max_ms and message.
void load_message_checks(load_context& ctx, const YAML::Node& n, const std::string& path,
                         checks& out) {
    if (n.IsMap()) {
        for (const char* key : {"status", "header", "cookie"}) {
            if (n[key]) {
                ctx.error(key_node(n, key), join_path(path, key),
                          std::string("a WebSocket message has no ") + key +
                              ": check its text (body_contains, body_regex, json)");
            }
        }
    }
    load_checks(ctx, n, path, out);
    out.status.reset();
    out.headers.clear();
    out.cookies.clear();
}

void load_receive(load_context& ctx, const YAML::Node& n, const std::string& path, step& out) {
    ctx.check_keys(n, path, {"receive"});
    ws_receive_step r;
    const auto& v = n["receive"];
    const auto where = join_path(path, "receive");
    if (v.IsNull()) {
        r.name = "receive";
        out.action = std::move(r);
        return;
    }
    if (!ctx.expect_map(v, where, "receive options: {name, timeout, check, extract, until, max}"))
        return;
    ctx.check_keys(v, where, {"name", "timeout", "check", "extract", "until", "max"});
    r.name = load_row_name(ctx, v["name"], join_path(where, "name"), "receive");
    if (v["timeout"]) r.timeout = ctx.time(v["timeout"], join_path(where, "timeout"));
    if (v["check"]) load_message_checks(ctx, v["check"], join_path(where, "check"), r.check);
    if (v["extract"]) {
        load_extract(ctx, v["extract"], join_path(where, "extract"), r.extract);
        for (const auto& e : r.extract) {
            if (e.how == extraction::kind::regex || e.how == extraction::kind::json) continue;
            ctx.error(v["extract"], join_path(join_path(where, "extract"), e.variable),
                      "a WebSocket message is text: extract with regex or json");
        }
    }
    if (v["until"]) {
        r.until = ctx.expression(v["until"], join_path(where, "until"));
        if (!v["max"]) {
            ctx.error(v, where,
                      "`until` needs `max:`, the most messages it may read (like max: 50)");
        }
    } else if (v["max"]) {
        ctx.error(key_node(v, "max"), join_path(where, "max"), "`max` goes with `until`");
    }
    if (v["max"]) r.max = ctx.integer(v["max"], join_path(where, "max"), 1, 1'000'000).value_or(1);
    out.action = std::move(r);
}

void load_close(load_context& ctx, const YAML::Node& n, const std::string& path, step& out) {
    ctx.check_keys(n, path, {"close"});
    ws_close_step c;
    const auto& v = n["close"];
    const auto where = join_path(path, "close");
    if (!v.IsNull()) {
        if (!ctx.expect_map(v, where, "{code: 1000, reason: text} (or nothing)")) return;
        ctx.check_keys(v, where, {"code", "reason"});
        if (v["code"]) {
            // RFC 6455 §7.4: 1000 and the registered 1001–1003, 1007–1014; 3000–4999 private.
            const auto code = ctx.integer(v["code"], join_path(where, "code"), 1000, 4999);
            const bool reserved =
                code && ((*code >= 1004 && *code <= 1006) || (*code >= 1015 && *code < 3000));
            if (reserved) {
                ctx.error(v["code"], join_path(where, "code"),
                          "close code " + std::to_string(*code) +
                              " may not be sent (use 1000, 1001-1003, 1007-1014 or 3000-4999)");
            } else if (code) {
                c.code = static_cast<std::uint16_t>(*code);
            }
        }
        if (v["reason"]) {
            c.reason = ctx.string(v["reason"], join_path(where, "reason")).value_or("");
            if (c.reason.size() > 123) {  // a control frame's payload is 125 bytes, 2 for the code
                ctx.error(v["reason"], join_path(where, "reason"),
                          "a close reason is at most 123 bytes");
            }
        }
    }
    out.action = c;
}

}  // namespace

bool load_ws_step(load_context& ctx, const YAML::Node& n, const std::string& path, step& out) {
    const char* kind = n["ws"]        ? "ws"
                       : n["send"]    ? "send"
                       : n["receive"] ? "receive"
                       : n["close"]   ? "close"
                                      : nullptr;
    if (!kind) return false;
    if (std::string_view(kind) != "ws" && !ctx.ws_open) {
        ctx.error(n, path,
                  std::string("`") + kind +
                      "` needs a WebSocket: put a `ws: /path` step before it (in this task or "
                      "the class's on_start)");
    }
    if (n["ws"]) load_connect(ctx, n, path, out);
    else if (n["send"]) load_send(ctx, n, path, out);
    else if (n["receive"]) load_receive(ctx, n, path, out);
    else load_close(ctx, n, path, out);
    return true;
}

}  // namespace swarm::scenario::detail
