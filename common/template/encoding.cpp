#include "common/template/encoding.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstdint>

namespace swarm::tmpl {

namespace {

constexpr std::string_view standard_chars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view url_chars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string_view chars_of(base64_alphabet a) {
    return a == base64_alphabet::standard ? standard_chars : url_chars;
}

// The 6-bit value of `c` in the alphabet, or -1.
int sextet(char c, base64_alphabet a) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    const std::string_view chars = chars_of(a);
    if (c == chars[62]) return 62;
    if (c == chars[63]) return 63;
    return -1;
}

}  // namespace

void append_base64(std::string& out, std::string_view bytes, base64_alphabet alphabet) {
    const std::string_view chars = chars_of(alphabet);
    const bool pad = alphabet == base64_alphabet::standard;
    out.reserve(out.size() + (bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    const auto byte = [&](std::size_t k) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k]));
    };
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t group = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        for (int shift = 18; shift >= 0; shift -= 6) out += chars[(group >> shift) & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 0) return;
    std::uint32_t group = byte(i) << 16;
    if (rest == 2) group |= byte(i + 1) << 8;
    out += chars[(group >> 18) & 63];
    out += chars[(group >> 12) & 63];
    if (rest == 2) out += chars[(group >> 6) & 63];
    if (pad) out.append(rest == 1 ? "==" : "=");
}

std::optional<std::string> decode_base64(std::string_view text, base64_alphabet alphabet) {
    // Strip the padding, then the length says how many bytes the last group holds.
    std::size_t padding = 0;
    while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') {
        ++padding;
    }
    const std::string_view body = text.substr(0, text.size() - padding);
    if (body.size() % 4 == 1) return std::nullopt;
    if (padding > 0 && (body.size() + padding) % 4 != 0) return std::nullopt;
    std::string out;
    out.reserve(body.size() / 4 * 3 + 2);
    std::uint32_t group = 0;
    int filled = 0;
    for (char c : body) {
        const int v = sextet(c, alphabet);
        if (v < 0) return std::nullopt;  // includes a '=' in the middle
        group = group << 6 | static_cast<std::uint32_t>(v);
        if (++filled == 4) {
            out += static_cast<char>(group >> 16 & 0xff);
            out += static_cast<char>(group >> 8 & 0xff);
            out += static_cast<char>(group & 0xff);
            group = 0;
            filled = 0;
        }
    }
    // 2 characters carry 1 byte (+4 spare bits), 3 carry 2 bytes (+2 spare
    // bits); spare bits must be zero, or two texts would decode alike.
    if (filled == 2) {
        if ((group & 0xf) != 0) return std::nullopt;
        out += static_cast<char>(group >> 4 & 0xff);
    } else if (filled == 3) {
        if ((group & 0x3) != 0) return std::nullopt;
        out += static_cast<char>(group >> 10 & 0xff);
        out += static_cast<char>(group >> 2 & 0xff);
    }
    return out;
}

std::string to_hex(std::string_view bytes) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

std::string sha256_hex(std::string_view bytes) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
        return {};  // only when OpenSSL cannot allocate: no value rather than a throw
    }
    return to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), size));
}

std::string hmac_sha256(std::string_view key, std::string_view message) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int size = 0;
    // HMAC() wants a non-null key pointer even for an empty key.
    static constexpr unsigned char no_key = 0;
    const void* key_bytes = key.empty() ? &no_key : static_cast<const void*>(key.data());
    if (!HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(),
              &size)) {
        return {};
    }
    return {reinterpret_cast<const char*>(mac.data()), size};
}

}  // namespace swarm::tmpl
