// The builtin functions. Arguments are evaluated left to right; integer
// arguments that are not integer-like count as 0; every size is clamped, so
// no argument can make a function throw or allocate without bound.

#include "common/template/functions.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>

#include "common/template/encoding.hpp"
#include "common/template/evaluate.hpp"

namespace swarm::tmpl {

namespace {

constexpr function_info function_table[] = {
    {"random", function_id::random, 1, true},
    {"next", function_id::next, 1, true},
    {"rand_int", function_id::rand_int, 2, false},
    {"rand_str", function_id::rand_str, 1, false},
    {"uuid", function_id::uuid, 0, false},
    {"now_ms", function_id::now_ms, 0, false},
    {"len", function_id::len, 1, false},
    {"prefix", function_id::prefix, 2, false},
    {"substr", function_id::substr, 3, false},
    {"urlencode", function_id::urlencode, 1, false},
    {"env", function_id::env, 1, false},
    {"int", function_id::to_int, 1, false},
    {"float", function_id::to_float, 1, false},
    {"str", function_id::to_str, 1, false},
    {"json", function_id::parse_json, 1, false},
    {"random_choice", function_id::random_choice, 1, false},
    {"unique", function_id::unique, 1, true},
    {"base64", function_id::base64, 1, false},
    {"base64url", function_id::base64url, 1, false},
    {"base64_decode", function_id::base64_decode, 1, false},
    {"base64url_decode", function_id::base64url_decode, 1, false},
    {"sha256", function_id::sha256, 1, false},
    {"hmac_sha256", function_id::hmac_sha256, 2, false},
    {"hmac_sha256_base64", function_id::hmac_sha256_base64, 2, false},
    {"upper", function_id::upper, 1, false},
    {"lower", function_id::lower, 1, false},
    {"now_iso", function_id::now_iso, 0, false},
};

// rand_str(n) is capped so a scenario cannot ask a user for gigabytes.
constexpr std::int64_t max_rand_str = std::int64_t{1} << 20;

std::int64_t integer_argument(const node& call, std::size_t i, environment& env) {
    value scratch;
    return integer_or_zero(evaluate_ref(call.args_[i], env, scratch));
}

// The byte count that fits between 0 and `limit`.
std::size_t clamp_count(std::int64_t n, std::size_t limit) {
    if (n <= 0) return 0;
    return static_cast<std::uint64_t>(n) < limit ? static_cast<std::size_t>(n) : limit;
}

void append_rand_str(std::string& out, std::int64_t requested, std::mt19937_64& rng) {
    static constexpr std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::size_t n = clamp_count(requested, max_rand_str);
    out.reserve(out.size() + n);
    // Ten 6-bit draws per 64-bit number; values 62 and 63 are rejected so
    // every character is equally likely.
    while (n > 0) {
        std::uint64_t bits = rng();
        for (int i = 0; i < 10 && n > 0; ++i, bits >>= 6) {
            auto index = static_cast<std::size_t>(bits & 63);
            if (index >= alphabet.size()) continue;
            out += alphabet[index];
            --n;
        }
    }
}

void append_uuid(std::string& out, std::mt19937_64& rng) {
    std::array<unsigned char, 16> bytes{};
    std::uint64_t halves[2] = {rng(), rng()};
    for (std::size_t i = 0; i < 16; ++i) {
        bytes[i] = static_cast<unsigned char>(halves[i / 8] >> (8 * (i % 8)));
    }
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
    static constexpr char hex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += hex[bytes[i] >> 4];
        out += hex[bytes[i] & 15];
    }
}

void append_urlencoded(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    for (char c : text) {
        bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += c;
            continue;
        }
        auto byte = static_cast<unsigned char>(c);
        out += '%';
        out += hex[byte >> 4];
        out += hex[byte & 15];
    }
}

// prefix(s, n) and substr(s, a, b): byte positions, clamped to the text.
void append_slice(std::string& out, std::string_view text, std::int64_t start,
                  std::int64_t length) {
    std::size_t from = clamp_count(start, text.size());
    std::size_t count = clamp_count(length, text.size() - from);
    out.append(text.substr(from, count));
}

