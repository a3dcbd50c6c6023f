// One typed suite over both http::session implementations, so the fake that
// the virtual user's tests drive cannot drift from the real client: each test
// scripts a site, sends the same requests through either session and expects
// the same observable results - status, body, headers, final URL, cookies,
// the requests the site saw, and the kind of every failure.
//
// real_site acts the script out on the wire (a loopback server, one thread
// per connection) for http::client; fake_site hands the same script to
// testing::fake_session. Failures the wire produces (a closed connection,
// garbage) are scripted for the fake as the error kind the client reports.

#include <gmock/gmock.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <map>
#include <mutex>
#include <thread>

#include "tests/support/hostile_server.hpp"
#include "tests/worker_http/test_run.hpp"
#include "tests/worker_user/fake_session.hpp"
#include "worker/http/client.hpp"

namespace swarm::worker::user {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using http::errc;
using http::send_result;
using testing::scripted_response;
using strings = std::vector<std::string>;
using ::testing::UnorderedElementsAreArray;

// "GET /path?query" of a request head's first line.
std::string request_line(const std::string& head) {
    const auto line = head.substr(0, head.find("\r\n"));
    return line.substr(0, line.rfind(' '));
}

// An answer of the script.
scripted_response reply(int status, std::string body = "", http::header_list headers = {}) {
    scripted_response r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
}

scripted_response slow(std::chrono::milliseconds delay) {
    scripted_response r;
    r.delay = delay;
    return r;
}

std::string status_line(int status) {
    return "HTTP/1.1 " + std::to_string(status) + " Scripted\r\n";
}

// http::client against a loopback server that answers from the script.
class real_site {
  public:
    explicit real_site(net::io_context& io)
        : client_(io.get_executor(), http::client_options{}),
          server_([this](test::hostile_connection& c) { serve(c); }) {}

    std::string url(const std::string& path) const { return server_.url(path); }
    // A URL nothing listens at.
    std::string refused_url() {
        net::io_context io;
        net::ip::tcp::acceptor a(io, {net::ip::make_address("127.0.0.1"), 0});
        return "http://127.0.0.1:" + std::to_string(a.local_endpoint().port()) + "/";
    }
    // How the site answers "METHOD /path".
    void answer(const std::string& request, scripted_response r) {
        std::lock_guard lock(mutex_);
        script_[request] = std::move(r);
    }
    // The site fails this request the way the wire makes the client report `kind`.
    void fail(const std::string& request, errc kind) {
        std::lock_guard lock(mutex_);
        failures_[request] = kind;
    }
    http::session& session() { return client_; }
    strings seen() {
        std::lock_guard lock(mutex_);
        return seen_;
    }

  private:
    void serve(test::hostile_connection& c) {
        std::string head;
        while (c.read_request(&head)) {
            const std::string line = request_line(head);
            std::optional<scripted_response> answer;
            std::optional<errc> failure;
            {
                std::lock_guard lock(mutex_);
                seen_.push_back(line);
                if (auto f = failures_.find(line); f != failures_.end()) failure = f->second;
                if (auto a = script_.find(line); a != script_.end()) answer = a->second;
            }
            if (failure) {
                act_out(c, *failure);
                return;  // the connection closes
            }
            const scripted_response r = answer.value_or(scripted_response{});
            if (r.delay.count() > 0) {
                for (auto waited = 0ms; waited < r.delay && !c.stopping(); waited += 10ms) {
                    std::this_thread::sleep_for(10ms);
                }
            }
            std::string bytes = status_line(r.status);
            for (const auto& [name, value] : r.headers) bytes += name + ": " + value + "\r\n";
            bytes += "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
            if (!c.send(bytes)) return;
        }
    }

