#pragma once
// HTTP/2 servers the client's tests run against, behind one small interface
// so a test names the server as a parameter: today Debian's nghttpd
// (nghttp2-server), h2c with prior knowledge or TLS with ALPN "h2"; `swarm
// target` joins once it speaks HTTP/2. Each counts the requests it received
// by its own means, for tests to hold against swarm's.
//
// Owned by one test thread; requests() may be called while the server runs.

#include <chrono>
#include <memory>
#include <string>

#include "tests/support/child_process.hpp"
#include "tests/support/test_pki.hpp"

namespace swarm::test {

class h2_test_server {
  public:
    virtual ~h2_test_server() = default;
    // "http://127.0.0.1:PORT/path" (h2c) or "https://..." (TLS).
    virtual std::string url(const std::string& path) const = 0;
    // Requests the server has received so far.
    virtual int requests() const = 0;
    // Waits (up to `limit`) until requests() >= n; the count then.
    int wait_requests(int n, std::chrono::milliseconds limit = std::chrono::seconds(5)) const;
};

// nghttpd serving a temporary directory with:
//   /index.html  "hello h2\n"
//   /big.bin     256 KiB of 'x'
// POST bodies are echoed back (--echo-upload). Requests are counted from its
// -v log ("recv (stream_id=N) :method: ..."). `tls` uses a fresh test_pki
// certificate (clients verify with ca_pem()).
class nghttpd_server final : public h2_test_server {
  public:
    explicit nghttpd_server(bool tls);
    ~nghttpd_server() override;
    // Whether Debian's nghttpd is installed (tests skip without it).
    static bool available();

    std::string url(const std::string& path) const override;
    int requests() const override;
    const std::string& ca_pem() const { return pki_->ca_pem; }

  private:
    bool tls_;
    std::unique_ptr<test_pki> pki_;
    std::string docroot_;
    unsigned short port_ = 0;
    std::unique_ptr<child_process> process_;
};

// "nghttpd-h2c" or "nghttpd-tls" (the names parameterized tests print).
std::unique_ptr<h2_test_server> make_h2_server(const std::string& name);

}  // namespace swarm::test
