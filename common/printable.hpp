#pragma once
// Bytes from outside (a response's status line, header or body, a TLS
// certificate's names, a scenario's value) made safe to put in a message: a
// log line, a failure in the report, the UI. Control bytes, DEL and bytes
// that are not valid UTF-8 are written as \xNN, so a message is always
// printable, valid UTF-8 (JSON reports stay valid); and only the first
// `max_bytes` bytes are kept, so a message stays short whatever came in.
// The one function every such message goes through. Pure; any thread.

#include <cstddef>
#include <string>
#include <string_view>

namespace swarm {

// Bytes of input kept by default: a URL, a header value, a few words of body.
inline constexpr std::size_t printable_bytes = 120;

// "abc\x00\xff…" as text: printable ASCII and valid UTF-8 (C1 controls
// excepted) copied; other bytes as \xNN; past `max_bytes` of input, the rest
// is summed up as "... (N bytes)" with N the size of all of `bytes`.
std::string printable(std::string_view bytes, std::size_t max_bytes = printable_bytes);

}  // namespace swarm
