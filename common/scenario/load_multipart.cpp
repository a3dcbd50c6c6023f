// `multipart:` request bodies (multipart/form-data, RFC 7578): a map of
// parts in the order written, each a text field (a template) or a file
// (`{file: PATH, content_type: TYPE, filename: NAME}`) whose bytes travel in
// the scenario's bundle like a data file.
#include <algorithm>

#include "common/ascii.hpp"
#include "common/scenario/load_context.hpp"

namespace swarm::scenario::detail {
namespace {

// Names, file names and content types go into part headers between quotes
// or as a header value: a quote, a backslash or a control byte would break
// the part's header (or inject one), so they are refused at load.
bool header_safe(std::string_view s) {
    return std::none_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f || c == '"' || c == '\\';
    });
}

std::string last_path_part(const std::string& file) {
    const auto slash = file.find_last_of("/\\");
    return slash == std::string::npos ? file : file.substr(slash + 1);
}

void load_file_part(load_context& ctx, const YAML::Node& spec, const std::string& path,
                    multipart_part& part) {
    ctx.check_keys(spec, path, {"file", "content_type", "filename"});
    const auto file_path = join_path(path, "file");
    if (!spec["file"]) {
        ctx.error(spec, path,
                  "a file part needs `file:` (a path relative to the scenario), e.g. "
                  "{file: data/photo.jpg, content_type: image/jpeg}");
        return;
    }
    auto file = ctx.string(spec["file"], file_path);
    if (!file) return;
    if (file->empty()) {
        ctx.error(spec["file"], file_path, "expected a file path, got an empty string");
        return;
    }
    const auto* content = bundled_file(ctx.source(), *file);
    if (!content) {
        ctx.error(spec["file"], file_path, "file '" + *file + "' is not in the scenario's bundle");
        return;
    }
    part.file = *file;
    part.content = std::make_shared<const std::string>(*content);
    part.filename = last_path_part(*file);
    part.content_type = "application/octet-stream";
    if (spec["filename"]) {
        part.filename = ctx.string(spec["filename"], join_path(path, "filename")).value_or("");
    }
    if (spec["content_type"]) {
        part.content_type =
            ctx.string(spec["content_type"], join_path(path, "content_type")).value_or("");
        if (part.content_type.empty()) {
            ctx.error(spec["content_type"], join_path(path, "content_type"),
                      "expected a media type like image/jpeg");
        }
    }
    if (!header_safe(part.filename)) {
        ctx.error(spec["filename"] ? spec["filename"] : spec["file"],
                  join_path(path, spec["filename"] ? "filename" : "file"),
                  "a file name may not hold quotes, backslashes or control characters");
    }
    if (!header_safe(part.content_type)) {
        ctx.error(spec["content_type"], join_path(path, "content_type"),
                  "a content type may not hold quotes, backslashes or control characters");
    }
}

}  // namespace

const std::string* bundled_file(const bundle& b, const std::string& file) {
    for (const auto& [path, content] : b.files) {
        if (path == file) return &content;
    }
    return nullptr;
}

void load_multipart(load_context& ctx, const YAML::Node& request, const std::string& path,
                    int other_bodies, request_step& out) {
    const auto& n = request["multipart"];
    const auto where = join_path(path, "multipart");
    if (other_bodies > 0) {
        ctx.error(key_node(request, "multipart"), where,
                  "a request has at most one body: multipart cannot go with form, json or body");
        return;
    }
    if (!ctx.expect_map(n, where,
                        "a map of parts: name: text, or name: {file: PATH, content_type: TYPE}")) {
        return;
    }
    if (n.size() == 0) ctx.error(n, where, "expected at least one part");
    for (const auto& header : out.headers) {
        if (iequals(header.first, "Content-Type")) {
            ctx.error(request["headers"], join_path(path, "headers"),
                      "a multipart body's Content-Type is set by swarm (it carries the "
                      "boundary): remove this header");
        }
    }
    out.body = request_step::body_kind::multipart;
    for (const auto& kv : n) {
        if (!kv.first.IsScalar()) continue;
        multipart_part part;
        part.name = kv.first.Scalar();
        const auto sub = join_path(where, part.name);
        if (part.name.empty() || !header_safe(part.name)) {
            ctx.error(kv.first, sub,
                      "a part's name may not be empty or hold quotes, backslashes or control "
                      "characters");
            continue;
        }
        if (kv.second.IsMap()) {
            load_file_part(ctx, kv.second, sub, part);
        } else if (auto t = ctx.templ(kv.second, sub)) {
            part.value = std::move(*t);
        }
        out.multipart.push_back(std::move(part));
    }
}

void find_multipart_files(const YAML::Node& n, const std::string& path, int depth,
                          const std::function<void(const YAML::Node&, std::string)>& add) {
    // Steps nest at most max_nesting deep, each level a few YAML levels;
    // deeper trees are refused by compile() anyway.
    if (depth > max_nesting * 4) return;
    if (n.IsSequence()) {
        std::size_t i = 0;
        for (const auto& item : n)
            find_multipart_files(item, index_path(path, i++), depth + 1, add);
        return;
    }
    if (!n.IsMap()) return;
    for (const auto& kv : n) {
        if (!kv.first.IsScalar()) continue;
        const auto sub = join_path(path, kv.first.Scalar());
        if (kv.first.Scalar() == "send" && kv.second.IsMap() && kv.second["binary"]) {
            add(kv.second["binary"], join_path(sub, "binary"));  // a WebSocket binary message
        } else if (kv.first.Scalar() == "multipart" && kv.second.IsMap()) {
            for (const auto& part : kv.second) {
                if (!part.first.IsScalar() || !part.second.IsMap()) continue;
                add(part.second["file"], join_path(join_path(sub, part.first.Scalar()), "file"));
            }
        } else {
            find_multipart_files(kv.second, sub, depth + 1, add);
        }
    }
}

}  // namespace swarm::scenario::detail