// ASCII letters only: a multi-byte UTF-8 sequence passes through unchanged.
void append_case(std::string& out, std::string_view text, bool to_upper) {
    out.reserve(out.size() + text.size());
    for (char c : text) {
        if (to_upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (!to_upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        out += c;
    }
}

// RFC 3339 in UTC with milliseconds: 2026-12-07T12:49:32.123Z.
void append_now_iso(std::string& out) {
    using std::chrono::duration_cast;
    using std::chrono::milliseconds;
    const auto ms =
        duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const auto seconds = static_cast<std::time_t>(ms / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[40];
    const int n = std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                                utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                                utc.tm_min, utc.tm_sec, static_cast<int>(ms % 1000));
    if (n > 0) out.append(text, std::min(static_cast<std::size_t>(n), sizeof text - 1));
}

// Text that is not base64 decodes to nothing (the empty text): functions
// never fail, and a check on the result tells the user.
void append_decoded(std::string& out, std::string_view text, base64_alphabet alphabet) {
    if (auto bytes = decode_base64(text, alphabet)) out += *bytes;
}

// float(x): numbers as floats, booleans 0.0/1.0, a text that is exactly a
// finite decimal number ("1.5", "-2e3"); nothing else converts.
value to_float(const value& x) {
    if (const auto* d = std::get_if<double>(&x)) return *d;
    if (const auto* n = std::get_if<std::int64_t>(&x)) return static_cast<double>(*n);
    if (const auto* b = std::get_if<bool>(&x)) return *b ? 1.0 : 0.0;
    const auto* s = std::get_if<std::string>(&x);
    if (!s || s->empty()) return {};
    double d = 0;
    const char* end = s->data() + s->size();
    auto [ptr, ec] = std::from_chars(s->data(), end, d);
    if (ec != std::errc{} || ptr != end || !std::isfinite(d)) return {};
    return d;
}

// int(x): integers as they are, booleans 0/1, floats and float texts
// truncated toward zero when in range ("12.7" is 12); nothing else converts.
value to_int(const value& x) {
    if (auto n = integer_of(x)) return *n;
    if (const auto* b = std::get_if<bool>(&x)) return std::int64_t{*b ? 1 : 0};
    const auto f = to_float(x);
    const auto* d = std::get_if<double>(&f);
    // 2^63 as a double: the first value past int64's range.
    constexpr double limit = 9223372036854775808.0;
    if (!d || !(*d > -limit - 1) || !(*d < limit)) return {};  // also NaN
    return static_cast<std::int64_t>(std::trunc(*d));
}

value parse_json_text(const value& x) {
    const auto* s = std::get_if<std::string>(&x);
    if (!s) return x;  // already typed
    boost::system::error_code ec;
    // Boost.JSON's default depth limit (32) bounds what a hostile text builds.
    boost::json::value parsed = boost::json::parse(*s, ec);
    if (ec) return {};
    return from_json(parsed);
}

value choose(const value& list, environment& env) {
    const boost::json::array* items = as_list(list);
    if (!items || items->empty()) return {};
    std::uniform_int_distribution<std::size_t> index(0, items->size() - 1);
    return from_json((*items)[index(env.rng())]);
}

std::int64_t length(const value& x) {
    if (const auto* list = as_list(x)) return static_cast<std::int64_t>(list->size());
    if (const auto* j = std::get_if<json_ptr>(&x); j && *j && (*j)->is_object()) {
        return static_cast<std::int64_t>((*j)->get_object().size());
    }
    text_scratch text;
    return static_cast<std::int64_t>(text_of(x, text).size());
}

const value& pick(const node& call, std::size_t index, value& scratch) {
    const auto& items = call.data_->items;
    if (items.empty() || index == environment::no_item) {
        scratch = value();
        return scratch;
    }
    return items[index % items.size()];
}

}  // namespace

value convert(function_id fn, const value& x) {
    switch (fn) {
        case function_id::to_int:
            return to_int(x);
        case function_id::to_float:
            return to_float(x);
        case function_id::parse_json:
            return parse_json_text(x);
        default:
            return to_string(x);
    }
}

std::span<const function_info> all_functions() {
    return function_table;
}

const function_info* find_function(std::string_view name) {
    for (const auto& f : function_table) {
        if (f.name_ == name) return &f;
    }
    return nullptr;
}

bool append_function(const node& call, environment& env, std::string& out) {
    value scratch;
    text_scratch text;
    switch (call.fn_) {
        case function_id::rand_str:
            append_rand_str(out, integer_argument(call, 0, env), env.rng());
            return true;
        case function_id::uuid:
            append_uuid(out, env.rng());
            return true;
        case function_id::prefix: {
            std::string_view s = text_of(evaluate_ref(call.args_[0], env, scratch), text);
            append_slice(out, s, 0, integer_argument(call, 1, env));
            return true;
        }
        case function_id::substr: {
            std::string_view s = text_of(evaluate_ref(call.args_[0], env, scratch), text);
            std::int64_t start = integer_argument(call, 1, env);
            append_slice(out, s, start, integer_argument(call, 2, env));
            return true;
        }
        case function_id::urlencode:
            append_urlencoded(out, text_of(evaluate_ref(call.args_[0], env, scratch), text));
            return true;
        case function_id::base64:
        case function_id::base64url:
            append_base64(
                out, text_of(evaluate_ref(call.args_[0], env, scratch), text),
                call.fn_ == function_id::base64 ? base64_alphabet::standard : base64_alphabet::url);
            return true;
        case function_id::base64_decode:
        case function_id::base64url_decode:
            append_decoded(out, text_of(evaluate_ref(call.args_[0], env, scratch), text),
                           call.fn_ == function_id::base64_decode ? base64_alphabet::standard
                                                                  : base64_alphabet::url);
            return true;
        case function_id::sha256:
            out += sha256_hex(text_of(evaluate_ref(call.args_[0], env, scratch), text));
            return true;
        case function_id::hmac_sha256:
        case function_id::hmac_sha256_base64: {
            // The key's text is copied: the message's evaluation may reuse the scratch.
            const std::string key(text_of(evaluate_ref(call.args_[0], env, scratch), text));
            value message_scratch;
            text_scratch message_text;
            const std::string mac = hmac_sha256(
                key, text_of(evaluate_ref(call.args_[1], env, message_scratch), message_text));
            if (call.fn_ == function_id::hmac_sha256) {
                out += to_hex(mac);
            } else {
                append_base64(out, mac, base64_alphabet::standard);
            }
            return true;
        }
        case function_id::upper:
        case function_id::lower:
            append_case(out, text_of(evaluate_ref(call.args_[0], env, scratch), text),
                        call.fn_ == function_id::upper);
            return true;
        case function_id::now_iso:
            append_now_iso(out);
            return true;
        default:
            return false;
    }
}

const value& call_function(const node& call, environment& env, value& scratch) {
    switch (call.fn_) {
        case function_id::random: {
            if (call.data_->items.empty()) return pick(call, 0, scratch);
            std::uniform_int_distribution<std::size_t> index(0, call.data_->items.size() - 1);
            return pick(call, index(env.rng()), scratch);
        }
        case function_id::next:
            return pick(call, env.next_index(*call.data_), scratch);
        case function_id::unique:
            return pick(call, env.unique_index(*call.data_), scratch);
        case function_id::rand_int: {
            std::int64_t a = integer_argument(call, 0, env);
            std::int64_t b = integer_argument(call, 1, env);
            std::uniform_int_distribution<std::int64_t> range(std::min(a, b), std::max(a, b));
            scratch = range(env.rng());
            return scratch;
        }
        case function_id::now_ms: {
            auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
            scratch = static_cast<std::int64_t>(
                std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count());
            return scratch;
        }
        case function_id::len: {
            value arg;
            scratch = length(evaluate_ref(call.args_[0], env, arg));
            return scratch;
        }
        case function_id::to_int:
        case function_id::to_float:
        case function_id::to_str:
        case function_id::parse_json: {
            value arg;
            scratch = convert(call.fn_, evaluate_ref(call.args_[0], env, arg));
            return scratch;
        }
        case function_id::random_choice: {
            value arg;
            scratch = choose(evaluate_ref(call.args_[0], env, arg), env);
            return scratch;
        }
        default: {
            std::string out;
            append_function(call, env, out);
            scratch = std::move(out);
            return scratch;
        }
    }
}

}  // namespace swarm::tmpl
