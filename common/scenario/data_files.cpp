#include "common/scenario/data_files.hpp"

#include <filesystem>
#include <fstream>

#include "common/scenario/load_context.hpp"

namespace swarm::scenario {

result<std::string> read_text_file(const std::string& path, std::size_t limit) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return fail("cannot read '" + path + "': " + ec.message());
    if (size > limit) {
        return fail("'" + path + "' is " + std::to_string(size) +
                    " bytes, more than the limit of " + std::to_string(limit));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail("cannot open '" + path + "'");
    std::string out(static_cast<std::size_t>(size), '\0');
    in.read(out.data(), static_cast<std::streamsize>(size));
    out.resize(static_cast<std::size_t>(in.gcount()));
    return out;
}

std::string resolve_relative(const std::string& scenario_path, const std::string& file) {
    const std::filesystem::path p(file);
    if (p.is_absolute()) return file;
    return (std::filesystem::path(scenario_path).parent_path() / p).lexically_normal().string();
}

data_format format_for(std::string_view file_name) {
    return file_name.size() >= 4 && file_name.substr(file_name.size() - 4) == ".csv"
               ? data_format::csv
               : data_format::lines;
}

namespace {

tmpl::data_set parse_lines(std::string name, std::string_view content) {
    tmpl::data_set ds{std::move(name), {}};
    while (!content.empty()) {
        auto end = content.find('\n');
        auto line = content.substr(0, end);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty()) ds.items.emplace_back(std::string(line));
        if (end == std::string_view::npos) break;
        content.remove_prefix(end + 1);
    }
    return ds;
}

// Splits CSV text into rows of fields (RFC 4180). Returns false on an
// unterminated quote and sets `line` to where it started.
bool split_csv(std::string_view text, std::vector<std::vector<std::string>>& rows, int& line) {
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, field_started = false;
    int current_line = 1, quote_line = 0;
    auto end_field = [&] {
        row.push_back(std::move(field));
        field.clear();
        field_started = false;
    };
    auto end_row = [&] {
        end_field();
        if (!(row.size() == 1 && row[0].empty()))
            rows.push_back(std::move(row));  // skip blank lines
        row.clear();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                if (c == '\n') ++current_line;
                field += c;
            }
        } else if (c == '"' && !field_started) {
            quoted = field_started = true;
            quote_line = current_line;
        } else if (c == ',') {
            end_field();
        } else if (c == '\n') {
            end_row();
            ++current_line;
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            continue;
        } else {
            field += c;
            field_started = true;
        }
    }
    if (quoted) {
        line = quote_line;
        return false;
    }
    if (field_started || !row.empty()) end_row();
    return true;
}

result<tmpl::data_set> parse_csv(std::string name, std::string_view content) {
    std::vector<std::vector<std::string>> rows;
    int bad_line = 0;
    if (!split_csv(content, rows, bad_line)) {
        return fail("line " + std::to_string(bad_line) + ": unterminated quoted field");
    }
    if (rows.empty())
        return fail("the file is empty: a CSV data file needs a header row and records");
    const auto& header = rows[0];
    tmpl::data_set ds{std::move(name), {}};
    for (std::size_t r = 1; r < rows.size(); ++r) {
        // A ragged row is a mistake in the file (a lost comma or column),
        // not data: an empty field is written as such ("a,,c").
        if (rows[r].size() != header.size()) {
            return fail("row " + std::to_string(r + 1) + ": " + std::to_string(rows[r].size()) +
                        " fields, the header has " + std::to_string(header.size()));
        }
        auto rec = std::make_shared<tmpl::record>();
        for (std::size_t f = 0; f < header.size(); ++f) {
            rec->fields.emplace_back(header[f], std::move(rows[r][f]));
        }
        ds.items.emplace_back(tmpl::record_ptr(std::move(rec)));
    }
    return ds;
}

}  // namespace

result<tmpl::data_set> parse_data_set(std::string name, std::string_view content,
                                      data_format format) {
    if (format == data_format::csv) return parse_csv(std::move(name), content);
    return parse_lines(std::move(name), content);
}

