#include "master/stats/run_stats.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <utility>

namespace swarm::master {
namespace {

using namespace std::chrono_literals;

std::uint32_t saturate32(std::uint64_t v) noexcept {
    return static_cast<std::uint32_t>(
        std::min<std::uint64_t>(v, std::numeric_limits<std::uint32_t>::max()));
}

// Floor division, so that a run started before 1970 (tests) still numbers
// its seconds consistently.
std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
    const std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

second_entry_point entry_point_of(std::uint32_t name, const stats::entry& e) {
    static constexpr std::array<double, 3> shown{50, 95, 99};
    std::array<std::uint64_t, 3> v{};
    e.latency().values_at_percentiles(shown, v);
    return {name,
            saturate32(e.requests()),
            saturate32(e.failures()),
            saturate32(v[0]),
            saturate32(v[1]),
            saturate32(v[2])};
}

}  // namespace

double average_bytes(const stats::entry& e) noexcept {
    return e.requests() == 0
               ? 0.0
               : static_cast<double>(e.response_bytes()) / static_cast<double>(e.requests());
}

double history_point::rps() const noexcept {
    return duration_ms == 0 ? 0.0 : static_cast<double>(requests) * 1000.0 / duration_ms;
}

double history_point::fail_per_sec() const noexcept {
    return duration_ms == 0 ? 0.0 : static_cast<double>(failures) * 1000.0 / duration_ms;
}

cumulative_point cumulative_of(const stats::entry& e) {
    cumulative_point c;
    c.requests = e.requests();
    c.failures = e.failures();
    c.median_us = e.latency().value_at_percentile(50);
    c.avg_us = e.avg_latency_us();
    c.min_us = e.min_latency_us();
    c.max_us = e.max_latency_us();
    c.avg_bytes = average_bytes(e);
    return c;
}

std::uint32_t history_point::percentile_us(double p) const noexcept {
    for (std::size_t i = 0; i < stats::standard_percentiles.size(); ++i) {
        if (stats::standard_percentiles[i] == p) return percentiles_us[i];
    }
    return 0;
}

run_stats::run_stats(stats_time start, std::int64_t start_wall_ms, run_stats_options options)
    : options_(options),
      start_(start),
      start_wall_ms_(start_wall_ms),
      last_wall_ms_(start_wall_ms),
      since_(start),
      latest_(start),
      requests_(options.max_names),
      errors_(options.max_errors),
      open_{stats::table(options.max_names), stats::table(options.max_names)} {
    // Two open seconds at most (run_stats.hpp): the grace stays below a second.
    options_.late_report_grace = std::clamp(options_.late_report_grace, 0ms, 999ms);
}

void run_stats::apply(std::string_view worker_id, const stats::delta& delta, stats_time now) {
    advance(now);
    auto worker = workers_.find(worker_id);
    if (worker == workers_.end())
        worker = workers_.emplace(std::string(worker_id), worker_contribution{}).first;
    worker_contribution& w = worker->second;
    // The worker's time this delta covers, as the master saw it: since the
    // worker's previous delta (or the start of the run for its first).
    const stats_time covered_from = w.reports == 0 ? start_ : w.last_report;
    const stats_time covered_to = stop_sent_ ? std::min(now, *stop_sent_) : now;
    const auto covered = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::max(covered_to, covered_from) - covered_from);
    ++w.reports;
    w.last_report = std::max(w.last_report, now);
    stats::table* second = nullptr;
    if (!end_) {
        const std::uint64_t k = second_for(w, now);
        // A worker's second delta in one second adds to its time, not to
        // the number of workers the second's time is averaged over.
        if (w.last_second != k) ++open_reporters_[k % 2];
        open_covered_ms_[k % 2] += static_cast<std::uint64_t>(covered.count());
        w.last_second = k;
        second = &open_table(k);
        open_dropped_[k % 2] += delta.classes.total().dropped_iterations;
    }
    classes_.merge(delta.classes);

