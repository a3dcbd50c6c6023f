#pragma once
// An HTTP/1.1 response parser of our own, in place of Beast's basic_parser
// on the request path: it walks the status line and the fields once,
// validating eight bytes at a time, and looks only at the four fields that
// frame the message (Connection, Proxy-Connection, Content-Length,
// Transfer-Encoding). Beast's parser validated each field character by
// character through several layers and looked every name up in its field
// table; with its read operation that was ~5000 instructions of ~27 000 per
// request of the seed scenario.
//
// It accepts and rejects what Beast 1.81's basic_parser<false> does, with
// Beast's own error codes (boost::beast::http::error), so the client's
// messages stay the same ("malformed response: bad version", "response
// header too large", ...). tests/fuzz/fuzz_http_response.cpp feeds random
// bytes to both and compares. Two bounds are stricter than Beast's: a chunk
// line and the trailer block are held to the header limit too (Beast let
// them grow without bound).
//
// Incremental: `put` takes the bytes received so far (not yet consumed) and
// returns how many it used; error::need_more means "call again with more".
// While the header is incomplete it uses nothing, so the caller's buffer
// holds the whole header block; after a first try falls short it waits for
// the blank line before parsing again (so a slow drip costs one scan). One
// parser per message. Touched only on the thread that reads the stream.

#include <boost/beast/http/error.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "worker/http/response_reader.hpp"

namespace swarm::worker::http {

class response_parser {
  public:
    using error_code = boost::system::error_code;

    explicit response_parser(received_response& out) : out_(out) {}
    response_parser(const response_parser&) = delete;
    response_parser& operator=(const response_parser&) = delete;

    // Bytes of status line + fields (Beast's default: 8 KiB).
    void header_limit(std::uint32_t bytes) { header_limit_ = bytes; }
    // Bytes of body as received (content-encoded).
    void body_limit(std::uint64_t bytes) { body_left_ = bytes; }
    // The response to a HEAD request: no body whatever the fields say.
    void skip(bool yes) { skip_body_ = yes; }

    bool got_some() const { return state_ != state::nothing_yet; }
    bool is_done() const { return state_ == state::done; }
    // Whether the connection may carry another request after this response.
    bool keep_alive() const;
    // Whether the body runs until the server closes the connection.
    bool need_eof() const { return need_eof_; }

    // Parses from `data` (the unconsumed bytes so far); returns the bytes
    // used. ec: need_more when the message is not complete yet, else a
    // boost::beast::http::error, else empty when the message is done.
    std::size_t put(std::string_view data, error_code& ec);
    // The server closed the connection: ends a body that runs to EOF, else
    // partial_message for an incomplete message.
    void put_eof(error_code& ec);

  private:
    enum class state {
        nothing_yet,
        header,       // waiting for the blank line that ends the fields
        body,         // Content-Length bytes left in length_
        body_to_eof,  // neither Content-Length nor chunked
        chunk_line,   // chunk-size [ext] CRLF (after the previous chunk's CRLF)
        chunk_data,   // length_ bytes of the current chunk left
        trailer,      // after the last chunk: fields up to the blank line
        done,
    };

    std::size_t parse_header(std::string_view data, error_code& ec);
    std::size_t parse_chunk_line(std::string_view data, error_code& ec);
    std::size_t parse_trailer(std::string_view data, error_code& ec);
    std::size_t take_body(std::string_view data, error_code& ec);
    // The status line starting at p; returns the start of the fields.
    // need_more when [p, end) ends first.
    const char* parse_start_line(const char* p, const char* end, error_code& ec);
    // Fields from p up to and including the blank line; returns the end of
    // the blank line. need_more when [p, end) ends first.
    const char* parse_fields(const char* p, const char* end, error_code& ec);
    // What Beast's do_field did (framing fields), then keeps the field.
    void on_field(std::string_view name, std::string_view value, error_code& ec);
    void finish_header(error_code& ec);

    received_response& out_;
    state state_ = state::nothing_yet;
    std::uint32_t header_limit_ = 8 * 1024;
    std::uint64_t body_left_ = UINT64_MAX;  // body bytes still allowed
    std::uint64_t length_ = 0;              // of the body or the current chunk
    std::size_t scanned_ = 0;               // header bytes already searched for the blank line
    bool skip_body_ = false;
    bool http11_ = false;
    bool close_ = false;       // Connection: close
    bool keep_alive_ = false;  // Connection: keep-alive
    bool has_length_ = false;  // Content-Length seen
    bool chunked_ = false;     // Transfer-Encoding ends in chunked
    bool chunk_crlf_ = false;  // a chunk's data ended: its CRLF comes first
    bool need_eof_ = false;    // the body ends when the connection does
    bool waiting_ = false;     // a try ran out of header bytes: wait for the blank line
};

}  // namespace swarm::worker::http
