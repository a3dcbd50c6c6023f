#include "master/web/auth.hpp"

#include <algorithm>
#include <fstream>

#include "common/ascii.hpp"

namespace swarm::master::web {
namespace {

// Compares without an early exit: the time depends on the lengths only.
bool constant_time_equal(std::string_view a, std::string_view b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

}  // namespace

std::string base64_encode(std::string_view data) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < data.size(); i += 3) {
        const std::size_t left = data.size() - i;
        std::uint32_t v = static_cast<unsigned char>(data[i]) << 16;
        if (left > 1) v |= static_cast<unsigned char>(data[i + 1]) << 8;
        if (left > 2) v |= static_cast<unsigned char>(data[i + 2]);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += left > 1 ? alphabet[(v >> 6) & 63] : '=';
        out += left > 2 ? alphabet[v & 63] : '=';
    }
    return out;
}

result<basic_auth> basic_auth::from_pair(const std::string& text) {
    const auto colon = text.find(':');
    if (colon == std::string::npos || colon == 0) return fail("expected USER:PASSWORD");
    basic_auth a;
    a.expected_.push_back("Basic " + base64_encode(text));
    return a;
}

result<basic_auth> basic_auth::from_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return fail(path + ": cannot read");
    basic_auth all;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line.front() == '#') continue;
        auto one = from_pair(line);
        if (!one) return fail(path + ":" + std::to_string(number) + ": " + one.error().message);
        all.add(*one);
    }
    if (!all.enabled()) return fail(path + ": no USER:PASSWORD line");
    return all;
}

void basic_auth::add(const basic_auth& other) {
    expected_.insert(expected_.end(), other.expected_.begin(), other.expected_.end());
}

bool basic_auth::check(std::string_view authorization) const {
    if (expected_.empty()) return true;
    // The scheme is case-insensitive and may be followed by several spaces
    // (RFC 9110 §11.1, §11.4): "basic  X" is compared as "Basic X".
    constexpr std::string_view scheme = "basic ";
    std::string canonical;
    if (authorization.size() > scheme.size() &&
        iequals(authorization.substr(0, scheme.size()), scheme)) {
        auto credentials = authorization.substr(scheme.size());
        while (!credentials.empty() && credentials.front() == ' ') credentials.remove_prefix(1);
        canonical.append("Basic ").append(credentials);
        authorization = canonical;
    }
    bool ok = false;
    for (const auto& e : expected_)
        ok |= constant_time_equal(authorization, e);  // no early exit either
    return ok;
}

}  // namespace swarm::master::web
