#include "target/h2_session.hpp"

#include "target/wire.hpp"

#include <nghttp2/nghttp2.h>
#include <sys/types.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <utility>
#include <vector>

namespace swarm::target {

// One request stream: what was received, and the answer while it is sent.
struct h2_session::stream {
    std::int32_t id = 0;
    std::string method;     // :method
    std::string target;     // :path, e.g. "/search?search=ab"
    std::string authority;  // :authority, offered to the routes as "host"
    std::vector<std::pair<std::string, std::string>> headers;  // regular fields, in order
    std::size_t header_bytes = 0;  // as SETTINGS_MAX_HEADER_LIST_SIZE counts them
    std::string body;              // at most site::body_limit
    bool headers_too_large = false;
    bool answered = false;   // dispatched or rejected: later DATA is dropped
    bool waiting = false;    // in delayed_, not counted yet
    bool malformed = false;  // nghttp2 found it malformed and reset it (counted once)
    response res;
    std::uint64_t body_sent = 0;  // bytes of res's body handed to nghttp2
};

namespace {

constexpr std::int32_t initial_window = 256 * 1024;  // per stream: a 1 MiB upload in 4 windows

std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find('?'));
}

std::string_view as_view(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

nghttp2_nv field(std::string_view name, std::string_view value) {
    // nghttp2 copies both (NGHTTP2_NV_FLAG_NONE); its struct is not const-correct.
    return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
            reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
            value.size(), NGHTTP2_NV_FLAG_NONE};
}

bool is_bodyless(int status) {
    return status < 200 || status == 204 || status == 304;
}

// Copies up to `length` body bytes of `res` from `offset` into `out`.
std::size_t copy_body(const response& res, std::uint64_t offset, std::uint8_t* out,
                      std::size_t length) {
    const auto n = static_cast<std::size_t>(
        std::min<std::uint64_t>(length, res.body_size() - std::min(offset, res.body_size())));
    if (res.filler_bytes == 0) {
        std::copy_n(res.body_view().data() + offset, n, out);
        return n;
    }
    // The same bytes HTTP/1.1 sends: the pattern chunk, restarted every chunk.
    const std::string& pattern = filler_pattern();
    for (std::size_t done = 0; done < n;) {
        const std::size_t at = (offset + done) % pattern.size();
        const std::size_t piece = std::min(n - done, pattern.size() - at);
        std::copy_n(pattern.data() + at, piece, out + done);
        done += piece;
    }
    return n;
}

// The lines of response::headers ("Name: value\r\n"...) as lower-case fields.
// HTTP/2 field names must be lower case; `names` owns the lowered copies.
void add_extra_headers(const std::string& lines, std::vector<std::string>& names,
                       std::vector<std::pair<std::size_t, std::string_view>>& fields) {
    std::string_view rest = lines;
    while (!rest.empty()) {
        const auto end = rest.find("\r\n");
        const std::string_view line = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 2);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string name(line.substr(0, colon));
        std::transform(name.begin(), name.end(), name.begin(),
                       [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        names.push_back(std::move(name));
        fields.emplace_back(names.size() - 1, value);
    }
}

}  // namespace

// nghttp2's C callbacks: each finds its session in user_data and never lets
// an exception cross the C library (a failure resets the connection instead).
struct h2_callbacks {
    static h2_session& self(void* user_data) { return *static_cast<h2_session*>(user_data); }

    template <class F>
    static int guarded(F&& f) {
        try {
            return f();
        } catch (...) {
            return NGHTTP2_ERR_CALLBACK_FAILURE;
        }
    }

    static bool is_request_headers(const nghttp2_frame* frame) {
        return frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST;
    }

