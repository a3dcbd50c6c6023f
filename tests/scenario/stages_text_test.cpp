// --stages' one-line profile: what it reads, what it refuses, and that the
// printed form reads back the same.
#include "common/scenario/stages_text.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace swarm::scenario {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

TEST(stages_text, reads_duration_users_and_rate) {
    const auto s = parse_stages("30s:100@10, 1m:500@50.5,30s:0");
    ASSERT_TRUE(s) << s.error().message;
    ASSERT_EQ(s->size(), 3u);
    EXPECT_EQ((*s)[0].length, 30s);
    EXPECT_EQ((*s)[0].users, 100);
    EXPECT_EQ((*s)[0].rate, 10);
    EXPECT_EQ((*s)[1].length, 60s);
    EXPECT_EQ((*s)[1].rate, 50.5);
    EXPECT_EQ((*s)[2].users, 0);
    EXPECT_EQ(format_stages(*s), "30s:100@10,1m:500@50.5,30s:0@500");
}

TEST(stages_text, without_a_rate_a_stage_moves_within_a_second) {
    const auto s = parse_stages("10s:40,10s:100,5s:100");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ((*s)[0].rate, 40);
    EXPECT_EQ((*s)[1].rate, 60);
    EXPECT_EQ((*s)[2].rate, 1);  // no change: any rate
}

TEST(stages_text, the_printed_form_reads_back) {
    const auto s = parse_stages("1m30s:7@0.25,2h:3");
    ASSERT_TRUE(s);
    const auto again = parse_stages(format_stages(*s));
    ASSERT_TRUE(again) << again.error().message;
    ASSERT_EQ(again->size(), 2u);
    EXPECT_EQ((*again)[0].length, (*s)[0].length);
    EXPECT_EQ((*again)[0].rate, 0.25);
    EXPECT_EQ((*again)[1].users, 3);
}

TEST(stages_text, errors_name_the_stage_and_the_problem) {
    EXPECT_THAT(parse_stages("").error().message, HasSubstr("no stages"));
    EXPECT_THAT(parse_stages("30s").error().message,
                HasSubstr("stage 1: expected DURATION:USERS[@RATE]"));
    EXPECT_THAT(parse_stages("30s:10,abc:5").error().message,
                HasSubstr("stage 2: duration 'abc' is not a positive duration"));
    EXPECT_THAT(parse_stages("0s:5").error().message, HasSubstr("not a positive duration"));
    EXPECT_THAT(parse_stages("30s:-5").error().message,
                HasSubstr("stage 1: users '-5' is not a whole number"));
    EXPECT_THAT(parse_stages("30s:5x").error().message, HasSubstr("users '5x'"));
    EXPECT_THAT(parse_stages("30s:5@0").error().message, HasSubstr("rate '0' is not a number"));
    EXPECT_THAT(parse_stages("30s:5@-1").error().message, HasSubstr("rate '-1'"));
    EXPECT_THAT(parse_stages("30s:5@nan").error().message, HasSubstr("rate 'nan'"));
    EXPECT_THAT(parse_stages("30s:5,").error().message, HasSubstr("stage 2"));
}

}  // namespace
}  // namespace swarm::scenario
