#include "common/scenario/ratio.hpp"

#include <cstdio>

#include "common/duration.hpp"
#include "common/scenario/rate_text.hpp"

namespace swarm::scenario {
namespace {

// A sequential set runs each task once per round, so every task counts equally;
// a weighted set picks by weight.
std::vector<task_ratio> set_ratios(const task_set& set, double class_scale, double total_scale) {
    double sum = 0;
    for (const auto& t : set.tasks) sum += set.sequential ? 1.0 : t.weight;
    std::vector<task_ratio> out;
    for (const auto& t : set.tasks) {
        task_ratio r;
        r.name = t.name;
        r.within_parent = sum > 0 ? (set.sequential ? 1.0 : t.weight) / sum : 0;
        r.of_class = r.within_parent * class_scale;
        r.of_total = r.within_parent * total_scale;
        if (t.nested) r.children = set_ratios(*t.nested, r.of_class, r.of_total);
        out.push_back(std::move(r));
    }
    return out;
}

// A share as a right-aligned "%6.1f%%" column: "  31.2%".
std::string percent_column(double fraction) {
    const auto text = percent_text(fraction);
    return std::string(text.size() < 7 ? 7 - text.size() : 0, ' ') + text;
}

void print_rows(std::string& out, const std::vector<task_ratio>& rows, int level, bool total) {
    const std::string pad(static_cast<std::size_t>(2 * level), ' ');
    for (const auto& r : rows) {
        out += pad + percent_column(total ? r.of_total : r.within_parent) + "  " + r.name + "\n";
        print_rows(out, r.children, level + 1, total);
    }
}

// A class's head line: its share of the users, or why it has none.
void print_class(std::string& out, const class_ratio& c) {
    if (c.arrival) {
        // Not a share of the users: its own rate.
        out += "  open    " + c.name + "  " + describe_arrival(*c.arrival) + "\n";
    } else if (c.fixed_count) {
        out += "  fixed   " + c.name + " (" + std::to_string(*c.fixed_count) +
               " users, not weighted)\n";
    } else {
        out += " " + percent_column(c.share) + "  " + c.name + "\n";
    }
}

}  // namespace

std::string percent_text(double fraction) {
    // printf rounds the binary value exactly, ties to even: what Python's
    // "%.1f" (Locust) prints. 0.3125 → "31.2%", 0.0625 → "6.2%".
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * fraction);
    return buf;
}

std::string describe_arrival(const arrival_spec& a) {
    std::string out = "arrival ";
    if (a.stages.size() == 1 && a.stages[0].length.count() == 0) {
        out += format_rate(a.stages[0].per_second);
    } else {
        out += "from " + format_rate(a.start_rate) + ":";
        const char* sep = " to ";
        for (const auto& s : a.stages) {
            out += sep + format_rate(s.per_second) + " over " + format_duration(s.length);
            sep = ", to ";
        }
    }
    out += ", max_users " + std::to_string(a.max_users);
    if (a.spacing == arrival_spec::distribution::poisson) out += ", poisson";
    return out;
}

std::vector<class_ratio> task_ratios(const plan& p) {
    double weight_sum = 0;
    for (const auto& u : p.users) {
        if (!u.fixed_count && !u.arrival) weight_sum += u.weight;
    }
    std::vector<class_ratio> out;
    for (const auto& u : p.users) {
        class_ratio c;
        c.name = u.name;
        c.fixed_count = u.fixed_count;
        c.arrival = u.arrival;
        c.share = (!u.fixed_count && !u.arrival && weight_sum > 0) ? u.weight / weight_sum : 0;
        c.tasks = set_ratios(u.root, 1.0, c.share);
        out.push_back(std::move(c));
    }
    return out;
}

std::string format_ratios(const std::vector<class_ratio>& ratios) {
    const std::string rule(60, '-');
    std::string out = "Task ratio per user class\n" + rule + "\n";
    // Per class, as Locust's: the class's share of the users, its tasks
    // within the class.
    for (const auto& c : ratios) {
        print_class(out, c);
        print_rows(out, c.tasks, 1, false);
    }
    out += "\nTotal task ratio\n" + rule + "\n";
    for (const auto& c : ratios) {
        print_class(out, c);
        if (c.fixed_count && !c.arrival) continue;
        // An open class's tasks as within the class (its runs follow its rate).
        print_rows(out, c.tasks, 1, !c.arrival);
    }
    return out;
}

}  // namespace swarm::scenario
