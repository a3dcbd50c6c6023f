#include "worker/http/h2_session.hpp"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>
#include <new>

#include "worker/http/format.hpp"

namespace swarm::worker::http {
namespace {

// The response side's windows: a stream may send 1 MiB before we must
// acknowledge it, the connection 16 MiB in all. Nothing is buffered here
// beyond what a body keeps (bounded by its limit), so larger windows only
// spare WINDOW_UPDATE frames on large bodies.
constexpr std::int32_t stream_window = 1 << 20;
constexpr std::int32_t connection_window = 16 << 20;
// nghttp2's defaults, written out: what a peer may make us queue or parse.
constexpr std::size_t max_outbound_acks = 1000;   // SETTINGS/PING acks not yet written
constexpr std::size_t max_settings_entries = 32;  // per SETTINGS frame
constexpr std::size_t max_last_error_bytes = 200;

nghttp2_nv field(std::string_view name, std::string_view value) {
    // nghttp2 copies names and values while submit_request runs.
    return nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                      reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
                      value.size(), NGHTTP2_NV_FLAG_NONE};
}

}  // namespace

std::string h2_error_name(std::uint32_t code) {
    // nghttp2 names the codes of RFC 9113 §7 and says "unknown" for others.
    std::string name = nghttp2_http2_strerror(code);
    if (name == "unknown") return "error code " + std::to_string(code);
    return name;
}

// nghttp2's callbacks: each finds the h2_session in user_data and the
// stream in the stream's user data (null for streams the client forgot).
struct h2_session::callbacks {
    static h2_session& self(void* user_data) { return *static_cast<h2_session*>(user_data); }
    static h2_stream* stream_of(nghttp2_session* session, std::int32_t id) {
        return static_cast<h2_stream*>(nghttp2_session_get_stream_user_data(session, id));
    }

    static int on_begin_headers(nghttp2_session* session, const nghttp2_frame* frame, void*) {
        if (auto* s = stream_of(session, frame->hd.stream_id)) {
            s->got_frames = true;
            // A header block after the final status: trailers.
            s->in_trailers = s->message.status >= 200;
        }
        return 0;
    }

    static int on_header(nghttp2_session* session, const nghttp2_frame* frame,
                         const std::uint8_t* name, std::size_t name_len, const std::uint8_t* value,
                         std::size_t value_len, std::uint8_t, void* user_data) {
        h2_stream* s = stream_of(session, frame->hd.stream_id);
        if (!s || s->finished()) return 0;
        // RFC 9113 §6.5.2: each field counts its name, its value and 32.
        s->header_bytes += static_cast<std::uint32_t>(name_len + value_len + 32);
        if (s->header_bytes > self(user_data).max_header_bytes_) {
            // An HPACK bomb (small on the wire, large decoded) ends here.
            s->failed = true;
            s->failure = error{errc::header_too_large};
            return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;  // nghttp2 resets the stream
        }
        const std::string_view key(reinterpret_cast<const char*>(name), name_len);
        const std::string_view text(reinterpret_cast<const char*>(value), value_len);
        if (key == ":status") {
            // nghttp2's messaging checks made it three digits; parsed without trusting that.
            int status = 0;
            for (const char c : text.substr(0, 3)) {
                if (c < '0' || c > '9') return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
                status = status * 10 + (c - '0');
            }
            s->message.status = status;
            return 0;
        }
        if (!key.empty() && key.front() == ':') return 0;
        if (s->in_trailers) return 0;  // not kept, as for HTTP/1.1
        s->message.headers.emplace_back(key, text);
        return 0;
    }

    static int on_data_chunk(nghttp2_session* session, std::uint8_t, std::int32_t id,
                             const std::uint8_t* data, std::size_t len, void*) {
        h2_stream* s = stream_of(session, id);
        if (!s || s->finished()) return 0;
        s->got_frames = true;
        s->message.body_bytes += len;
        if (s->message.body_bytes > s->max_body_bytes) {
            s->failed = true;
            s->failure = error{errc::body_too_large, format_bytes(s->max_body_bytes)};
            nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
            return 0;
        }
        if (!s->message.discard_body) {
            s->message.body.append(reinterpret_cast<const char*>(data), len);
        }
        return 0;
    }

