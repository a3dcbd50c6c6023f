#include "worker/user/multipart.hpp"

#include <algorithm>

namespace swarm::worker::user {
namespace {

// Draws after which choose_boundary() gives up looking for a free one. With
// 128 random bits the first draw is already free unless a part was made to
// hold it; the bound only keeps a loop bounded.
constexpr int max_boundary_draws = 16;

std::string random_boundary(std::mt19937_64& rng) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "swarm-";
    for (int word = 0; word < 2; ++word) {
        auto bits = rng();
        for (int i = 0; i < 16; ++i, bits >>= 4) out += hex[bits & 15];
    }
    return out;
}

void append_part_head(const scenario::multipart_part& part, std::string_view boundary,
                      std::string& out) {
    out += "--";
    out += boundary;
    out += "\r\nContent-Disposition: form-data; name=\"";
    out += part.name;  // the loader refused quotes and control bytes
    out += '"';
    if (part.is_file()) {
        out += "; filename=\"";
        out += part.filename;
        out += "\"\r\nContent-Type: ";
        out += part.content_type;
    }
    out += "\r\n\r\n";
}

}  // namespace

std::string choose_boundary(std::span<const std::string_view> contents, std::mt19937_64& rng) {
    std::string boundary;
    for (int draw = 0; draw < max_boundary_draws; ++draw) {
        boundary = random_boundary(rng);
        const bool free = std::none_of(contents.begin(), contents.end(), [&](std::string_view c) {
            return c.find(boundary) != std::string_view::npos;
        });
        if (free) break;
    }
    return boundary;
}

std::string multipart_content_type(std::string_view boundary) {
    std::string out = "multipart/form-data; boundary=";
    out += boundary;
    return out;
}

std::string render_multipart(const std::vector<scenario::multipart_part>& parts,
                             tmpl::environment& env, std::string& body) {
    std::vector<std::string> values(parts.size());
    std::vector<std::string_view> contents(parts.size());
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto& part = parts[i];
        if (part.is_file()) {
            contents[i] = *part.content;
        } else {
            if (part.value.is_static()) {
                values[i] = part.value.static_text();
            } else {
                part.value.render(env, values[i]);
            }
            contents[i] = values[i];
        }
        bytes += contents[i].size() + part.name.size() + part.filename.size() + 160;
    }
    auto boundary = choose_boundary(contents, env.rng());
    body.reserve(body.size() + bytes + boundary.size() * (parts.size() + 1));
    for (std::size_t i = 0; i < parts.size(); ++i) {
        append_part_head(parts[i], boundary, body);
        body += contents[i];
        body += "\r\n";
    }
    body += "--";
    body += boundary;
    body += "--\r\n";
    return boundary;
}

}  // namespace swarm::worker::user
