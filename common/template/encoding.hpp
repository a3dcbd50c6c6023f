#pragma once
// Byte encodings and digests behind the template functions base64(),
// base64url(), base64_decode(), base64url_decode(), sha256(), hmac_sha256()
// and hmac_sha256_base64(). Plain functions of their inputs; any thread.
// Private to common/template/ (and its tests).

#include <optional>
#include <string>
#include <string_view>

namespace swarm::tmpl {

enum class base64_alphabet {
    standard,  // RFC 4648 §4: + and /, padded with =
    url,       // RFC 4648 §5: - and _, unpadded (as JWTs write it)
};

// Appends the encoding of `bytes` to `out`.
void append_base64(std::string& out, std::string_view bytes, base64_alphabet alphabet);

// The decoded bytes, or nullopt when `text` is not base64 of that alphabet:
// a character outside it, a length that no encoding has, or padding in the
// wrong place. Padding is optional for both alphabets (a URL-safe text
// usually has none; some standard ones lose theirs); when present it must be
// right. Whitespace is not skipped.
std::optional<std::string> decode_base64(std::string_view text, base64_alphabet alphabet);

// Lower-case hex of the SHA-256 digest (FIPS 180-4) of `bytes`.
std::string sha256_hex(std::string_view bytes);

// HMAC-SHA256 (RFC 2104) of `message` under `key`, the 32 raw bytes.
std::string hmac_sha256(std::string_view key, std::string_view message);

// Lower-case hex of raw bytes.
std::string to_hex(std::string_view bytes);

}  // namespace swarm::tmpl