    static int on_frame_recv(nghttp2_session* session, const nghttp2_frame* frame,
                             void* user_data) {
        if (frame->hd.type == NGHTTP2_GOAWAY) {
            auto& me = self(user_data);
            me.goaway_ = true;
            me.goaway_last_stream_ = frame->goaway.last_stream_id;
            me.goaway_code_ = frame->goaway.error_code;
            return 0;
        }
        h2_stream* s = stream_of(session, frame->hd.stream_id);
        if (!s || s->finished()) return 0;
        if (frame->hd.type == NGHTTP2_HEADERS && s->message.status >= 100 &&
            s->message.status < 200) {
            // An interim response (103 Early Hints...): the final one follows.
            s->message.status = 0;
            s->message.headers.clear();
        }
        const bool ends = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
        if (ends && (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA)) {
            if (s->message.status >= 200) {
                s->done = true;
            } else {
                s->failed = true;
                s->failure = error{errc::malformed, "HTTP/2 stream ended without a status"};
            }
        }
        return 0;
    }

    static int on_frame_send(nghttp2_session* session, const nghttp2_frame* frame,
                             void* user_data) {
        if (frame->hd.type == NGHTTP2_RST_STREAM) {
            // Our own reset: nghttp2 found the response broken (a bad field,
            // a wrong content-length), unless a limit above failed it first.
            h2_stream* s = stream_of(session, frame->hd.stream_id);
            if (s && !s->finished()) {
                s->failed = true;
                s->failure =
                    error{errc::malformed, "invalid HTTP/2 response (" +
                                               h2_error_name(frame->rst_stream.error_code) + ")"};
            }
        } else if (frame->hd.type == NGHTTP2_GOAWAY &&
                   frame->goaway.error_code != NGHTTP2_NO_ERROR) {
            auto& me = self(user_data);
            std::string why =
                me.last_error_.empty()
                    ? h2_error_name(frame->goaway.error_code)
                    : me.last_error_ + " (" + h2_error_name(frame->goaway.error_code) + ")";
            me.end_with(error{errc::h2_protocol, std::move(why)});
        }
        return 0;
    }

    static int on_stream_close(nghttp2_session* session, std::int32_t id, std::uint32_t code,
                               void* user_data) {
        auto& me = self(user_data);
        h2_stream* s = stream_of(session, id);
        if (!s) return 0;
        s->closed = true;
        nghttp2_session_set_stream_user_data(session, id, nullptr);
        if (!s->finished()) {
            s->failed = true;
            if (me.goaway_ && id > me.goaway_last_stream_) {
                // nghttp2 closes the streams a GOAWAY left out (as REFUSED_STREAM).
                s->unprocessed = true;
                s->failure = error{errc::goaway, h2_error_name(me.goaway_code_)};
            } else if (code == NGHTTP2_REFUSED_STREAM) {
                s->unprocessed = true;
                s->failure = error{errc::stream_reset, h2_error_name(code)};
            } else if (code == NGHTTP2_NO_ERROR) {
                s->failure = error{errc::closed};
            } else {
                s->failure = error{errc::stream_reset, h2_error_name(code)};
            }
        }
        if (s->forgotten) me.erase(id);
        return 0;
    }

    static int on_error(nghttp2_session*, int, const char* msg, std::size_t len, void* user_data) {
        auto& me = self(user_data);
        me.last_error_.assign(msg, std::min(len, max_last_error_bytes));
        return 0;
    }

    static ssize_t read_body(nghttp2_session*, std::int32_t, std::uint8_t* buf, std::size_t length,
                             std::uint32_t* flags, nghttp2_data_source* src, void*) {
        auto* s = static_cast<h2_stream*>(src->ptr);
        // A forgotten stream's body may be gone: reset it rather than read.
        if (s->forgotten) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
        const std::size_t n = std::min(length, s->body.size() - s->body_sent);
        std::memcpy(buf, s->body.data() + s->body_sent, n);
        s->body_sent += n;
        if (s->body_sent == s->body.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
        return static_cast<ssize_t>(n);
    }
};

h2_session::h2_session(std::uint32_t max_header_bytes) : max_header_bytes_(max_header_bytes) {
    nghttp2_session_callbacks* cbs = nullptr;
    if (nghttp2_session_callbacks_new(&cbs) != 0) throw std::bad_alloc();
    nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, callbacks::on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cbs, callbacks::on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, callbacks::on_data_chunk);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, callbacks::on_frame_recv);
    nghttp2_session_callbacks_set_on_frame_send_callback(cbs, callbacks::on_frame_send);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, callbacks::on_stream_close);
    nghttp2_session_callbacks_set_error_callback2(cbs, callbacks::on_error);
    nghttp2_option* opt = nullptr;
    if (nghttp2_option_new(&opt) != 0) {
        nghttp2_session_callbacks_del(cbs);
        throw std::bad_alloc();
    }
    nghttp2_option_set_max_outbound_ack(opt, max_outbound_acks);
    nghttp2_option_set_max_settings(opt, max_settings_entries);
    nghttp2_option_set_max_reserved_remote_streams(opt, 0);
    nghttp2_option_set_no_closed_streams(opt, 1);  // no memory for priority history
    const int rv = nghttp2_session_client_new2(&session_, cbs, this, opt);
    nghttp2_option_del(opt);
    nghttp2_session_callbacks_del(cbs);
    if (rv != 0) throw std::bad_alloc();
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, stream_window},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, max_header_bytes},
    };
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
    nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, connection_window);
}

