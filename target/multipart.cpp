#include "target/multipart.hpp"

#include <openssl/evp.h>

#include "common/ascii.hpp"

namespace swarm::target {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The value of parameter `key` in "form-data; name=\"a\"; filename=\"b\"".
// A quoted value ends at the next quote (swarm and browsers escape none)
// and may hold ';'.
std::optional<std::string_view> parameter(std::string_view header, std::string_view key) {
    std::size_t pos = 0;
    while (pos < header.size()) {
        const auto stop = header.find_first_of(";=", pos);
        const auto name = trim(header.substr(pos, stop - pos));
        if (stop == std::string_view::npos) return std::nullopt;
        if (header[stop] == ';') {  // a bare word such as form-data
            pos = stop + 1;
            continue;
        }
        auto start = stop + 1;
        while (start < header.size() && header[start] == ' ') ++start;
        std::size_t end = 0;
        std::string_view value;
        if (start < header.size() && header[start] == '"') {
            const auto close = header.find('"', start + 1);
            if (close == std::string_view::npos) return std::nullopt;
            value = header.substr(start + 1, close - start - 1);
            end = header.find(';', close);
        } else {
            end = header.find(';', start);
            value = trim(header.substr(start, end - start));
        }
        if (iequals(name, key)) return value;
        if (end == std::string_view::npos) return std::nullopt;
        pos = end + 1;
    }
    return std::nullopt;
}

// Parses one part's header block into `part`; false and `error` when wrong.
bool parse_part_headers(std::string_view block, multipart_part& part, std::string& error) {
    bool disposition = false;
    while (!block.empty()) {
        auto end = block.find("\r\n");
        const auto line = block.substr(0, end);
        block = end == std::string_view::npos ? std::string_view() : block.substr(end + 2);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            error = "a part's header line has no ':'";
            return false;
        }
        const auto name = trim(line.substr(0, colon));
        const auto value = trim(line.substr(colon + 1));
        if (iequals(name, "Content-Disposition")) {
            if (!iequals(value.substr(0, 9), "form-data")) {
                error = "a part's Content-Disposition is not form-data";
                return false;
            }
            disposition = true;
            part.name = parameter(value, "name").value_or("");
            if (auto f = parameter(value, "filename")) {
                part.filename = *f;
                part.has_filename = true;
            }
        } else if (iequals(name, "Content-Type")) {
            part.content_type = value;
        }
    }
    if (!disposition) error = "a part has no Content-Disposition";
    return disposition;
}

}  // namespace

std::optional<std::string_view> multipart_boundary(std::string_view content_type) {
    const auto semi = content_type.find(';');
    if (!iequals(trim(content_type.substr(0, semi)), "multipart/form-data")) return std::nullopt;
    if (semi == std::string_view::npos) return std::nullopt;
    auto b = parameter(content_type.substr(semi + 1), "boundary");
    if (!b || b->empty() || b->size() > 70) return std::nullopt;
    return b;
}

multipart_result parse_multipart(std::string_view body, std::string_view boundary) {
    multipart_result out;
    const std::string delimiter = "--" + std::string(boundary);
    const std::string next_delimiter = "\r\n" + delimiter;
    // The first delimiter opens the body (a preamble before it is ignored).
    std::size_t pos = 0;
    if (!body.starts_with(delimiter)) {
        pos = body.find(next_delimiter);
        if (pos == std::string_view::npos) {
            out.error = "no boundary delimiter in the body";
            return out;
        }
        pos += 2;
    }
    pos += delimiter.size();
    while (true) {
        if (body.substr(pos, 2) == "--") return out;  // the close delimiter
        if (body.substr(pos, 2) != "\r\n") {
            out.error = "a boundary delimiter is not followed by CRLF";
            return out;
        }
        pos += 2;
        if (out.parts.size() == max_multipart_parts) {
            out.error = "more than " + std::to_string(max_multipart_parts) + " parts";
            return out;
        }
        const auto head_end = body.find("\r\n\r\n", pos);
        // A part without headers starts with the blank line at once.
        const bool no_headers = body.substr(pos, 2) == "\r\n";
        const auto block_end = no_headers ? pos : head_end;
        if (block_end == std::string_view::npos || block_end - pos > max_part_header_bytes) {
            out.error = "a part's headers do not end (or exceed 8 KiB)";
            return out;
        }
        multipart_part part;
        if (!parse_part_headers(body.substr(pos, block_end - pos), part, out.error)) return out;
        const auto data_start = block_end + (no_headers ? 2 : 4);
        const auto data_end = body.find(next_delimiter, data_start);
        if (data_end == std::string_view::npos) {
            out.error = "the body ends inside a part (no closing delimiter)";
            return out;
        }
        part.data = body.substr(data_start, data_end - data_start);
        out.parts.push_back(part);
        pos = data_end + next_delimiter.size();
    }
}

std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), md, &length, EVP_sha256(), nullptr);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

void upload_counters::record(const std::vector<multipart_part>& parts,
                             const std::vector<std::string>& sha256s) {
    const std::lock_guard lock(mutex_);
    ++counts_.requests;
    std::size_t file = 0;
    for (const auto& part : parts) {
        if (!part.has_filename) {
            ++counts_.fields;
            counts_.field_bytes += part.data.size();
            continue;
        }
        ++counts_.files;
        counts_.file_bytes += part.data.size();
        const auto& hash = sha256s.at(file++);
        auto& by_hash = counts_.files_by_sha256;
        if (by_hash.size() < max_distinct_files || by_hash.contains(hash)) {
            ++by_hash[hash];
        } else {
            ++by_hash["other"];
        }
    }
}

void upload_counters::record_malformed() {
    const std::lock_guard lock(mutex_);
    ++counts_.malformed;
}

upload_snapshot upload_counters::snapshot() {
    const std::lock_guard lock(mutex_);
    return counts_;
}

void upload_counters::reset() {
    const std::lock_guard lock(mutex_);
    counts_ = {};
}

}  // namespace swarm::target