    static void act_out(test::hostile_connection& c, errc kind) {
        switch (kind) {
            case errc::closed:
                return;
            case errc::malformed:
                c.send("SSH-2.0-OpenSSH_9.2\r\n\r\n");
                return;
            case errc::header_too_large:
                c.send(status_line(200) + "X-Big: " + std::string(100'000, 'h') + "\r\n\r\n");
                return;
            default:
                ADD_FAILURE() << "no way to act out errc " << static_cast<int>(kind);
                return;
        }
    }

    http::client client_;
    std::mutex mutex_;  // the script and seen_: the server's threads read them
    std::map<std::string, scripted_response> script_;
    std::map<std::string, errc> failures_;
    strings seen_;
    test::hostile_server server_;  // last: its threads stop before the script goes
};

// testing::fake_session reading the same script.
class fake_site {
  public:
    explicit fake_site(net::io_context&) {}

    std::string url(const std::string& path) const { return std::string(base) + path; }
    std::string refused_url() {
        std::string url = "http://127.0.0.1:9/";
        web_->routes["GET " + url].error = http::error(errc::refused);
        return url;
    }
    void answer(const std::string& request, scripted_response r) {
        web_->routes[key(request)] = std::move(r);
    }
    void fail(const std::string& request, errc kind) {
        web_->routes[key(request)].error = http::error(kind);
    }
    http::session& session() { return session_; }
    strings seen() const {
        strings out;
        for (const auto& r : web_->received) {
            out.push_back(std::string(scenario::to_string(r.method)) + " " +
                          r.url.substr(base.size()));
        }
        return out;
    }

  private:
    static constexpr std::string_view base = "http://site.test";
    // "GET /x" → "GET http://site.test/x"
    static std::string key(const std::string& request) {
        const auto space = request.find(' ');
        return request.substr(0, space + 1) + std::string(base) + request.substr(space + 1);
    }

    std::shared_ptr<testing::fake_web> web_ = std::make_shared<testing::fake_web>();
    testing::fake_session session_{web_};
};

template <class Site>
class session_contract : public ::testing::Test {
  protected:
    send_result send(const http::request& req) {
        return http::testing::run_send(io, site.session(), req);
    }
    send_result get(const std::string& path, std::chrono::milliseconds timeout = 10s) {
        return send(http::testing::get(site.url(path), timeout));
    }
    send_result post(const std::string& path, std::string body) {
        http::request req = http::testing::get(site.url(path));
        req.method = scenario::http_method::post;
        req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
        req.body = std::move(body);
        return send(req);
    }
    std::vector<send_result> send_all(const std::vector<http::request>& reqs) {
        return http::testing::run_sends(io, site.session(), reqs);
    }
    const std::string* cookie(const std::string& path, std::string_view name) {
        return site.session().cookie(site.url(path), name);
    }

    net::io_context io;
    Site site{io};
};

using sites = ::testing::Types<real_site, fake_site>;
TYPED_TEST_SUITE(session_contract, sites);

TYPED_TEST(session_contract, answers_with_status_headers_body_and_url) {
    this->site.answer("GET /page?q=1", reply(201, "hello", {{"X-Kind", "page"}}));
    const send_result r = this->get("/page?q=1");
    ASSERT_TRUE(r) << http::testing::failure(r);
    EXPECT_EQ(r->status, 201);
    EXPECT_EQ(r->body, "hello");
    EXPECT_EQ(r->wire_bytes, 5u);
    ASSERT_NE(r->header("x-kind"), nullptr);
    EXPECT_EQ(*r->header("X-KIND"), "page");
    EXPECT_EQ(r->url, this->site.url("/page?q=1"));
    EXPECT_EQ(this->site.seen(), strings{"GET /page?q=1"});
}

TYPED_TEST(session_contract, a_status_of_400_or_more_is_a_response_not_a_failure) {
    this->site.answer("GET /gone", reply(404, "no"));
    this->site.answer("POST /boom", reply(503));
    const send_result gone = this->get("/gone");
    ASSERT_TRUE(gone) << http::testing::failure(gone);
    EXPECT_EQ(gone->status, 404);
    EXPECT_EQ(gone->body, "no");
    const send_result boom = this->post("/boom", "a=1");
    ASSERT_TRUE(boom) << http::testing::failure(boom);
    EXPECT_EQ(boom->status, 503);
}

TYPED_TEST(session_contract, keeps_cookies_by_domain_and_path) {
    this->site.answer("GET /login", reply(200, "",
                                          {{"Set-Cookie", "sid=s1; Path=/app"},
                                           {"Set-Cookie", "theme=dark"},
                                           {"Set-Cookie", "old=1; Max-Age=0"}}));
    ASSERT_TRUE(this->get("/login"));
    ASSERT_NE(this->cookie("/app/page", "sid"), nullptr);
    EXPECT_EQ(*this->cookie("/app/page", "sid"), "s1");
    EXPECT_EQ(this->cookie("/other", "sid"), nullptr);  // outside its path
    ASSERT_NE(this->cookie("/", "theme"), nullptr);     // default path: "/"
    EXPECT_EQ(*this->cookie("/", "theme"), "dark");
    EXPECT_EQ(this->cookie("/", "old"), nullptr);  // expired on arrival
    EXPECT_EQ(this->site.session().cookie("http://other.test/app/page", "sid"), nullptr);
}

TYPED_TEST(session_contract, follows_redirects_the_way_browsers_do) {
    this->site.answer("POST /form", reply(303, "", {{"Location", "/done?x=1"}}));
    this->site.answer("GET /done?x=1", reply(200, "done"));
    this->site.answer("GET /a", reply(302, "", {{"Location", "b"}}));
    this->site.answer("GET /b", reply(200, "at b"));
    const send_result posted = this->post("/form", "a=1");
    ASSERT_TRUE(posted) << http::testing::failure(posted);
    EXPECT_EQ(posted->status, 200);
    EXPECT_EQ(posted->body, "done");
    EXPECT_EQ(posted->url, this->site.url("/done?x=1"));
    const send_result got = this->get("/a");
    ASSERT_TRUE(got) << http::testing::failure(got);
    EXPECT_EQ(got->body, "at b");
    EXPECT_EQ(got->url, this->site.url("/b"));
    EXPECT_EQ(this->site.seen(), (strings{"POST /form", "GET /done?x=1", "GET /a", "GET /b"}));
}

TYPED_TEST(session_contract, returns_a_redirect_it_is_told_not_to_follow) {
    this->site.answer("GET /a", reply(302, "", {{"Location", "/b"}}));
    http::request req = http::testing::get(this->site.url("/a"));
    req.follow_redirects = false;
    const send_result r = this->send(req);
    ASSERT_TRUE(r) << http::testing::failure(r);
    EXPECT_EQ(r->status, 302);
    ASSERT_NE(r->header("Location"), nullptr);
    EXPECT_EQ(*r->header("Location"), "/b");
    EXPECT_EQ(this->site.seen(), strings{"GET /a"});
}

TYPED_TEST(session_contract, a_redirect_loop_ends_after_ten_hops) {
    this->site.answer("GET /loop", reply(302, "", {{"Location", "/loop"}}));
    const send_result r = this->get("/loop");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, errc::too_many_redirects);
    EXPECT_EQ(http::testing::failure(r), "too many redirects (10)");
    EXPECT_EQ(this->site.seen().size(), 11u);
}

TYPED_TEST(session_contract, bad_urls_fail_before_anything_is_sent) {
    send_result r = this->send(http::testing::get("ftp://site.test/file"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, errc::unsupported_scheme);
    EXPECT_EQ(http::testing::failure(r), "unsupported URL scheme 'ftp'");
    r = this->send(http::testing::get("http://bad host/"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, errc::invalid_url);
    EXPECT_EQ(http::testing::failure(r), "invalid URL 'http://bad host/'");
    EXPECT_TRUE(this->site.seen().empty());
}

TYPED_TEST(session_contract, a_closed_port_is_refused) {
    const send_result r = this->send(http::testing::get(this->site.refused_url()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, errc::refused);
}

TYPED_TEST(session_contract, a_slow_answer_times_out_after_the_requests_timeout) {
    this->site.answer("GET /slow", slow(2s));
    const send_result r = this->get("/slow", 200ms);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, errc::timeout);
    EXPECT_EQ(http::testing::failure(r), "timeout after 200ms");
    EXPECT_GE(r.error().latency, 200ms);
}

TYPED_TEST(session_contract, wire_failures_have_their_kinds) {
    for (const errc kind : {errc::closed, errc::malformed, errc::header_too_large}) {
        const std::string path = "/fail" + std::to_string(static_cast<int>(kind));
        this->site.fail("GET " + path, kind);
        const send_result r = this->get(path);
        ASSERT_FALSE(r) << path;
        EXPECT_EQ(r.error().kind, kind) << http::testing::failure(r);
    }
}

TYPED_TEST(session_contract, close_ends_a_pending_send_as_cancelled) {
    this->site.answer("GET /slow", slow(5s));
    send_result out;
    bool done = false;
    net::co_spawn(
        this->io,
        [&]() -> net::awaitable<void> {
            out = co_await this->site.session().send(http::testing::get(this->site.url("/slow")));
            done = true;
        },
        net::detached);
    this->io.run_for(200ms);
    ASSERT_FALSE(done);
    this->site.session().close();
    this->io.run_for(2s);
    ASSERT_TRUE(done);
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().kind, errc::cancelled);
    EXPECT_EQ(http::testing::failure(out), "cancelled: test stopped");
    // The session stays usable: the next send gets a connection of its own.
    this->site.answer("GET /after", reply(200, "fine"));
    const send_result after = this->get("/after");
    ASSERT_TRUE(after) << http::testing::failure(after);
    EXPECT_EQ(after->body, "fine");
}

TYPED_TEST(session_contract, overlapping_sends_each_get_their_own_answer_at_once) {
    std::vector<http::request> reqs;
    strings expected;
    for (int i = 0; i < 4; ++i) {
        const std::string path = "/asset" + std::to_string(i);
        scripted_response r = reply(200, "body of " + path, {{"X-Asset", std::to_string(i)}});
        r.delay = 300ms;
        this->site.answer("GET " + path, r);
        reqs.push_back(http::testing::get(this->site.url(path)));
        expected.push_back("GET " + path);
    }
    const auto started = std::chrono::steady_clock::now();
    const auto results = this->send_all(reqs);
    const auto took = std::chrono::steady_clock::now() - started;
    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& r = results[i];
        ASSERT_TRUE(r) << http::testing::failure(r);
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->body, "body of /asset" + std::to_string(i));
        ASSERT_NE(r->header("X-Asset"), nullptr);
        EXPECT_EQ(*r->header("X-Asset"), std::to_string(i));
        EXPECT_EQ(r->url, this->site.url("/asset" + std::to_string(i)));
    }
    EXPECT_THAT(this->site.seen(), UnorderedElementsAreArray(expected));
    // At once: about the slowest one's 300 ms, well below the 1200 ms of their sum.
    EXPECT_LT(took, 960ms);
}

TYPED_TEST(session_contract, overlapping_sends_keep_their_own_deadlines) {
    this->site.answer("GET /slow", slow(3s));
    this->site.answer("GET /quick", reply(200, "quick"));
    const auto results = this->send_all({http::testing::get(this->site.url("/slow"), 200ms),
                                         http::testing::get(this->site.url("/quick"), 10s)});
    ASSERT_FALSE(results[0]);
    EXPECT_EQ(results[0].error().kind, errc::timeout);
    EXPECT_EQ(http::testing::failure(results[0]), "timeout after 200ms");
    ASSERT_TRUE(results[1]) << http::testing::failure(results[1]);
    EXPECT_EQ(results[1]->body, "quick");
}

TYPED_TEST(session_contract, close_ends_every_overlapping_send_as_cancelled) {
    for (const char* path : {"/s1", "/s2", "/s3"})
        this->site.answer(std::string("GET ") + path, slow(5s));
    std::vector<send_result> out(3);
    int done = 0;
    for (std::size_t i = 0; i < 3; ++i) {
        net::co_spawn(
            this->io,
            [&, i]() -> net::awaitable<void> {
                out[i] = co_await this->site.session().send(
                    http::testing::get(this->site.url("/s" + std::to_string(i + 1))));
                ++done;
            },
            net::detached);
    }
    this->io.run_for(300ms);
    this->io.restart();
    ASSERT_EQ(done, 0);
    const auto closed_at = std::chrono::steady_clock::now();
    this->site.session().close();
    while (done < 3 && std::chrono::steady_clock::now() - closed_at < 3s) {
        this->io.run_for(10ms);
        this->io.restart();
    }
    ASSERT_EQ(done, 3);
    for (const auto& r : out) {
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().kind, errc::cancelled);
    }
    EXPECT_LT(std::chrono::steady_clock::now() - closed_at, 2s);  // at once, not after the 5 s
    this->io.restart();
    this->site.answer("GET /after", reply(200, "fine"));
    const send_result after = this->get("/after");
    ASSERT_TRUE(after) << http::testing::failure(after);
    EXPECT_EQ(after->body, "fine");
}

}  // namespace
}  // namespace swarm::worker::user