    static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
        if (!is_request_headers(frame)) return 0;
        return guarded([&] {
            auto st = std::make_unique<h2_session::stream>();
            st->id = frame->hd.stream_id;
            self(user_data).streams_[st->id] = std::move(st);
            return 0;
        });
    }

    static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                         std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                         std::uint8_t /*flags*/, void* user_data) {
        if (!is_request_headers(frame)) return 0;  // trailers are accepted and ignored
        auto* st = self(user_data).find(frame->hd.stream_id);
        if (!st || st->headers_too_large) return 0;
        // RFC 9113's measure (name + value + 32 per field), as the limit is advertised.
        st->header_bytes += namelen + valuelen + 32;
        if (st->header_bytes > site::header_limit) {
            // Keep decoding (HPACK state must follow) but store nothing more.
            st->headers_too_large = true;
            st->headers.clear();
            st->headers.shrink_to_fit();
            return 0;
        }
        return guarded([&] {
            const auto n = as_view(name, namelen);
            const auto v = as_view(value, valuelen);
            if (n == ":method") {
                st->method = v;
            } else if (n == ":path") {
                st->target = v;
            } else if (n == ":authority") {
                st->authority = v;
            } else if (!n.starts_with(':')) {
                st->headers.emplace_back(n, v);
            }
            return 0;
        });
    }

    static int on_data_chunk(nghttp2_session*, std::uint8_t /*flags*/, std::int32_t stream_id,
                             const std::uint8_t* data, std::size_t len, void* user_data) {
        auto& s = self(user_data);
        auto* st = s.find(stream_id);
        if (!st || st->answered) return 0;
        return guarded([&] {
            if (st->body.size() + len > site::body_limit) {
                s.reject(*st, 413);
            } else {
                st->body.append(as_view(data, len));
            }
            return 0;
        });
    }

    static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
        const auto type = frame->hd.type;
        if (type != NGHTTP2_HEADERS && type != NGHTTP2_DATA) return 0;
        auto& s = self(user_data);
        auto* st = s.find(frame->hd.stream_id);
        if (!st || st->answered) return 0;
        return guarded([&] {
            if (is_request_headers(frame) && st->headers_too_large) {
                s.reject(*st, 431);  // at once: its body, if any, is not waited for
            } else if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
                s.dispatch(*st);
            }
            return 0;
        });
    }

    static int on_invalid_frame(nghttp2_session*, const nghttp2_frame* frame, int /*error*/,
                                void* user_data) {
        auto& s = self(user_data);
        auto* st = frame->hd.type == NGHTTP2_HEADERS ? s.find(frame->hd.stream_id) : nullptr;
        if (st && !st->malformed && !st->answered) {
            // nghttp2 resets the stream (PROTOCOL_ERROR); count it as HTTP/1.1 counts a
            // request it cannot parse.
            st->malformed = true;
            st->answered = true;
            s.counters_.record_malformed();
        }
        return 0;
    }

    static int on_stream_close(nghttp2_session*, std::int32_t stream_id,
                               std::uint32_t /*error_code*/, void* user_data) {
        return guarded([&] {
            self(user_data).close_stream(stream_id);
            return 0;
        });
    }

    static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
        if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR) {
            self(user_data).protocol_error();
        }
        return 0;
    }

    static ssize_t read_body(nghttp2_session*, std::int32_t /*stream_id*/, std::uint8_t* buf,
                             std::size_t length, std::uint32_t* data_flags,
                             nghttp2_data_source* source, void* /*user_data*/) {
        auto& st = *static_cast<h2_session::stream*>(source->ptr);
        const std::size_t n = copy_body(st.res, st.body_sent, buf, length);
        st.body_sent += n;
        if (st.body_sent >= st.res.body_size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
        return static_cast<ssize_t>(n);
    }
};

namespace {

// The callbacks every session uses, made once.
const nghttp2_session_callbacks* callbacks() {
    static const std::unique_ptr<nghttp2_session_callbacks, void (*)(nghttp2_session_callbacks*)>
        made = [] {
            nghttp2_session_callbacks* cbs = nullptr;
            if (nghttp2_session_callbacks_new(&cbs) != 0) throw std::bad_alloc();
            nghttp2_session_callbacks_set_on_begin_headers_callback(cbs,
                                                                    h2_callbacks::on_begin_headers);
            nghttp2_session_callbacks_set_on_header_callback(cbs, h2_callbacks::on_header);
            nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs,
                                                                      h2_callbacks::on_data_chunk);
            nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, h2_callbacks::on_frame_recv);
            nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(
                cbs, h2_callbacks::on_invalid_frame);
            nghttp2_session_callbacks_set_on_stream_close_callback(cbs,
                                                                   h2_callbacks::on_stream_close);
            nghttp2_session_callbacks_set_on_frame_send_callback(cbs, h2_callbacks::on_frame_send);
            return std::unique_ptr<nghttp2_session_callbacks, void (*)(nghttp2_session_callbacks*)>(
                cbs, nghttp2_session_callbacks_del);
        }();
    return made.get();
}

}  // namespace

h2_session::h2_session(site& s, thread_counters& counters) : site_(s), counters_(counters) {
    if (nghttp2_session_server_new(&session_, callbacks(), this) != 0) {
        throw std::runtime_error("cannot create an HTTP/2 session");
    }
    const std::array<nghttp2_settings_entry, 3> settings{{
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, max_streams},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<std::uint32_t>(site::header_limit)},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<std::uint32_t>(initial_window)},
    }};
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
    counters_.record_h2_connection();
}

h2_session::~h2_session() {
    for (const auto& [id, st] : streams_) {
        if (st->waiting) count(*st);
    }
    nghttp2_session_del(session_);
}

bool h2_session::receive(std::string_view bytes) {
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
    const auto used = nghttp2_session_mem_recv(session_, data, bytes.size());
    if (used < 0) {
        // A bad preface, a flood or a broken callback: no GOAWAY is worth waiting for.
        protocol_error();
        return false;
    }
    return true;
}

bool h2_session::take_output(std::string& out, std::size_t limit) {
    while (out.size() < limit) {
        const std::uint8_t* data = nullptr;
        const auto n = nghttp2_session_mem_send(session_, &data);
        if (n < 0) return false;
        if (n == 0) break;
        out.append(as_view(data, static_cast<std::size_t>(n)));
    }
    return true;
}

