// libFuzzer target over what the master's web UI reads from a (possibly
// hostile) client: POST /swarm's body (form-encoded or JSON), a query
// string's values, and the Authorization header. A crash, hang, leak, UB or
// a broken invariant (std::abort) is a bug.
//
// The first byte picks the parser; the rest is split into lines where a
// parser takes more than one string:
//   0: start form — line 1 the Content-Type, the rest the body
//   1: form_value — line 1 the key, the rest the encoded string
//   2: Basic auth — the rest an Authorization header value
//   3: Basic auth — the rest a "user:password" pair, then its own header
// Seed corpus: tests/fuzz/corpus/web_request.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "master/web/auth.hpp"
#include "master/web/start_form.hpp"

namespace {

namespace web = swarm::master::web;

void require(bool invariant) {
    if (!invariant) std::abort();
}

std::pair<std::string, std::string> split_line(std::string_view rest) {
    const auto nl = rest.find('\n');
    if (nl == std::string_view::npos) return {std::string(rest), {}};
    return {std::string(rest.substr(0, nl)), std::string(rest.substr(nl + 1))};
}

void fuzz_start_form(std::string_view rest) {
    const auto [content_type, body] = split_line(rest);
    web::start_defaults defaults;
    defaults.users = 7;
    defaults.host = "http://default";
    const auto r = web::parse_start_form(content_type, body, defaults);
    if (!r) {
        require(!r.error().message.empty());
        return;
    }
    // Whatever the body says, an accepted request is one the master can run.
    const auto& spec = r->spec;
    require(spec.users >= 0 && spec.users <= 100'000'000);
    require(spec.spawn_rate > 0 && spec.spawn_rate <= 1e308);
    require(spec.host_override.starts_with("http://") ||
            spec.host_override.starts_with("https://"));
    if (r->run_time) require(r->run_time->count() > 0);
}

void fuzz_form_value(std::string_view rest) {
    const auto [key, encoded] = split_line(rest);
    const auto value = web::form_value(encoded, key);
    // Percent-decoding only shrinks.
    if (value) require(value->size() <= encoded.size());
}

const web::basic_auth& configured() {
    static const web::basic_auth auth = [] {
        auto a = web::basic_auth::from_pair("admin:s3cret:with colon");
        if (!a) std::abort();
        return *a;
    }();
    return auth;
}

void fuzz_header(std::string_view header) {
    // Exactly one credential passes: "Basic" in any case, one or more spaces, then it.
    constexpr std::string_view credentials = "YWRtaW46czNjcmV0OndpdGggY29sb24=";
    bool expected = false;
    if (header.size() > 5) {
        std::string scheme(header.substr(0, 5));
        for (char& c : scheme) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
        std::string_view rest = header.substr(5);
        const auto spaces = rest.find_first_not_of(' ');
        expected = scheme == "basic" && spaces != std::string_view::npos && spaces > 0 &&
                   rest.substr(spaces) == credentials;
    }
    require(configured().check(header) == expected);
}

void fuzz_pair(std::string_view rest) {
    const std::string pair(rest);
    const auto auth = web::basic_auth::from_pair(pair);
    if (!auth) {
        require(!auth.error().message.empty());
        return;
    }
    const std::string encoded = web::base64_encode(pair);
    require(encoded.size() == (pair.size() + 2) / 3 * 4);
    require(auth->check("Basic " + encoded));
    require(!auth->check("Basic " + encoded + "="));
    require(!auth->check(encoded));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0 || size > 64 * 1024) return 0;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 4) {
        case 0:
            fuzz_start_form(rest);
            break;
        case 1:
            fuzz_form_value(rest);
            break;
        case 2:
            fuzz_header(rest);
            break;
        default:
            fuzz_pair(rest);
            break;
    }
    return 0;
}
