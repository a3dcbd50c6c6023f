#pragma once
// A Beast HTTP/1.1 response parser that writes straight into plain strings:
// the status, the fields as (name, value) pairs in the order received, and
// the body (still content-encoded). Beast's own response_parser would build
// a basic_fields first (one allocation per field) that the client then
// copies into its header_list; this one does the work once.
//
// Limits, framing (Content-Length, chunked, until EOF), keep-alive and
// error codes are all basic_parser's: this class only stores what it is
// given. One reader per message, like any Beast parser. Touched on the
// thread that reads the stream.

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/basic_parser.hpp>

#include <cstdint>

#include "worker/http/received_response.hpp"

namespace swarm::worker::http {

class response_reader final : public boost::beast::http::basic_parser<false> {
  public:
    explicit response_reader(received_response& out) : out_(out) {}

  private:
    using error_code = boost::beast::error_code;
    using field = boost::beast::http::field;
    using string_view = boost::beast::string_view;

    void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                         error_code&) override {}
    void on_response_impl(int code, string_view, int, error_code&) override { out_.status = code; }
    void on_field_impl(field, string_view name, string_view value, error_code&) override {
        out_.headers.emplace_back(std::string(name.data(), name.size()),
                                  std::string(value.data(), value.size()));
    }
    void on_header_impl(error_code&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
        // basic_parser has already held the length against the body limit.
        if (length && !out_.discard_body) out_.body.reserve(static_cast<std::size_t>(*length));
    }
    std::size_t on_body_impl(string_view data, error_code&) override { return take(data); }
    void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, string_view data, error_code&) override {
        return take(data);
    }
    std::size_t take(string_view data) {
        out_.body_bytes += data.size();
        if (!out_.discard_body) out_.body.append(data.data(), data.size());
        return data.size();
    }
    void on_finish_impl(error_code&) override {}

    received_response& out_;
};

}  // namespace swarm::worker::http
