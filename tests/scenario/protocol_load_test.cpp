// `protocol:` (auto, h1, h2c) of a user class and of a request: the class's
// is its requests' default, a request's own wins, and anything else is an
// error at the key.

#include <gtest/gtest.h>

#include "tests/scenario/compile_helpers.hpp"

namespace swarm::scenario {
namespace {

using testing::compile_ok;
using testing::only_error;

const request_step& request_of(const plan& p, std::size_t user, std::size_t task) {
    return std::get<request_step>(p.users.at(user).root.tasks.at(task).steps.at(0).action);
}

TEST(protocol_load, a_class_sets_its_requests_default_and_a_request_overrides_it) {
    const auto p = compile_ok(
        "host: http://h\n"
        "users:\n"
        "  A:\n"
        "    protocol: h2c\n"
        "    tasks: {a: {get: /a}, b: {get: /b, protocol: h1}, c: {get: /c, protocol: auto}}\n"
        "  B:\n"
        "    tasks: {a: {get: /a}, b: {get: /b, protocol: h2c}}\n");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->users[0].protocol, http_protocol::h2c);
    EXPECT_EQ(request_of(*p, 0, 0).protocol, http_protocol::h2c);
    EXPECT_EQ(request_of(*p, 0, 1).protocol, http_protocol::h1);
    EXPECT_EQ(request_of(*p, 0, 2).protocol, http_protocol::auto_);
    // Another class does not inherit A's.
    EXPECT_EQ(p->users[1].protocol, http_protocol::auto_);
    EXPECT_EQ(request_of(*p, 1, 0).protocol, http_protocol::auto_);
    EXPECT_EQ(request_of(*p, 1, 1).protocol, http_protocol::h2c);
}

TEST(protocol_load, an_unknown_protocol_is_an_error_at_its_key) {
    EXPECT_EQ(only_error("host: http://h\nusers: {A: {protocol: h2, tasks: {t: {get: /}}}}\n"),
              "2:23: users.A.protocol: expected 'auto' (HTTP/2 when a TLS server offers it), "
              "'h1' (HTTP/1.1 only) or 'h2c' (HTTP/2 over http:// with prior knowledge), got "
              "'h2'");
    EXPECT_EQ(
        only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, protocol: http3}}}}\n"),
        "2:43: users.A.tasks.t.protocol: expected 'auto' (HTTP/2 when a TLS server offers it), "
        "'h1' (HTTP/1.1 only) or 'h2c' (HTTP/2 over http:// with prior knowledge), got 'http3'");
}

TEST(protocol_load, protocol_is_no_template) {
    const auto e =
        only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, protocol: '{{ p }}'}}}}\n");
    EXPECT_NE(e.find("users.A.tasks.t.protocol"), std::string::npos) << e;
}

}  // namespace
}  // namespace swarm::scenario
