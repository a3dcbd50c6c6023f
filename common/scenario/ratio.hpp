#pragma once
// Task ratios, like Locust's --show-task-ratio: how often each task runs,
// within its user class and across the whole scenario.

#include <optional>
#include <string>
#include <vector>

#include "common/scenario/plan.hpp"

namespace swarm::scenario {

struct task_ratio {
    std::string name;
    double within_parent = 0;          // share among its siblings (0..1)
    double of_class = 0;               // share of all the class's task runs (0..1)
    double of_total = 0;               // share of all task runs in the scenario (0..1)
    std::vector<task_ratio> children;  // a nested task set's tasks
};

struct class_ratio {
    std::string name;
    double share = 0;  // of the weighted users (0..1); fixed_count and open classes are 0
    std::optional<std::int64_t> fixed_count;
    // An open class: its arrival profile instead of a share (its tasks'
    // of_total are 0: its runs follow its own rate, not the users' split).
    std::optional<arrival_spec> arrival{};
    std::vector<task_ratio> tasks;
};

std::vector<class_ratio> task_ratios(const plan& p);

// "arrival 200/s, max_users 2000", "arrival from 0/s: to 50/s over 1m, ...",
// with ", poisson" for Poisson spacing.
std::string describe_arrival(const arrival_spec& a);

// A share (0..1) as a percentage with one decimal, rounded as Locust (Python's
// "%.1f": the exact binary value, ties to even): 0.3125 → "31.2%". The web UI
// and the HTML report round alike (master/web/ui: percentText).
std::string percent_text(double fraction);

// The two tables `swarm check --ratio` prints: per user class (each class's
// share of the users, its tasks within it), then total.
std::string format_ratios(const std::vector<class_ratio>& ratios);

}  // namespace swarm::scenario
