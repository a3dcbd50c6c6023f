// Per-class counters: merged exactly, first-seen order, bounded.
#include "common/stats/class_counters.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/stats/delta.hpp"

namespace swarm::stats {
namespace {

std::vector<std::string> names_of(const class_table& t) {
    std::vector<std::string> names;
    t.for_each([&](std::string_view n, const class_counts&) { names.emplace_back(n); });
    return names;
}

TEST(class_table, merges_rows_by_name_in_first_seen_order) {
    class_table a, b;
    a.at("Web").iterations = 3;
    a.at("Shop").dropped_iterations = 2;
    b.at("Shop") = {4, 1, 0};
    b.at("Api").pacing_overruns = 9;
    a.merge(b);
    EXPECT_EQ(names_of(a), (std::vector<std::string>{"Web", "Shop", "Api"}));
    EXPECT_EQ(*a.find("Shop"), (class_counts{4, 3, 0}));
    EXPECT_EQ(a.total(), (class_counts{7, 3, 9}));
    EXPECT_EQ(a.find("Nope"), nullptr);
}

TEST(class_table, a_delta_carries_and_hands_over_its_class_rows) {
    delta d;
    d.classes.at("Web").iterations = 1;
    EXPECT_FALSE(d.empty());
    delta taken = d.take();
    EXPECT_TRUE(d.empty());
    delta sum;
    sum.merge(taken);
    sum.merge(taken);
    EXPECT_EQ(sum.classes.find("Web")->iterations, 2u);
}

TEST(class_table, classes_past_the_cap_fold_into_other) {
    class_table t;
    for (std::size_t i = 0; i < class_table::max_classes + 10; ++i)
        t.at("C" + std::to_string(i)).iterations += 1;
    EXPECT_EQ(t.size(), class_table::max_classes);
    ASSERT_NE(t.find("(other)"), nullptr);
    EXPECT_EQ(t.find("(other)")->iterations, 11u);
    EXPECT_EQ(t.total().iterations, class_table::max_classes + 10);
}

}  // namespace
}  // namespace swarm::stats
