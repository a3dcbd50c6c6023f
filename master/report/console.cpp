#include "master/report/console.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <vector>

#include "common/duration.hpp"
#include "master/report/rows.hpp"

namespace swarm::master::report {
namespace {

constexpr std::size_t type_width = 8;  // Locust's STATS_TYPE_WIDTH
constexpr std::size_t min_name_width = 10;

__attribute__((format(printf, 1, 2))) std::string printf_string(const char* format, ...) {
    char buf[256];
    va_list args;
    va_start(args, format);
    const int n = std::vsnprintf(buf, sizeof buf, format, args);
    va_end(args);
    return n < 0 ? std::string() : std::string(buf, std::min<std::size_t>(n, sizeof buf - 1));
}

bool is_continuation(char c) noexcept {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Characters (UTF-8 code points) in `text`.
std::size_t char_count(std::string_view text) noexcept {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return !is_continuation(c); }));
}

// Byte length of the first `n` characters of `text`.
std::size_t prefix_bytes(std::string_view text, std::size_t n) noexcept {
    std::size_t i = 0;
    for (std::size_t seen = 0; i < text.size(); ++i) {
        if (!is_continuation(text[i]) && seen++ == n) break;
    }
    return i;
}

// One column of a text table.
struct column {
    std::size_t width;  // characters; longer cells overflow rather than lose digits
    bool left;          // left-aligned (text) or right-aligned (numbers)
    bool bar_before;    // " | " before it instead of " " (Locust's column groups)
};

std::string pad(std::string_view cell, const column& c) {
    const std::size_t n = char_count(cell);
    const std::string fill(n < c.width ? c.width - n : 0, ' ');
    return c.left ? std::string(cell) + fill : fill + std::string(cell);
}

std::string line(const std::vector<column>& columns, const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i > 0) out += columns[i].bar_before ? " | " : " ";
        out += pad(i < cells.size() ? cells[i] : std::string(), columns[i]);
    }
    // A left-aligned last cell (or an empty one) must not leave trailing blanks.
    out.erase(out.find_last_not_of(' ') + 1);
    return out + '\n';
}

// Dashes under every column, '|' where the columns meet: "--------|------".
std::string separator(const std::vector<column>& columns) {
    std::string out;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i > 0) out += columns[i].bar_before ? "-|-" : "|";
        out += std::string(columns[i].width, '-');
    }
    return out + '\n';
}

std::size_t name_width(const console_options& options, std::size_t fixed) {
    return options.width > fixed + min_name_width ? options.width - fixed : min_name_width;
}

// Type, Name, # reqs, # fails | Avg Min Max Med 95% 99% | req/s failures/s
std::vector<column> stats_columns(const console_options& options) {
    constexpr std::size_t fixed =
        type_width + 1 + 1 + 7 + 1 + 12 + 3 + (6 * 6 + 5) + 3 + 7 + 1 + 10;
    std::vector<column> c{{type_width, true, false},
                          {name_width(options, fixed), true, false},
                          {7, false, false},
                          {12, false, false}};
    for (int i = 0; i < 6; ++i) c.push_back({6, false, i == 0});
    c.push_back({7, false, true});
    c.push_back({10, false, false});
    return c;
}

std::vector<std::string> stats_cells(const row& r, rate_basis rates, std::size_t width) {
    const double fail_pct =
        r.requests == 0 ? (r.failures > 0 ? 100.0 : 0.0)
                        : 100.0 * static_cast<double>(r.failures) / static_cast<double>(r.requests);
    const bool total = rates == rate_basis::total;
    const double rps = total ? r.total_rps : r.current_rps();
    const double fps = total ? r.total_fail_per_sec : r.current_fail_per_sec();
    return {fit_width(r.method, type_width),
            fit_width(r.name, width),
            std::to_string(r.requests),
            printf_string("%llu(%.2f%%)", static_cast<unsigned long long>(r.failures), fail_pct),
            format_ms(r.avg_us),
            format_ms(static_cast<double>(r.min_us)),
            format_ms(static_cast<double>(r.max_us)),
            format_ms(static_cast<double>(r.percentile(50))),
            format_ms(static_cast<double>(r.percentile(95))),
            format_ms(static_cast<double>(r.percentile(99))),
            printf_string("%.2f", rps),
            printf_string("%.2f", fps)};
}

// Type, Name, 50% .. 100%, # reqs (Locust's percentile table: 50% gets 8
// columns, the others 6; # reqs gets 8 here so that it rarely overflows).
std::vector<column> percentile_columns(const console_options& options) {
    constexpr std::size_t n = stats::standard_percentiles.size();
    constexpr std::size_t fixed = type_width + 1 + 1 + 8 + (n - 1) * 7 + 1 + 8;
    std::vector<column> c{{type_width, true, false}, {name_width(options, fixed), true, false}};
    c.push_back({8, false, false});
    for (std::size_t i = 1; i < n; ++i) c.push_back({6, false, false});
    c.push_back({8, false, false});
    return c;
}

