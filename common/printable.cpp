#include "common/printable.hpp"

namespace swarm {
namespace {

// Length of the valid, printable UTF-8 sequence at the start of `s` (2 to 4
// bytes), or 0: overlong forms, surrogates, code points past U+10FFFF and the
// C1 controls (U+0080..U+009F) are not.
std::size_t utf8_sequence(std::string_view s) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char lead = byte(0);
    std::size_t n = 0;
    char32_t cp = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        n = 2;
        cp = lead & 0x1Fu;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        n = 3;
        cp = lead & 0x0Fu;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        n = 4;
        cp = lead & 0x07u;
    } else {
        return 0;
    }
    if (s.size() < n) return 0;
    for (std::size_t i = 1; i < n; ++i) {
        if ((byte(i) & 0xC0u) != 0x80u) return 0;
        cp = (cp << 6) | (byte(i) & 0x3Fu);
    }
    const bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    const bool c1_control = cp >= 0x80 && cp <= 0x9F;
    if (overlong || surrogate || c1_control || cp > 0x10FFFF) return 0;
    return n;
}

}  // namespace

std::string printable(std::string_view bytes, std::size_t max_bytes) {
    static constexpr char hex[] = "0123456789abcdef";
    const std::string_view kept = bytes.substr(0, max_bytes);
    std::string out;
    out.reserve(kept.size() + 16);
    for (std::size_t i = 0; i < kept.size();) {
        const auto c = static_cast<unsigned char>(kept[i]);
        if (c >= 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
            ++i;
        } else if (const auto n = c >= 0x80 ? utf8_sequence(kept.substr(i)) : 0; n > 0) {
            out.append(kept.substr(i, n));
            i += n;
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
            ++i;
        }
    }
    if (bytes.size() > kept.size()) out += "... (" + std::to_string(bytes.size()) + " bytes)";
    return out;
}

}  // namespace swarm
