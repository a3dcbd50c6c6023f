#pragma once
// What `swarm try` prints for each exchange of its one user: the request
// (method, URL, the scenario's headers, the body's start), the response
// (status, time, headers, the first KiB of the body, binary bodies as a byte
// count), then each check and each extraction with its result. WebSocket
// steps likewise: the connect (URL, offered and chosen subprotocol, time),
// each send (its size and start), each receive (the message's start, its
// checks and extractions) and the close (code, reason). Coloured when
// writing to a terminal, plain when piped.
//
// Lives on the user's thread (the only thread of `swarm try`).

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string_view>
#include <vector>

#include "worker/user/observer.hpp"

namespace swarm::cli {

// Bytes of a body shown; the rest is counted.
inline constexpr std::size_t try_body_excerpt_bytes = 1024;

class try_printer final : public worker::user::user_observer {
  public:
    try_printer(std::ostream& out, bool colour) : out_(out), colour_(colour) {}

    void on_response(const scenario::request_step& step, const worker::http::request& sent,
                     const worker::user::response_facts& facts,
                     const swarm::result<void>& verdict) override;
    void on_send_failed(const scenario::request_step& step, const worker::http::request& sent,
                        const worker::http::error& failure, const std::string& message) override;
    // A line before a `parallel:` block's exchanges (printed in list order).
    void on_parallel(std::size_t requests, std::chrono::microseconds took) override;
    void on_ws_connect(const scenario::ws_connect_step& step, std::string_view url,
                       std::string_view subprotocol, std::chrono::microseconds took,
                       const swarm::result<void>& verdict) override;
    void on_ws_send(const scenario::ws_send_step& step, std::string_view payload, bool binary,
                    std::chrono::microseconds took, const swarm::result<void>& verdict) override;
    void on_ws_receive(const scenario::ws_receive_step& step,
                       const worker::user::response_facts* message, bool binary, std::int64_t read,
                       const swarm::result<void>& verdict) override;
    void on_ws_close(const scenario::ws_close_step& step, std::chrono::microseconds took,
                     const swarm::result<void>& verdict) override;

    // Requests and WebSocket steps printed.
    std::size_t requests() const { return requests_; }
    // Requests (and WebSocket steps: each is a row) that failed: a send that
    // failed, a check or an extraction.
    std::size_t failed() const { return failed_; }
    std::size_t checks_failed() const { return checks_failed_; }

  private:
    void print_request(const worker::http::request& sent);
    void print_body(std::string_view body, bool binary);
    // Each extraction with its value; how many found nothing.
    std::size_t print_extractions(const std::vector<scenario::extraction>& extract,
                                  const worker::user::response_facts& facts);
    // A WebSocket step's last line: ok (with `detail`), or FAIL with why; counted.
    void print_ws_verdict(const char* what, const swarm::result<void>& verdict,
                          const std::string& detail);
    // Each rule judged alone; the status rule (first) left out unless `with_status`.
    void print_checks(const scenario::checks& c, const worker::user::response_facts& facts,
                      bool with_status = true);
    void print_outcome(bool ok, const std::string& what, const std::string& detail);
    std::string paint(const char* code, const std::string& text) const;

    std::ostream& out_;
    bool colour_;
    std::size_t requests_ = 0;
    std::size_t failed_ = 0;
    std::size_t checks_failed_ = 0;
};

}  // namespace swarm::cli