namespace detail {

// `data: {name: {file: path, format: lines|csv, on_end: recycle|stop_user|stop_test} | {items:
// [..]}}`
std::vector<data_end> load_data(load_context& ctx, const YAML::Node& data) {
    std::vector<data_end> on_ends;
    if (!ctx.expect_map(data, "data", "a map of data sets by name")) return on_ends;
    for (const auto& kv : data) {
        if (!kv.first.IsScalar()) continue;
        const auto& name = kv.first.Scalar();
        const auto path = join_path("data", name);
        const auto& spec = kv.second;
        if (name.size() > max_data_set_name_bytes) {
            ctx.error(
                kv.first, path,
                "a data set name is at most " + std::to_string(max_data_set_name_bytes) + " bytes");
            continue;
        }
        if (on_ends.size() == max_data_sets) {
            ctx.error(kv.first, path, "more than " + std::to_string(max_data_sets) + " data sets");
            break;
        }
        if (!ctx.expect_map(spec, path, "{file: NAME} or {items: [...]}")) continue;
        ctx.check_keys(spec, path, {"file", "format", "items", "on_end"});
        data_end on_end = data_end::recycle;
        if (spec["on_end"]) {
            auto e = ctx.string(spec["on_end"], join_path(path, "on_end"));
            if (e && parse_data_end(*e)) {
                on_end = *parse_data_end(*e);
            } else if (e) {
                ctx.error(spec["on_end"], join_path(path, "on_end"),
                          "expected 'recycle', 'stop_user' or 'stop_test', got '" + *e + "'");
            }
        }
        std::optional<tmpl::data_set> ds;
        std::string what = "data set '" + name + "'";  // what an empty one is called
        if (spec["items"]) {
            if (!ctx.expect_sequence(spec["items"], join_path(path, "items"))) continue;
            ds = tmpl::data_set{name, {}};
            for (const auto& item : spec["items"]) {
                // Data, like a data file's lines: "{{" in an item is kept as is.
                if (ctx.expect_scalar(item, join_path(path, "items"), "text")) {
                    ds->items.emplace_back(item.Scalar());
                }
            }
        } else if (spec["file"]) {
            auto file = ctx.string(spec["file"], join_path(path, "file"));
            if (!file) continue;
            auto format = format_for(*file);
            if (spec["format"]) {
                auto f = ctx.string(spec["format"], join_path(path, "format"));
                if (f && *f == "csv") {
                    format = data_format::csv;
                } else if (f && *f == "lines") {
                    format = data_format::lines;
                } else if (f) {
                    ctx.error(spec["format"], join_path(path, "format"),
                              "expected 'lines' or 'csv', got '" + *f + "'");
                }
            }
            const auto& files = ctx.source().files;
            auto it =
                std::find_if(files.begin(), files.end(), [&](auto& f) { return f.first == *file; });
            if (it == files.end()) {
                ctx.error(spec["file"], join_path(path, "file"),
                          "data file '" + *file + "' not found");
                continue;
            }
            auto parsed = parse_data_set(name, it->second, format);
            if (!parsed) {
                ctx.error(spec["file"], join_path(path, "file"),
                          "'" + *file + "': " + parsed.error().message);
                continue;
            }
            ds = std::move(*parsed);
            what = "'" + *file + "'";
            if (ds->items.empty()) {
                // Say which kind of empty: no feeder can hand out a record.
                ctx.error(spec["file"], join_path(path, "file"),
                          what + (format == data_format::csv ? " has a header row and no records"
                                                             : " is empty (no non-blank line)"));
                continue;
            }
        } else {
            ctx.error(spec, path, "a data set needs `file:` or `items:`");
            continue;
        }
        if (ds && ds->items.empty()) {
            ctx.error(spec, path, what + " is empty");
            continue;
        }
        if (ds) {
            ctx.data_sets().push_back(std::make_shared<const tmpl::data_set>(std::move(*ds)));
            on_ends.push_back(on_end);
        }
    }
    return on_ends;
}

}  // namespace detail
}  // namespace swarm::scenario