bool h2_session::alive() const {
    return nghttp2_session_want_read(session_) != 0 || nghttp2_session_want_write(session_) != 0;
}

bool h2_session::wants_write() const {
    return nghttp2_session_want_write(session_) != 0;
}

std::optional<h2_session::clock::time_point> h2_session::next_due() const {
    if (delayed_.empty()) return std::nullopt;
    return delayed_.begin()->first;
}

std::optional<h2_session::clock::time_point> h2_session::last_due() const {
    if (delayed_.empty()) return std::nullopt;
    return delayed_.rbegin()->first;
}

void h2_session::answer_due(clock::time_point now) {
    while (!delayed_.empty() && delayed_.begin()->first <= now) {
        const std::int32_t id = delayed_.begin()->second;
        delayed_.erase(delayed_.begin());
        auto* st = find(id);
        if (!st || !st->waiting) continue;  // the client reset it: counted when it closed
        st->waiting = false;
        finish(*st);
    }
}

h2_session::stream* h2_session::find(std::int32_t id) {
    const auto it = streams_.find(id);
    return it == streams_.end() ? nullptr : it->second.get();
}

void h2_session::dispatch(stream& st) {
    st.answered = true;
    request& req = scratch_;
    req.method = st.method;
    req.target = st.target;
    const auto q = req.target.find('?');
    req.path = req.target.substr(0, q);
    req.query = q == std::string_view::npos ? std::string_view() : req.target.substr(q + 1);
    req.body = st.body;
    req.headers.clear();
    bool has_host = false;
    for (const auto& [name, value] : st.headers) {
        req.headers.push_back({name, value});
        has_host = has_host || name == "host";
    }
    if (!has_host && !st.authority.empty()) req.headers.push_back({"host", st.authority});
    st.res.reset();
    const arrival_time arrived = arrival_time::now();
    try {
        site_.handle(req, st.res);
    } catch (const std::exception& e) {
        st.res.reset();
        st.res.status = 500;
        st.res.content_type = "text/plain; charset=utf-8";
        st.res.body = std::string("internal error: ") + e.what() + "\n";
    }
    if (st.res.counted) counters_.record_arrival(arrived);
    if (st.res.delay.count() > 0) {
        st.waiting = true;
        delayed_.emplace(clock::now() + st.res.delay, st.id);
        return;
    }
    finish(st);
}

void h2_session::finish(stream& st) {
    count(st);
    submit(st);
}

void h2_session::reject(stream& st, int status) {
    st.answered = true;
    st.body.clear();
    st.body.shrink_to_fit();
    st.res.reset();
    st.res.status = status;
    st.res.content_type = "text/plain; charset=utf-8";
    st.res.body = std::string(reason_phrase(status)) + "\n";
    // As over HTTP/1.1: a body too large is counted for its route, a header
    // list too large (no route known there) as malformed.
    if (status == 431) {
        counters_.record_malformed();
    } else {
        count(st);
    }
    submit(st);
}

void h2_session::count(const stream& st) {
    if (!st.res.counted) return;
    counters_.record(st.method, path_of(st.target), st.res.status, http_protocol::h2);
}

void h2_session::submit(stream& st) {
    const response& res = st.res;
    const bool bodyless = is_bodyless(res.status);
    const std::string status = std::to_string(res.status);
    const std::string length = std::to_string(res.body_size());
    std::vector<std::string> names;
    std::vector<std::pair<std::size_t, std::string_view>> extra;
    add_extra_headers(res.headers, names, extra);
    std::vector<nghttp2_nv> nv;
    nv.reserve(5 + extra.size());
    nv.push_back(field(":status", status));
    nv.push_back(field("server", "swarm-target"));
    nv.push_back(field("date", current_http_date()));
    if (!res.content_type.empty()) nv.push_back(field("content-type", res.content_type));
    if (!bodyless) nv.push_back(field("content-length", length));
    for (const auto& [name, value] : extra) nv.push_back(field(names[name], value));
    if (res.status < 200) {
        // An interim answer alone would leave the client waiting for a final
        // one; HTTP/1.1 closes the connection there, HTTP/2 resets the stream.
        nghttp2_submit_headers(session_, NGHTTP2_FLAG_NONE, st.id, nullptr, nv.data(), nv.size(),
                               nullptr);
        nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, st.id, NGHTTP2_CANCEL);
        return;
    }
    const bool has_body = !bodyless && st.method != "HEAD" && res.body_size() > 0;
    nghttp2_data_provider provider{};
    provider.source.ptr = &st;
    provider.read_callback = h2_callbacks::read_body;
    nghttp2_submit_response(session_, st.id, nv.data(), nv.size(), has_body ? &provider : nullptr);
}

void h2_session::close_stream(std::int32_t id) {
    const auto it = streams_.find(id);
    if (it == streams_.end()) return;
    if (it->second->waiting) count(*it->second);
    streams_.erase(it);
}

void h2_session::protocol_error() {
    if (error_counted_) return;
    error_counted_ = true;
    counters_.record_h2_protocol_error();
}

}  // namespace swarm::target