std::vector<std::string> percentile_cells(const row& r, std::size_t width) {
    std::vector<std::string> cells{fit_width(r.method, type_width), fit_width(r.name, width)};
    for (std::uint64_t v : r.percentiles_us) cells.push_back(format_ms(static_cast<double>(v)));
    cells.push_back(std::to_string(r.requests));
    return cells;
}

// Control characters would break the table's lines.
std::string one_line(std::string_view text) {
    std::string out(text);
    std::replace_if(
        out.begin(), out.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }, ' ');
    return out;
}

const char* verdict_mark(gates::verdict_status s) {
    switch (s) {
        case gates::verdict_status::passing:
            return "\u2713";  // ✓
        case gates::verdict_status::failing:
            return "\u2717";  // ✗
        case gates::verdict_status::pending:
            break;
    }
    return "\u2026";  // …
}

// What follows the expression: the value (or "pending"), then the notes.
std::string verdict_value(const gates::threshold_verdict& v) {
    std::string out;
    if (v.status == gates::verdict_status::pending) {
        out = "pending";
        if (v.delay.count() > 0 && !v.final) out += " (delay " + format_duration(v.delay) + ")";
    } else {
        out = v.value_text.empty() ? "-" : v.value_text;
    }
    std::string notes;
    if (v.aborted) notes = "aborted";
    if (!v.detail.empty()) notes += (notes.empty() ? "" : "; ") + one_line(v.detail);
    if (!notes.empty()) out += "  (" + notes + ")";
    return out;
}

}  // namespace

std::string thresholds_block(const std::vector<gates::threshold_verdict>& verdicts,
                             const console_options& options) {
    if (verdicts.empty()) return {};
    std::size_t passing = 0;
    std::size_t failing = 0;
    std::size_t longest = 0;
    for (const auto& v : verdicts) {
        passing += v.status == gates::verdict_status::passing ? 1 : 0;
        failing += v.status == gates::verdict_status::failing ? 1 : 0;
        longest = std::max(longest, char_count(one_line(v.expression)));
    }
    const std::size_t pending = verdicts.size() - passing - failing;
    std::string out = printf_string("Thresholds: %zu passing, %zu failing, %zu pending\n", passing,
                                    failing, pending);
    // The expressions in one column (at most what leaves ~30 columns for the
    // value), so that the values line up.
    constexpr std::size_t value_room = 30;
    const std::size_t width =
        std::min(longest, options.width > value_room + min_name_width ? options.width - value_room
                                                                      : min_name_width);
    const column expression{width, true, false};
    for (const auto& v : verdicts) {
        out += verdict_mark(v.status);
        out += ' ';
        out += pad(fit_width(one_line(v.expression), width), expression);
        out += "  " + verdict_value(v) + '\n';
    }
    return out;
}

std::string format_ms(double us) {
    const double ms = us / 1000.0;
    if (ms < 9.995) return printf_string("%.2f", ms);
    if (ms < 99.95) return printf_string("%.1f", ms);
    return printf_string("%.0f", ms);
}

std::string fit_width(std::string_view text, std::size_t width) {
    const std::size_t n = char_count(text);
    if (n <= width) return std::string(text);
    if (width <= 3) return std::string(text.substr(0, prefix_bytes(text, width)));
    // Keep both ends: request names tend to differ at the end (ids) and to
    // share a long prefix.
    const std::size_t tail = (width - 3) / 2;
    const std::size_t head = width - 3 - tail;
    const std::string_view front = text.substr(0, prefix_bytes(text, head));
    const std::string_view back = text.substr(prefix_bytes(text, n - tail));
    return std::string(front) + "..." + std::string(back);
}

std::string stats_table(const run_stats& run, rate_basis rates, const console_options& options) {
    const std::vector<column> columns = stats_columns(options);
    const std::size_t width = columns[1].width;
    std::string out = line(columns, {"Type", "Name", "# reqs", "# fails", "Avg", "Min", "Max",
                                     "Med", "95%", "99%", "req/s", "failures/s"});
    out += separator(columns);
    for (const row& r : request_rows(run)) out += line(columns, stats_cells(r, rates, width));
    out += separator(columns);
    out += line(columns, stats_cells(aggregated_row(run), rates, width));
    if (const std::string classes = classes_table(run, options); !classes.empty())
        out += '\n' + classes;
    return out;
}

