// append_form_encoded, byte by byte: which bytes stay, which become '+' or
// %XX, runs between them, and that it appends rather than replaces.

#include <gtest/gtest.h>

#include "worker/user/request_builder.hpp"

namespace swarm::worker::user {
namespace {

std::string encoded(std::string_view text, std::string prefix = "") {
    append_form_encoded(prefix, text);
    return prefix;
}

TEST(form_encoding, keeps_unreserved_bytes_and_escapes_the_rest) {
    EXPECT_EQ(encoded("AZaz09-._~"), "AZaz09-._~");
    EXPECT_EQ(encoded("a b"), "a+b");
    EXPECT_EQ(encoded("what!that's my password, too"), "what%21that%27s+my+password%2C+too");
    EXPECT_EQ(encoded("user1@example.com"), "user1%40example.com");
    EXPECT_EQ(encoded("&=+%/?#"), "%26%3D%2B%25%2F%3F%23");
    EXPECT_EQ(encoded(std::string_view("\xc3\xa9\x00\x7f\xff", 5)), "%C3%A9%00%7F%FF");
    EXPECT_EQ(encoded(""), "");
    EXPECT_EQ(encoded("  "), "++");
}

TEST(form_encoding, appends_to_what_is_there) {
    EXPECT_EQ(encoded("b c", "a="), "a=b+c");
}

TEST(form_encoding, every_byte_round_trips_through_its_escape) {
    for (int b = 0; b < 256; ++b) {
        const char c = static_cast<char>(b);
        const std::string out = encoded(std::string_view(&c, 1));
        if (out.size() == 1) {
            EXPECT_TRUE(std::isalnum(b) || c == '-' || c == '.' || c == '_' || c == '~' || c == ' ')
                << b;
            continue;
        }
        ASSERT_EQ(out.size(), 3u) << b;
        EXPECT_EQ(out[0], '%');
        EXPECT_EQ(std::stoi(out.substr(1), nullptr, 16), b);
    }
}

}  // namespace
}  // namespace swarm::worker::user