    delta.requests.for_each(
        [&](std::string_view method, std::string_view name, const stats::entry& e) {
            requests_.at(method, name).merge(e);
            if (!is_iter_row(method)) {
                total_.merge(e);
                w.requests += e.requests();
                w.failures += e.failures();
            }
            if (second == nullptr) return;
            // The second's row goes under the name the cumulative row got, so
            // a name folded into "(other)" there is folded here too (an
            // iteration into ("ITER", "(other)"), still not a request).
            const bool kept = requests_.find(method, name) != nullptr;
            second->merge(kept ? method : stats::table::fold_method(method),
                          kept ? name : stats::table::other_name, e);
        });
    errors_.merge(delta.errors);
}

void run_stats::tick(stats_time now, std::int64_t wall_ms, std::uint32_t user_count) {
    if (end_) return;
    user_count_ = user_count;
    last_wall_ms_ = wall_ms;
    advance(now);
}

void run_stats::stop(stats_time now, std::int64_t wall_ms) {
    if (end_) return;
    advance(now);
    const std::size_t last = first_open_ % 2;
    const bool cut_has_data = !open_table(first_open_).empty() || open_dropped_[last] > 0;
    // Its length is the time its deltas cover (run_stats.hpp, "The last
    // second"), not the few ms the stop may have left of it.
    const auto covered_ms = [this](std::size_t slot) {
        return open_covered_ms_[slot] / std::max<std::uint64_t>(open_reporters_[slot], 1);
    };
    if (second_of(now) > first_open_) {
        // The previous second is still in its grace: the cut one folds into
        // it, over the time both seconds' deltas cover, so that master-time
        // jitter in when the deltas arrived cancels out between the two.
        const std::size_t prev = last;
        const std::size_t cut = (first_open_ + 1) % 2;
        if (!open_[cut].empty() || open_dropped_[cut] > 0) {
            open_[prev].merge(open_[cut]);
            open_[cut].clear();
            open_dropped_[prev] += std::exchange(open_dropped_[cut], 0);
            const std::uint64_t reporters = std::max(open_reporters_[prev], open_reporters_[cut]);
            const std::uint64_t ms = (open_covered_ms_[prev] + open_covered_ms_[cut]) /
                                     std::max<std::uint64_t>(reporters, 1);
            open_covered_ms_[cut] = 0;
            open_reporters_[cut] = 0;
            close_oldest_second(static_cast<std::uint32_t>(std::clamp<std::uint64_t>(ms, 1, 2000)));
        } else {
            close_oldest_second(1000);  // whole
        }
    } else if (cut_has_data) {
        // The cut second is kept when it has requests, or drops: an open
        // class whose pool was full for the whole second sent nothing.
        close_oldest_second(
            static_cast<std::uint32_t>(std::clamp<std::uint64_t>(covered_ms(last), 1, 1000)));
    }
    end_ = std::max(now, latest_);
    end_wall_ms_ = wall_ms;
}

void run_stats::reset(stats_time now) {
    requests_.clear();
    errors_.clear();
    classes_.clear();
    total_ = stats::entry{};
    for (auto& [id, w] : workers_) {
        w.requests = 0;
        w.failures = 0;
    }
    since_ = now;
    latest_ = std::max(latest_, now);
}

void run_stats::advance(stats_time now) {
    if (end_) return;
    latest_ = std::max(latest_, now);
    // Second k closes at start + (k + 1) s + grace.
    const auto closing = now - options_.late_report_grace;
    if (closing < start_ + 1s) return;
    const std::uint64_t closed_by = second_of(closing);  // seconds < this may close
    while (first_open_ < closed_by) {
        // A long silence (a suspended host) would otherwise close hours of
        // empty seconds that the capped history drops right away.
        const std::uint64_t ahead = closed_by - first_open_;
        if (open_[0].empty() && open_[1].empty() && ahead > options_.max_history_seconds) {
            first_open_ = closed_by - options_.max_history_seconds;
            continue;
        }
        close_oldest_second(1000);
    }
}

std::uint64_t run_stats::second_of(stats_time now) const noexcept {
    return now <= start_ ? 0 : static_cast<std::uint64_t>((now - start_) / 1s);
}

std::uint64_t run_stats::second_for(const worker_contribution& w, stats_time now) const noexcept {
    // After advance(now): the open seconds are first_open_ up to `current`.
    const std::uint64_t current = second_of(now);
    if (w.last_second && *w.last_second + 1 >= first_open_) {
        // The next second in line, or the newest one if it has not begun
        // (a report early, such as the last one at a stop).
        return std::min(*w.last_second + 1, current);
    }
    return std::max(second_of(now - options_.late_report_grace / 2), first_open_);
}

