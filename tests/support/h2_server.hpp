#pragma once
// HTTP/2 servers the client's tests run against, behind one small interface
// so a test names the server as a parameter: Debian's nghttpd
// (nghttp2-server) and `swarm target`, each h2c with prior knowledge or TLS
// with ALPN "h2", and Debian's nginx over TLS. Each counts the requests it
// received by its own means (nghttpd's log, the target's /__stats, nginx's
// access log), and which of them came over HTTP/2, for tests to hold
// against swarm's.
//
// Owned by one test thread; requests() may be called while the server runs.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"
#include "tests/support/target_process.hpp"
#include "tests/support/test_pki.hpp"

namespace swarm::test {

// The paths a server answers, so one test runs against each.
struct h2_test_routes {
    std::string page;       // a small page: GET and HEAD answer 200
    std::string page_text;  // text the page's body contains
    std::string big;        // GET answers big_bytes bytes of body
    std::size_t big_bytes = 256 * 1024;
    std::string post;  // POST answers 200
    // POST answers with the request's body inside its own (as sent, or as a
    // JSON string); empty when the server cannot echo.
    std::string echo;
};

class h2_test_server {
  public:
    virtual ~h2_test_server() = default;
    // "http://127.0.0.1:PORT/path" (h2c) or "https://..." (TLS).
    virtual std::string url(const std::string& path) const = 0;
    // The CA certificate that verifies the server (PEM file); empty over h2c.
    virtual std::string ca_pem() const = 0;
    virtual const h2_test_routes& routes() const = 0;
    // Whether it answers HTTP/1.1 too (on the same port, by ALPN over TLS).
    virtual bool speaks_h1() const = 0;
    // Requests the server has received so far, and of those, the ones over HTTP/2.
    virtual int requests() const = 0;
    virtual int h2_requests() const = 0;
    // Waits (up to `limit`) until requests() >= n; the count then.
    int wait_requests(int n, std::chrono::milliseconds limit = std::chrono::seconds(5)) const;
};

// nghttpd serving a temporary directory with:
//   /index.html  "hello h2\n"
//   /big.bin     256 KiB of 'x'
// POST bodies are echoed back (--echo-upload). Requests are counted from its
// -v log ("recv (stream_id=N) :method: ..."). `tls` uses a fresh test_pki
// certificate. It speaks HTTP/2 only.
class nghttpd_server final : public h2_test_server {
  public:
    explicit nghttpd_server(bool tls);
    ~nghttpd_server() override;
    // Whether Debian's nghttpd is installed (tests skip without it).
    static bool available();

    std::string url(const std::string& path) const override;
    std::string ca_pem() const override { return pki_ ? pki_->ca_pem : ""; }
    const h2_test_routes& routes() const override;
    bool speaks_h1() const override { return false; }
    int requests() const override;
    int h2_requests() const override { return requests(); }

  private:
    std::unique_ptr<test_pki> pki_;
    std::string docroot_;
    unsigned short port_ = 0;
    std::unique_ptr<child_process> process_;
};

// `swarm target` (h2c by the preface, or --tls-cert with a fresh test_pki
// certificate), counted by its /__stats: "total", and "protocols"."h2".
class target_h2_server final : public h2_test_server {
  public:
    explicit target_h2_server(bool tls);

    std::string url(const std::string& path) const override { return target_.url + path; }
    std::string ca_pem() const override { return pki_ ? pki_->ca_pem : ""; }
    const h2_test_routes& routes() const override;
    bool speaks_h1() const override { return true; }
    int requests() const override;
    int h2_requests() const override;

  private:
    std::unique_ptr<test_pki> pki_;
    running_target target_;
};

// Debian's nginx (its http_v2_module) over TLS with a fresh test_pki
// certificate, from a temporary prefix holding its config, the files
// nghttpd serves, `POST /post` (200 "posted\n") and an access log of
// "$server_protocol $request_method $uri $status" lines, which it counts:
// all lines, and the "HTTP/2.0" ones.
class nginx_server final : public h2_test_server {
  public:
    nginx_server();
    ~nginx_server() override;
    // Whether Debian's nginx is installed (tests skip without it).
    static bool available();

    std::string url(const std::string& path) const override;
    std::string ca_pem() const override { return pki_.ca_pem; }
    const h2_test_routes& routes() const override;
    bool speaks_h1() const override { return true; }
    int requests() const override;
    int h2_requests() const override;

  private:
    test_pki pki_;
    std::string prefix_;
    unsigned short port_ = 0;
    std::unique_ptr<child_process> process_;
};

// The servers by the names parameterized tests print: "nghttpd-h2c",
// "nghttpd-tls", "target-h2c", "target-tls", "nginx-tls".
std::unique_ptr<h2_test_server> make_h2_server(const std::string& name);
// Why the server `name` cannot run here (for GTEST_SKIP), or "" when it can.
std::string h2_server_missing(const std::string& name);
// Every name make_h2_server knows, in the order the tests run them.
inline const std::vector<std::string> h2_server_names{"nghttpd-h2c", "nghttpd-tls", "target-h2c",
                                                      "target-tls", "nginx-tls"};
// A name as gtest takes it in a test's name ('-' is not allowed there).
std::string h2_server_test_name(std::string name);

}  // namespace swarm::test
