#include "common/scenario/ca_file.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "common/scenario/load_context.hpp"

namespace swarm::scenario {
namespace {

constexpr std::string_view begin_marker = "-----BEGIN ";
constexpr std::string_view dashes = "-----";

bool is_certificate_label(std::string_view label) {
    return label == "CERTIFICATE" || label == "TRUSTED CERTIFICATE" || label == "X509 CERTIFICATE";
}

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

// Decodes base64 with line breaks; false on any other character, misplaced
// padding or a length that is not a multiple of 4.
bool decode_base64(std::string_view text, std::vector<std::uint8_t>& out) {
    std::uint32_t bits = 0;
    int have = 0, padding = 0;
    std::size_t symbols = 0;
    for (char c : text) {
        if (c == '\n' || c == '\r' || c == ' ' || c == '\t') continue;
        ++symbols;
        if (c == '=') {
            if (++padding > 2) return false;
            continue;
        }
        const int v = base64_value(c);
        if (v < 0 || padding > 0) return false;
        bits = (bits << 6) | static_cast<std::uint32_t>(v);
        if (++have == 4) {
            out.push_back(static_cast<std::uint8_t>(bits >> 16));
            out.push_back(static_cast<std::uint8_t>(bits >> 8));
            out.push_back(static_cast<std::uint8_t>(bits));
            bits = 0;
            have = 0;
        }
    }
    if (symbols == 0 || symbols % 4 != 0 || have + padding != (padding ? 4 : 0)) return false;
    if (padding == 1) {
        out.push_back(static_cast<std::uint8_t>(bits >> 10));
        out.push_back(static_cast<std::uint8_t>(bits >> 2));
    } else if (padding == 2) {
        out.push_back(static_cast<std::uint8_t>(bits >> 4));
    }
    return true;
}

// A certificate is one DER SEQUENCE whose length is exactly the rest of the bytes.
bool is_der_sequence(const std::vector<std::uint8_t>& der) {
    if (der.size() < 2 || der[0] != 0x30) return false;
    std::size_t length = der[1], header = 2;
    if (length & 0x80) {
        const std::size_t octets = length & 0x7f;
        if (octets == 0 || octets > 4 || der.size() < 2 + octets) return false;
        length = 0;
        for (std::size_t i = 0; i < octets; ++i) length = (length << 8) | der[2 + i];
        header += octets;
    }
    return header + length == der.size();
}

}  // namespace

result<void> check_pem_certificates(std::string_view pem) {
    int certificates = 0;
    for (std::size_t at = pem.find(begin_marker); at != std::string_view::npos;
         at = pem.find(begin_marker, at + 1)) {
        const auto label_start = at + begin_marker.size();
        const auto label_end = pem.find(dashes, label_start);
        const auto line_end = pem.find('\n', label_start);
        if (label_end == std::string_view::npos || label_end > line_end)
            continue;  // not a PEM line
        const auto label = pem.substr(label_start, label_end - label_start);
        if (label.find("PRIVATE KEY") != std::string_view::npos) {
            return fail("holds a private key (-----BEGIN " + std::string(label) +
                        "-----); ca_file takes CA certificates only");
        }
        if (!is_certificate_label(label)) continue;
        ++certificates;
        const auto n = "certificate " + std::to_string(certificates);
        const std::string end_line = "-----END " + std::string(label) + "-----";
        const auto body_start = label_end + dashes.size();
        const auto end = pem.find(end_line, body_start);
        if (end == std::string_view::npos) {
            return fail(n + ": no '" + end_line + "' line (is the file cut short?)");
        }
        std::vector<std::uint8_t> der;
        if (!decode_base64(pem.substr(body_start, end - body_start), der)) {
            return fail(n + ": not valid base64");
        }
        if (!is_der_sequence(der)) return fail(n + ": not a DER certificate");
        at = end;
    }
    if (certificates == 0) return fail("no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
    return {};
}

namespace detail {

void load_ca_file(load_context& ctx, const YAML::Node& n, const std::string& path,
                  std::string& file, std::string& pem) {
    auto name = ctx.string(n, path);
    if (!name) return;
    if (name->empty()) {
        ctx.error(n, path, "expected the path of a PEM file with CA certificates");
        return;
    }
    const auto& files = ctx.source().files;
    const auto it =
        std::find_if(files.begin(), files.end(), [&](const auto& f) { return f.first == *name; });
    if (it == files.end()) {
        ctx.error(n, path, "CA file '" + *name + "' not found");
        return;
    }
    if (auto checked = check_pem_certificates(it->second); !checked) {
        ctx.error(n, path, "CA file '" + *name + "': " + checked.error().message);
        return;
    }
    file = *name;
    pem = it->second;
}

}  // namespace detail
}  // namespace swarm::scenario
