// `group:` rows (method "GROUP") are not requests: past the name cap they
// fold into a row of their own, never into the requests' "(other)".
#include <gtest/gtest.h>

#include "common/stats/table.hpp"

namespace swarm::stats {
namespace {

TEST(group_rows_test, group_rows_past_the_cap_fold_into_their_own_other_row) {
    table t(2);
    t.record("GET", "/a", 10, 0, false);
    t.record("GROUP", "checkout", 500, 0, true);
    t.record("GROUP", "browse", 700, 0, false);  // past the cap: ("GROUP", "(other)")
    t.record("GET", "/b", 10, 0, false);         // past the cap: ("", "(other)")
    ASSERT_NE(t.find("GROUP", "(other)"), nullptr);
    EXPECT_EQ(t.find("GROUP", "(other)")->requests(), 1u);
    EXPECT_EQ(t.find("", "(other)")->requests(), 1u);
    EXPECT_EQ(t.folded_requests(), 1u);  // requests only
    EXPECT_EQ(t.size(), 4u);
    t.record("GROUP", "pay", 900, 0, false);  // still past the cap
    EXPECT_EQ(t.find("GROUP", "(other)")->requests(), 2u);
    EXPECT_EQ(table::fold_method("GROUP"), "GROUP");
    EXPECT_EQ(table::fold_method("POST"), "");
}

}  // namespace
}  // namespace swarm::stats