void run_stats::close_oldest_second(std::uint32_t duration_ms) {
    stats::table& open = open_table(first_open_);
    history_point p;
    p.second = first_open_;
    p.unix_s = floor_div(start_wall_ms_ + 1000 * static_cast<std::int64_t>(first_open_), 1000);
    p.duration_ms = duration_ms;
    p.user_count = user_count_;
    p.planned_users = planned_users_;
    p.dropped_iterations = std::exchange(open_dropped_[first_open_ % 2], 0);
    open_covered_ms_[first_open_ % 2] = 0;
    open_reporters_[first_open_ % 2] = 0;
    stats::entry all;
    p.entries.reserve(open.size());
    open.for_each([&](std::string_view method, std::string_view name, const stats::entry& e) {
        if (!is_iter_row(method)) all.merge(e);
        p.entries.push_back(entry_point_of(name_index(method, name), e));
    });
    p.requests = all.requests();
    p.failures = all.failures();
    const stats::percentile_values v = all.percentiles();
    std::transform(v.begin(), v.end(), p.percentiles_us.begin(), saturate32);
    p.total = cumulative_of(total_);
    if (on_second_) on_second_(*this, p, open);
    open.clear();
    ++first_open_;
    push_history(std::move(p));
}

void run_stats::push_history(history_point point) {
    if (options_.max_history_seconds == 0) return;
    while (history_.size() >= options_.max_history_seconds) history_.pop_front();
    history_.push_back(std::move(point));
}

std::uint32_t run_stats::name_index(std::string_view method, std::string_view name) {
    // A method is an HTTP token, so "\n" cannot make two keys collide.
    std::string key;
    key.reserve(method.size() + 1 + name.size());
    key.append(method).append("\n").append(name);
    const auto it = name_ids_.find(key);
    if (it != name_ids_.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(names_.size());
    names_.emplace_back(std::string(method), std::string(name));
    name_ids_.emplace(std::move(key), id);
    return id;
}

template <class Count>
double run_stats::window_rate(Count&& count) const {
    if (end_) return 0.0;  // stopped: nothing is being sent now
    const std::size_t n = std::min<std::size_t>(options_.rate_window_seconds, history_.size());
    std::uint64_t sum = 0;
    std::uint64_t ms = 0;
    for (auto it = history_.end() - static_cast<std::ptrdiff_t>(n); it != history_.end(); ++it) {
        sum += count(*it);
        ms += it->duration_ms;
    }
    return ms == 0 ? 0.0 : static_cast<double>(sum) * 1000.0 / static_cast<double>(ms);
}

double run_stats::current_rps() const noexcept {
    return window_rate([](const history_point& p) { return p.requests; });
}

double run_stats::current_fail_per_sec() const noexcept {
    return window_rate([](const history_point& p) { return p.failures; });
}

double run_stats::current_rps(std::string_view method, std::string_view name) const {
    return name_window_rate(method, name, &second_entry_point::requests);
}

double run_stats::current_fail_per_sec(std::string_view method, std::string_view name) const {
    return name_window_rate(method, name, &second_entry_point::failures);
}

double run_stats::name_window_rate(std::string_view method, std::string_view name,
                                   std::uint32_t second_entry_point::*count) const {
    const auto it = name_ids_.find(std::string(method) + "\n" + std::string(name));
    if (it == name_ids_.end()) return 0.0;
    return window_rate([id = it->second, count](const history_point& p) -> std::uint64_t {
        for (const auto& e : p.entries) {
            if (e.name == id) return e.*count;
        }
        return 0;
    });
}

double run_stats::elapsed_seconds() const noexcept {
    const stats_time end = end_.value_or(latest_);
    if (end <= since_) return 0.0;
    return std::chrono::duration<double>(end - since_).count();
}

double run_stats::per_second(std::uint64_t count) const noexcept {
    const double s = elapsed_seconds();
    return s <= 0.0 ? 0.0 : static_cast<double>(count) / s;
}

}  // namespace swarm::master