h2_session::~h2_session() {
    nghttp2_session_del(session_);
}

std::int32_t h2_session::submit(const h2_request& req) {
    if (!usable()) return 0;
    std::vector<nghttp2_nv> nva;
    nva.reserve(4 + (req.fields ? req.fields->size() : 0));
    nva.push_back(field(":method", req.method));
    nva.push_back(field(":scheme", req.scheme));
    nva.push_back(field(":authority", req.authority));
    nva.push_back(field(":path", req.path));
    if (req.fields) {
        for (const auto& [name, value] : *req.fields) nva.push_back(field(name, value));
    }
    auto s = std::make_unique<h2_stream>();
    s->body = req.body;
    s->max_body_bytes = req.max_body_bytes;
    s->message.discard_body = req.discard_body;
    nghttp2_data_provider body{};
    body.source.ptr = s.get();
    body.read_callback = callbacks::read_body;
    const std::int32_t id = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(),
                                                   req.body.empty() ? nullptr : &body, s.get());
    if (id <= 0) return 0;
    s->id = id;
    streams_.push_back(std::move(s));
    return id;
}

bool h2_session::receive(const std::uint8_t* data, std::size_t size) {
    if (error_) return false;
    const auto rv = nghttp2_session_mem_recv(session_, data, size);
    if (rv < 0) {
        end_with(error{
            errc::h2_protocol,
            rv == NGHTTP2_ERR_FLOODED
                ? "flood of SETTINGS, PING or RST_STREAM frames"
                : (last_error_.empty() ? nghttp2_strerror(static_cast<int>(rv)) : last_error_)});
        return false;
    }
    if (over()) {
        // The server said GOAWAY and nothing is left, or nghttp2 ended the session.
        fail_open_streams(error{errc::closed});
    }
    return !error_;
}

bool h2_session::take_output(std::string& out) {
    if (error_) return false;
    while (out.size() < max_output_bytes) {
        const std::uint8_t* data = nullptr;
        const auto n = nghttp2_session_mem_send(session_, &data);
        if (n < 0) {
            end_with(error{errc::h2_protocol, nghttp2_strerror(static_cast<int>(n))});
            return false;
        }
        if (n == 0) break;
        out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    }
    return !error_ || !out.empty();
}

void h2_session::fail(const error& why) {
    if (!error_) error_ = why;
    fail_open_streams(why);
}

h2_stream* h2_session::stream(std::int32_t id) {
    h2_stream* s = find(id);
    return s && !s->forgotten ? s : nullptr;
}

void h2_session::forget(std::int32_t id) {
    h2_stream* s = find(id);
    if (!s) return;
    s->forgotten = true;
    s->body = {};
    if (s->closed || error_ || over()) {
        erase(id);
        return;
    }
    // Still open for nghttp2 (a timeout, a stop): reset it; on_stream_close frees it.
    if (!s->done) nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
}

bool h2_session::over() const {
    return error_ ||
           (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_));
}

bool h2_session::wants_write() const {
    return !error_ && nghttp2_session_want_write(session_);
}

h2_stream* h2_session::find(std::int32_t id) {
    for (auto& s : streams_) {
        if (s->id == id) return s.get();
    }
    return nullptr;
}

void h2_session::erase(std::int32_t id) {
    std::erase_if(streams_, [id](const auto& s) { return s->id == id; });
}

void h2_session::fail_open_streams(const error& why) {
    for (auto& s : streams_) {
        if (s->finished()) continue;
        s->failed = true;
        s->failure = why;
    }
}

void h2_session::end_with(error why) {
    if (!error_) error_ = std::move(why);
    fail_open_streams(*error_);
}

}  // namespace swarm::worker::http
