#include "worker/http/response_parser.hpp"

#include <boost/beast/http/rfc7230.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

namespace swarm::worker::http {

namespace {

using error = boost::beast::http::error;
using error_code = boost::system::error_code;

// RFC 7230 tchar.
constexpr std::array<bool, 256> token_chars = [] {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
    for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = true;
    for (const char c : std::string_view("!#$%&'*+-.^_`|~"))
        t[static_cast<unsigned char>(c)] = true;
    return t;
}();

bool is_token(char c) {
    return token_chars[static_cast<unsigned char>(c)];
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_space(char c) {
    return c == ' ' || c == '\t';
}
// Not allowed in a field value or reason phrase: controls other than HTAB, and DEL.
bool is_control(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\t') || u == 0x7f;
}

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// A decimal without sign; false on overflow.
bool parse_decimal(std::string_view s, std::uint64_t& out) {
    if (s.empty()) return false;
    std::uint64_t v = 0;
    for (const char c : s) {
        if (!is_digit(c)) return false;
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    out = v;
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Validates the status line's prefix received so far, so that garbage fails
// as soon as it arrives (as with Beast), not when the connection closes.
void check_status_prefix(std::string_view s, error_code& ec) {
    static constexpr std::string_view http = "HTTP/";
    for (std::size_t i = 0; i < s.size() && i < 13; ++i) {
        const char c = s[i];
        bool ok = true;
        if (i < 5)
            ok = c == http[i];
        else if (i == 5 || i == 7)
            ok = is_digit(c);
        else if (i == 6)
            ok = c == '.';
        else if (i == 8) {
            const int version = (s[5] - '0') * 10 + (s[7] - '0');
            if (version < 10 || version > 11 || c != ' ') {
                ec = error::bad_version;
                return;
            }
        } else if (i < 12) {
            if (!is_digit(c)) {
                ec = error::bad_status;
                return;
            }
        } else if (c != ' ') {
            ec = error::bad_status;
            return;
        }
        if (!ok) {
            ec = error::bad_version;
            return;
        }
    }
}

// The first byte in [p, end) that may not appear in a field value or a
// reason phrase (a control other than HTAB, or DEL; CR ends a line), or end.
// Eight bytes at a time: a header line is mostly plain text.
const char* find_control(const char* p, const char* end) {
    constexpr std::uint64_t ones = 0x0101010101010101, highs = 0x8080808080808080;
    for (;;) {
        while (end - p >= 8) {
            std::uint64_t x;
            std::memcpy(&x, p, 8);
            const std::uint64_t del = x ^ (ones * 0x7f);
            // Any byte < 0x20, any byte == 0x7f (exact as to whether one exists).
            if ((((x - ones * 0x20) & ~x) | ((del - ones) & ~del)) & highs) break;
            p += 8;
        }
        const char* const stop = std::min(p + 8, end);
        for (; p < stop; ++p) {
            if (is_control(*p)) return p;
        }
        if (p == end) return end;
    }
}

// The end of the line starting at p (just past its CRLF), nullptr when no CR
// is in [p, end) yet; a CR not followed by LF is bad_line_ending, and
// `bad_char` is set when a control character comes before the CR.
const char* line_end(const char* p, const char* end, bool& bad_char, error_code& ec) {
    bad_char = false;
    p = find_control(p, end);
    if (p == end) return nullptr;
    if (*p != '\r') {
        bad_char = true;
        return p;
    }
    if (p + 1 >= end) return nullptr;
    if (p[1] != '\n') {
        ec = error::bad_line_ending;
        return nullptr;
    }
    return p + 2;
}

// Just past the first CRLF CRLF in [p, end), or nullptr.
const char* find_blank_line(const char* p, const char* end) {
    while (end - p >= 4) {
        p = static_cast<const char*>(std::memchr(p, '\r', static_cast<std::size_t>(end - p - 3)));
        if (!p) return nullptr;
        if (p[1] == '\n' && p[2] == '\r' && p[3] == '\n') return p + 4;
        ++p;
    }
    return nullptr;
}

// chunk-ext in [p, end) exactly: *( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] )
bool valid_chunk_extensions(const char* p, const char* end) {
    while (p < end) {
        while (p < end && is_space(*p)) ++p;
        if (p == end || *p++ != ';') return false;
        while (p < end && is_space(*p)) ++p;
        if (p == end || !is_token(*p)) return false;
        while (p < end && is_token(*p)) ++p;
        const char* after_name = p;
        while (p < end && is_space(*p)) ++p;
        if (p == end) return after_name == end;  // trailing BWS after a bare name is not allowed
        if (*p == ';') continue;
        if (*p != '=') return false;
        ++p;
        while (p < end && is_space(*p)) ++p;
        if (p == end) return false;
        if (*p == '"') {
            for (++p;; ++p) {
                if (p == end) return false;
                if (*p == '"') break;
                if (*p == '\\' && ++p == end) return false;
            }
            ++p;
        } else {
            if (!is_token(*p)) return false;
            while (p < end && is_token(*p)) ++p;
        }
    }
    return true;
}

// Beast's limit on a field value joined from obs-fold continuation lines.
constexpr std::size_t max_obs_fold = 4096;

}  // namespace

bool response_parser::keep_alive() const {
    if (http11_ ? close_ : !keep_alive_) return false;
    return !need_eof_;
}

std::size_t response_parser::put(std::string_view data, error_code& ec) {
    ec = {};
    std::size_t used = 0;
    for (;;) {
        const std::string_view rest = data.substr(used);
        std::size_t n = 0;
        switch (state_) {
            case state::nothing_yet:
                if (rest.empty()) {
                    ec = error::need_more;
                    return used;
                }
                state_ = state::header;
                continue;
            case state::header:
                n = parse_header(rest, ec);
                break;
            case state::body:
            case state::body_to_eof:
            case state::chunk_data:
                n = take_body(rest, ec);
                break;
            case state::chunk_line:
                n = parse_chunk_line(rest, ec);
                break;
            case state::trailer:
                n = parse_trailer(rest, ec);
                break;
            case state::done:
                return used;
        }
        used += n;
        if (ec) return used;
    }
}

void response_parser::put_eof(error_code& ec) {
    ec = {};
    if (state_ == state::done) return;
    if (state_ == state::body_to_eof) {
        state_ = state::done;
        return;
    }
    ec = error::partial_message;
}

std::size_t response_parser::take_body(std::string_view data, error_code& ec) {
    if (data.empty()) {
        ec = error::need_more;
        return 0;
    }
    if (state_ == state::body_to_eof) {
        if (data.size() > body_left_) {
            ec = error::body_limit;
            return 0;
        }
        body_left_ -= data.size();
        out_.body.append(data);
        ec = error::need_more;  // until the server closes
        return data.size();
    }
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(length_, data.size()));
    out_.body.append(data.data(), n);
    length_ -= n;
    if (length_ == 0) state_ = state_ == state::body ? state::done : state::chunk_line;
    return n;
}

std::size_t response_parser::parse_header(std::string_view data, error_code& ec) {
    const std::size_t window = std::min<std::size_t>(data.size(), header_limit_);
    const char* end = data.data() + window;
    if (waiting_) {
        // An earlier try ran out of bytes: parse again only once the blank
        // line is here, so a slow drip costs one scan of each byte.
        const std::size_t from = scanned_ > 3 ? scanned_ - 3 : 0;
        end = find_blank_line(data.data() + from, end);
        if (!end) {
            scanned_ = window;
            ec = data.size() >= header_limit_ ? error::header_limit : error::need_more;
            return 0;
        }
    }
    const char* const fields = parse_start_line(data.data(), end, ec);
    const char* const body = ec ? nullptr : parse_fields(fields, end, ec);
    if (ec == error::need_more) {
        // Undo what this try kept; the next one starts over.
        out_.headers.clear();
        close_ = keep_alive_ = has_length_ = chunked_ = false;
        length_ = 0;
        waiting_ = true;
        scanned_ = window;
        if (data.size() >= header_limit_) ec = error::header_limit;
        return 0;
    }
    if (ec) return 0;
    finish_header(ec);
    return static_cast<std::size_t>(body - data.data());
}

const char* response_parser::parse_start_line(const char* p, const char* end, error_code& ec) {
    // HTTP/d.d SP ddd SP reason CRLF; a prefix is checked as far as it goes,
    // so garbage fails as soon as it arrives (as with Beast).
    constexpr std::size_t fixed = 13;
    check_status_prefix({p, std::min<std::size_t>(static_cast<std::size_t>(end - p), fixed)}, ec);
    if (ec) return p;
    if (static_cast<std::size_t>(end - p) < fixed) {
        ec = error::need_more;
        return p;
    }
    bool bad_char = false;
    const char* next = line_end(p + fixed, end, bad_char, ec);
    if (ec) return p;
    if (bad_char) {
        ec = error::bad_reason;
        return p;
    }
    if (!next) {
        ec = error::need_more;
        return p;
    }
    http11_ = p[7] == '1';
    out_.status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    return next;
}

const char* response_parser::parse_fields(const char* p, const char* end, error_code& ec) {
    std::string folded;  // a value joined from obs-fold lines (rare)
    for (;;) {
        if (end - p < 2) {
            ec = error::need_more;
            return p;
        }
        if (*p == '\r') {
            if (p[1] != '\n') ec = error::bad_line_ending;
            return p + 2;
        }
        const char* const name_begin = p;
        for (; p < end && *p != ':'; ++p) {
            if (!is_token(*p)) {
                ec = error::bad_field;
                return p;
            }
        }
        if (p == end) {
            ec = error::need_more;
            return p;
        }
        if (p == name_begin) {
            ec = error::bad_field;
            return p;
        }
        const std::string_view name(name_begin, static_cast<std::size_t>(p - name_begin));
        ++p;
        std::string_view value;
        bool folding = false;
        for (;;) {
            while (p < end && is_space(*p)) ++p;
            const char* const first = p;
            bool bad_char = false;
            const char* const next = line_end(p, end, bad_char, ec);
            if (ec) return p;
            if (bad_char) {
                ec = error::bad_value;
                return p;
            }
            if (!next || next >= end) {  // looks one past the CRLF for obs-fold
                ec = error::need_more;
                return p;
            }
            const std::string_view segment =
                trim({first, static_cast<std::size_t>(next - 2 - first)});
            const bool fold = is_space(*next);
            p = fold ? next + 1 : next;
            if (!folding) {
                if (!fold) {
                    value = segment;
                    break;
                }
                if (segment.empty()) continue;  // leading empty lines add nothing
                folding = true;
                folded.assign(segment);
            } else if (!segment.empty()) {
                folded += ' ';
                folded += segment;
            }
            if (folded.size() > max_obs_fold) {
                ec = error::header_limit;
                return p;
            }
            if (!fold) {
                value = folded;
                break;
            }
        }
        on_field(name, value, ec);
        if (ec) return p;
    }
}

void response_parser::on_field(std::string_view name, std::string_view value, error_code& ec) {
    // Beast's own list parsers keep its verdicts on odd lists ("chunked\xff"
    // counts as chunked, as it did).
    namespace bhttp = boost::beast::http;
    const boost::beast::string_view list(value.data(), value.size());
    // Most fields are none of the four: their length says so.
    const std::size_t n = name.size();
    if (n != 10 && n != 14 && n != 16 && n != 17) {
        out_.headers.emplace_back(std::string(name), std::string(value));
        return;
    }
    if (iequals(name, "Content-Length")) {
        if (chunked_) {
            ec = error::bad_content_length;
            return;
        }
        std::uint64_t v = 0;
        if (parse_decimal(value, v)) {  // the usual single number
            if (has_length_ && v != length_) {
                ec = error::multiple_content_length;
                return;
            }
        } else {  // a list, as Beast reads it: equal numbers, no empty element
            const auto tokens = bhttp::opt_token_list(list);
            if (tokens.begin() == tokens.end() || !bhttp::validate_list(tokens)) {
                ec = error::bad_content_length;
                return;
            }
            auto unprocessed = 1 + std::count(value.begin(), value.end(), ',');
            bool known = has_length_;
            v = length_;
            for (const auto token : tokens) {
                std::uint64_t t = 0;
                if (!parse_decimal({token.data(), token.size()}, t)) {
                    ec = error::bad_content_length;
                    return;
                }
                --unprocessed;
                if (known && t != v) {
                    ec = error::multiple_content_length;
                    return;
                }
                known = true;
                v = t;
            }
            if (unprocessed != 0) {
                ec = error::bad_content_length;
                return;
            }
        }
        has_length_ = true;
        length_ = v;
    } else if (iequals(name, "Transfer-Encoding")) {
        if (chunked_ || has_length_) {
            ec = error::bad_transfer_encoding;
            return;
        }
        // Chunked only when it is the last coding.
        const auto codings = bhttp::token_list(list);
        const auto it = std::find_if(codings.begin(), codings.end(), [](const auto& c) {
            return iequals({c.data(), c.size()}, "chunked");
        });
        chunked_ = it != codings.end() && std::next(it) == codings.end();
    } else if (iequals(name, "Connection") || iequals(name, "Proxy-Connection")) {
        const auto tokens = bhttp::opt_token_list(list);
        if (!bhttp::validate_list(tokens)) {
            ec = error::bad_value;
            return;
        }
        for (const auto token : tokens) {
            const std::string_view t(token.data(), token.size());
            if (iequals(t, "close")) close_ = true;
            if (iequals(t, "keep-alive")) keep_alive_ = true;
        }
    }
    out_.headers.emplace_back(std::string(name), std::string(value));
}

void response_parser::finish_header(error_code& ec) {
    const int status = out_.status;
    if (skip_body_ || status / 100 == 1 || status == 204 || status == 304) {
        state_ = state::done;  // no body, whatever Content-Length says
    } else if (has_length_) {
        if (length_ == 0) {
            state_ = state::done;
        } else if (length_ > body_left_) {
            ec = error::body_limit;
        } else {
            out_.body.reserve(static_cast<std::size_t>(length_));
            state_ = state::body;
        }
    } else if (chunked_) {
        length_ = 0;
        state_ = state::chunk_line;
    } else {
        need_eof_ = true;
        state_ = state::body_to_eof;
    }
}

std::size_t response_parser::parse_chunk_line(std::string_view data, error_code& ec) {
    const char* const begin = data.data();
    const char* const end = begin + data.size();
    const char* p = begin;
    if (chunk_crlf_) {  // the CRLF after the previous chunk's data
        if (end - p < 2) {
            ec = error::need_more;
            return 0;
        }
        if (p[0] != '\r' || p[1] != '\n') {
            ec = error::bad_chunk;
            return 0;
        }
        p += 2;
    }
    const std::size_t window =
        std::min<std::size_t>(static_cast<std::size_t>(end - p), header_limit_);
    const char* const cr = static_cast<const char*>(::memchr(p, '\r', window));
    if (!cr || cr + 1 == end) {
        ec = static_cast<std::size_t>(end - p) >= header_limit_ ? error::header_limit
                                                                : error::need_more;
        return 0;
    }
    if (cr[1] != '\n') {
        ec = error::bad_line_ending;
        return 0;
    }
    std::uint64_t size = 0;
    if (hex_value(*p) < 0) {
        ec = error::bad_chunk;
        return 0;
    }
    for (int d; (d = hex_value(*p)) >= 0; ++p) {
        if (size > (UINT64_MAX >> 4)) {
            ec = error::bad_chunk;
            return 0;
        }
        size = size * 16 + static_cast<std::uint64_t>(d);
    }
    if (size != 0) {
        if (size > body_left_) {
            ec = error::body_limit;
            return 0;
        }
        body_left_ -= size;
    }
    if (!valid_chunk_extensions(p, cr)) {
        ec = error::bad_chunk_extension;
        return 0;
    }
    chunk_crlf_ = size != 0;
    length_ = size;
    state_ = size != 0 ? state::chunk_data : state::trailer;
    return static_cast<std::size_t>(cr + 2 - begin);
}

std::size_t response_parser::parse_trailer(std::string_view data, error_code& ec) {
    if (data.size() < 2) {
        ec = error::need_more;
        return 0;
    }
    if (data[0] == '\r' && data[1] == '\n') {
        state_ = state::done;
        return 2;
    }
    const std::size_t window = std::min<std::size_t>(data.size(), header_limit_);
    const char* const end = find_blank_line(data.data(), data.data() + window);
    if (!end) {
        ec = data.size() >= header_limit_ ? error::header_limit : error::need_more;
        return 0;
    }
    parse_fields(data.data(), end, ec);
    if (ec) return 0;
    state_ = state::done;
    return static_cast<std::size_t>(end - data.data());
}

}  // namespace swarm::worker::http