std::string classes_table(const run_stats& run, const console_options& options) {
    bool any_open = false;
    run.requests().for_each([&](std::string_view method, std::string_view, const stats::entry&) {
        any_open = any_open || method == iter_method;
    });
    bool worth = any_open;
    run.classes().for_each([&](std::string_view, const stats::class_counts& c) {
        worth = worth || c.dropped_iterations > 0 || c.pacing_overruns > 0;
    });
    if (!worth || run.classes().empty()) return {};
    // The name column as wide as the longest name, within the line's width.
    constexpr std::size_t fixed = 1 + 12 + 1 + 12 + 1 + 15;
    std::size_t longest = min_name_width;
    run.classes().for_each([&](std::string_view name, const stats::class_counts&) {
        longest = std::max(longest, char_count(name));
    });
    const std::vector<column> columns{{std::min(longest, name_width(options, fixed)), true, false},
                                      {12, false, false},
                                      {12, false, false},
                                      {15, false, false}};
    const std::size_t width = columns[0].width;
    std::string out = "Classes\n";
    out += line(columns, {"Class", "iterations", "dropped", "pacing overruns"});
    out += separator(columns);
    run.classes().for_each([&](std::string_view name, const stats::class_counts& c) {
        out += line(columns,
                    {fit_width(name, width), std::to_string(c.iterations),
                     std::to_string(c.dropped_iterations), std::to_string(c.pacing_overruns)});
    });
    return out;
}

std::string percentile_table(const run_stats& run, const console_options& options) {
    const std::vector<column> columns = percentile_columns(options);
    const std::size_t width = columns[1].width;
    std::vector<std::string> header{"Type", "Name"};
    for (double p : stats::standard_percentiles) header.push_back(detail::percentile_label(p));
    header.emplace_back("# reqs");
    std::string out = "Response time percentiles (approximated)\n";
    out += line(columns, header);
    out += separator(columns);
    for (const row& r : request_rows(run)) {
        if (!r.empty()) out += line(columns, percentile_cells(r, width));
    }
    out += separator(columns);
    if (const row total = aggregated_row(run); !total.empty())
        out += line(columns, percentile_cells(total, width));
    return out;
}

std::string error_report(const run_stats& run, const console_options& options) {
    const stats::error_table& errors = run.errors();
    if (errors.empty()) return {};
    const std::string rule = std::string(18, '-') + "|" +
                             std::string(options.width > 19 ? options.width - 19 : 1, '-') + "\n";
    std::string out = "Error report\n";
    out += printf_string("%-18s %s\n", "# occurrences", "Error");
    out += rule;
    for (const detail::error_ref& e : detail::sorted_errors(errors)) {
        out += printf_string("%-18llu ", static_cast<unsigned long long>(e.stats->occurrences));
        out += one_line(std::string(e.method) + " " + std::string(e.name) + ": " +
                        std::string(e.message));
        out += '\n';
    }
    if (errors.overflow() > 0) {
        out +=
            printf_string("%-18llu (further distinct errors, beyond the %zu kept)\n",
                          static_cast<unsigned long long>(errors.overflow()), errors.max_errors());
    }
    out += rule;
    return out;
}

std::string final_summary(const run_stats& run, const console_options& options) {
    std::string out = stats_table(run, rate_basis::total, options);
    out += '\n';
    out += percentile_table(run, options);
    const std::string errors = error_report(run, options);
    if (!errors.empty()) out += '\n' + errors;
    return out;
}

std::string spawn_progress_line(std::int64_t running, std::int64_t target) {
    if (running == target)
        return printf_string("all %lld users spawned", static_cast<long long>(target));
    if (running > target) {
        return printf_string("stopping users: %lld running, target %lld",
                             static_cast<long long>(running), static_cast<long long>(target));
    }
    const long long pct = target > 0 ? running * 100 / target : 0;
    return printf_string("spawning %lld/%lld users (%lld%%)", static_cast<long long>(running),
                         static_cast<long long>(target), pct);
}

std::string loss_warnings(const std::vector<std::string>& workers_lost,
                          std::uint64_t lost_reports) {
    std::string out;
    if (!workers_lost.empty()) {
        std::string names;
        for (const auto& n : workers_lost) names += (names.empty() ? "" : ", ") + n;
        out += "warning: " + std::to_string(workers_lost.size()) +
               (workers_lost.size() == 1 ? " worker" : " workers") + " dropped out of the test (" +
               names + "): requests of " + (workers_lost.size() == 1 ? "its" : "their") +
               " last unreported second may be missing\n";
    }
    if (lost_reports > 0) {
        out += "warning: " + std::to_string(lost_reports) +
               " stats reports from workers were lost (workers that died or went missing)\n";
    }
    return out;
}

}  // namespace swarm::master::report
