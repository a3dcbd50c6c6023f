#pragma once
// What find_input_value found when it was two RE2 patterns, before the
// hand-written scanner replaced them: the value as written (entities not
// decoded). The reference the scanner is held to, by input_scan_test on
// chosen and random HTML and by fuzz_response on fuzzed HTML.

#include <re2/re2.h>

#include <optional>
#include <string>
#include <string_view>

#include "common/ascii.hpp"

namespace swarm::worker::user::testing {

inline std::optional<std::string> input_value_by_regex(std::string_view html,
                                                       std::string_view name) {
    static const RE2 input_tag(R"((?i)<input\b([^>]*)>)");
    static const RE2 attribute(
        R"re((?i)([a-z_:][-a-z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?)re");
    re2::StringPiece rest(html.data(), html.size());
    re2::StringPiece attrs;
    while (RE2::FindAndConsume(&rest, input_tag, &attrs)) {
        bool named = false;
        std::optional<std::string_view> value;
        re2::StringPiece key, dq, sq, bare;
        while (RE2::FindAndConsume(&attrs, attribute, &key, &dq, &sq, &bare)) {
            const auto* v = dq.data() ? &dq : sq.data() ? &sq : &bare;
            const std::string_view text = v->data() ? std::string_view(v->data(), v->size()) : "";
            const std::string_view k(key.data(), key.size());
            if (iequals(k, "name")) {
                named = text == name;
            } else if (iequals(k, "value")) {
                value = text;
            }
        }
        if (named) return std::string(value.value_or(""));
    }
    return std::nullopt;
}

}  // namespace swarm::worker::user::testing
