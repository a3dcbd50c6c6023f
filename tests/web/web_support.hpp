#pragma once
// Running `swarm run` with its web UI against `swarm target`, and speaking to
// the UI: REST through tests/support/http_client, WebSocket through a small
// blocking client.

#include <boost/json/value.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {

struct running_ui {
    std::unique_ptr<child_process> process;
    std::string url;     // "http://127.0.0.1:PORT/base/" as swarm printed it
    std::string origin;  // "http://127.0.0.1:PORT"
    std::string base;    // "/base" or ""
};

// `swarm run SCENARIO --web-port 0 --threads 1 ARGS...`, waiting for its
// "swarm: web UI at URL" line. Throws std::runtime_error (with what it printed) when it does not
// come.
running_ui start_ui(const std::string& scenario, const std::vector<std::string>& args);

// A scenario with two named GET requests and a short constant wait.
std::string simple_scenario();

// The response's body as JSON (null when it is not JSON).
boost::json::value json_of(const http_response& r);

// Polls `get` every 100 ms until `done(doc)` or `timeout`; the last document.
boost::json::value poll_json(http_client& client, const std::string& target,
                             const std::function<bool(const boost::json::value&)>& done,
                             std::chrono::milliseconds timeout, const header_list& headers = {});

// GET /stop (expecting 200), then polls /stats/requests until the state is
// "stopped" (20 s at most); the last document.
boost::json::value stop_and_wait(http_client& client);

// The "Aggregated" entry of a /stats/requests document.
const boost::json::object& aggregated(const boost::json::value& requests);

// Where a WebSocket client connects: ws:// when ca_file is empty, else
// wss:// verifying the server's certificate (and host) with that CA.
struct ws_endpoint {
    std::string host;
    std::string port;
    std::string target;   // "/ws", "/base/ws"
    std::string ca_file;  // "" : plain ws://
};

// A blocking WebSocket client (ws:// or wss://), every read bounded by `timeout`.
class ws_client {
  public:
    ws_client(const ws_endpoint& where, const header_list& headers = {},
              std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Connects and upgrades; throws std::runtime_error on failure (with the HTTP status when the
    // upgrade was refused).
    ws_client(const std::string& host, const std::string& port, const std::string& target,
              const header_list& headers = {},
              std::chrono::milliseconds timeout = std::chrono::seconds(10));
    ~ws_client();
    // The next text message; throws on timeout or close.
    std::string read();

    struct impl;

  private:
    std::unique_ptr<impl> impl_;
};

// The HTTP status a refused upgrade answered with (0 when it was accepted,
// -1 when the connection failed before any HTTP answer).
int ws_refusal_status(const std::string& host, const std::string& port, const std::string& target,
                      const header_list& headers = {});
int ws_refusal_status(const ws_endpoint& where, const header_list& headers = {});

}  // namespace swarm::test
