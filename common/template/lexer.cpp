#include "common/template/lexer.hpp"

#include <charconv>
#include <cstdio>

namespace swarm::tmpl {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) {
    return is_name_start(c) || is_digit(c);
}

// Error messages quote the offending byte; control and non-ASCII bytes in hex
// so a message never carries raw binary.
std::string describe_byte(char c) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) return std::string("'") + c + "'";
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", byte);
    return std::string("byte ") + hex;
}

struct lexer {
    std::string_view src_;
    std::size_t pos_;
    std::size_t end_;
    lex_result out_;

    void push(token_kind kind, std::size_t start) {
        token t;
        t.kind_ = kind;
        t.offset_ = start;
        t.text_ = src_.substr(start, pos_ - start);
        out_.tokens_.push_back(std::move(t));
    }

    void fail(std::size_t offset, std::string message) {
        out_.error_ = error{offset, std::move(message)};
    }

    void name() {
        std::size_t start = pos_;
        while (pos_ < end_ && is_name_char(src_[pos_])) ++pos_;
        std::string_view word = src_.substr(start, pos_ - start);
        token_kind kind = token_kind::identifier;
        if (word == "true") kind = token_kind::kw_true;
        if (word == "false") kind = token_kind::kw_false;
        if (word == "contains") kind = token_kind::kw_contains;
        push(kind, start);
    }

    bool integer() {
        std::size_t start = pos_;
        while (pos_ < end_ && is_digit(src_[pos_])) ++pos_;
        std::int64_t n = 0;
        auto [ptr, ec] = std::from_chars(src_.data() + start, src_.data() + pos_, n);
        if (ec != std::errc{}) {
            fail(start, "integer literal too large (the limit is 9223372036854775807)");
            return false;
        }
        push(token_kind::integer, start);
        out_.tokens_.back().integer_ = n;
        return true;
    }

    bool string() {
        std::size_t start = pos_;
        char quote = src_[pos_++];
        std::string text;
        while (pos_ < end_ && src_[pos_] != quote) {
            char c = src_[pos_];
            if (c == '\\') {
                if (pos_ + 1 >= end_) {
                    pos_ = end_;
                    break;
                }
                char e = src_[pos_ + 1];
                if (e == 'n') {
                    text += '\n';
                } else if (e == 't') {
                    text += '\t';
                } else if (e == '"' || e == '\'' || e == '\\') {
                    text += e;
                } else {
                    fail(pos_, "unknown escape '\\" + std::string(1, e) +
                                   "' (known: \\\" \\' \\\\ \\n \\t)");
                    return false;
                }
                pos_ += 2;
                continue;
            }
            text += c;
            ++pos_;
        }
        if (pos_ >= end_) {
            fail(start, "unterminated string");
            return false;
        }
        ++pos_;  // closing quote
        push(token_kind::string, start);
        out_.tokens_.back().string_ = std::move(text);
        return true;
    }

    // One- and two-character operators; false on a byte that starts none.
    bool punctuation() {
        std::size_t start = pos_;
        char c = src_[pos_];
        char d = pos_ + 1 < end_ ? src_[pos_ + 1] : '\0';
        auto two = [&](token_kind kind) {
            pos_ += 2;
            push(kind, start);
            return true;
        };
        auto one = [&](token_kind kind) {
            pos_ += 1;
            push(kind, start);
            return true;
        };
        switch (c) {
            case '(':
                return one(token_kind::left_paren);
            case ')':
                return one(token_kind::right_paren);
            case ',':
                return one(token_kind::comma);
            case '.':
                return one(token_kind::dot);
            case '+':
                return one(token_kind::plus);
            case '-':
                return one(token_kind::minus);
            case '!':
                return d == '=' ? two(token_kind::not_equal) : one(token_kind::bang);
            case '<':
                return d == '=' ? two(token_kind::less_equal) : one(token_kind::less);
            case '>':
                return d == '=' ? two(token_kind::greater_equal) : one(token_kind::greater);
            case '=':
                if (d == '=') return two(token_kind::equal);
                fail(start, "unexpected '=' (did you mean '=='?)");
                return false;
            case '&':
                if (d == '&') return two(token_kind::and_and);
                fail(start, "unexpected '&' (did you mean '&&'?)");
                return false;
            case '|':
                if (d == '|') return two(token_kind::or_or);
                fail(start, "unexpected '|' (did you mean '||'?)");
                return false;
            default:
                fail(start, "unexpected " + describe_byte(c) + " in expression");
                return false;
        }
    }

    void run() {
        while (pos_ < end_) {
            char c = src_[pos_];
            bool ok = true;
            if (is_space(c)) {
                ++pos_;
            } else if (is_name_start(c)) {
                name();
            } else if (is_digit(c)) {
                ok = integer();
            } else if (c == '"' || c == '\'') {
                ok = string();
            } else {
                ok = punctuation();
            }
            if (!ok) break;
        }
        token last;
        last.kind_ = token_kind::end;
        last.offset_ = out_.error_ ? out_.error_->offset : end_;
        out_.tokens_.push_back(std::move(last));
    }
};

}  // namespace

lex_result lex(std::string_view source, std::size_t begin, std::size_t end) {
    lexer l{source, begin, end, {}};
    l.run();
    return std::move(l.out_);
}

std::size_t find_close(std::string_view source, std::size_t from) {
    std::size_t i = from;
    while (i < source.size()) {
        char c = source[i];
        if (c == '}' && i + 1 < source.size() && source[i + 1] == '}') return i;
        if (c == '"' || c == '\'') {
            std::size_t j = i + 1;
            while (j < source.size() && source[j] != c) j += source[j] == '\\' ? 2 : 1;
            // An unterminated string: the first raw "}}" ends the segment, so the
            // lexer can report the string rather than a missing "}}".
            if (j >= source.size()) return source.find("}}", from);
            i = j + 1;
            continue;
        }
        ++i;
    }
    return std::string_view::npos;
}

}  // namespace swarm::tmpl
