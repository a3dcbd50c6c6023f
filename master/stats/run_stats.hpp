#pragma once
// The master's statistics for one run: the cumulative request table and
// error table merged from every worker's deltas, plus a per-second history
// on the master's own clock (ARCHITECTURE.md, data flow 5: worker clocks may
// disagree, so the master's arrival times decide where a delta counts).
//
// Owned by the master's control thread; a plain value, not thread-safe. It
// never reads a clock: every call that needs the time is handed it, so tests
// drive it on simulated time.
//
// Seconds. The run's second grid starts at the construction time `start`:
// second k covers [start + k s, start + (k + 1) s) on the steady clock, and
// its unix timestamp is floor((start_wall_ms + 1000 k) / 1000) - one anchor
// for the whole run, so history timestamps are consecutive even if the wall
// clock is adjusted meanwhile. A second takes deltas from its start until
// `late_report_grace` after its end, and is *closed* (turned into a
// history_point, its histograms reduced to a few percentiles) by the first
// apply(), tick() or stop() past that.
//
// Which second a delta counts in. Each worker reports once a second on its
// own phase. Counting a delta in the second it arrives in would alias: a
// worker whose reports arrive near a second boundary lands, with a few ms of
// jitter, twice in one second and not at all in the next, so a steady load
// shows as 0 then double. Instead each worker's deltas go to consecutive
// seconds: the second after its previous delta's, while that one is open.
// A worker's first delta, or one whose second has already closed (it was
// silent, or lost a report), is placed so that it arrives mid-window:
// the second in which it arrived `late_report_grace` / 2 earlier. Its next
// ones then have a quarter of a second's slack each way.
// The last second. stop() cuts the run's last second short, but the final
// deltas it holds each cover up to a whole reporting interval of their
// worker's time: since that worker's previous report, however soon after a
// second boundary the stop came. Dividing them by the cut (a few ms) drew
// the last point of every chart, history CSV and report at many times the
// steady rate. So the cut second's duration_ms is the time its deltas cover:
// per worker, the master-time gap since its previous delta (since the start
// for a first one; up to stopping(), when the stop was sent, for a delta
// that arrives after it), averaged over the workers that reported in it, at most
// 1000. Workers that share the load evenly thus give its true rate whatever
// their phases. A short cut second carries few, noisy ms (a delta's arrival
// jitter is large against 50 ms), so when the stop comes while the previous
// second is still in its grace (the first late_report_grace of a second) the
// cut one is folded into it: one point, its requests, failures, drops and
// entries merged, its percentiles from both seconds' histograms, over both
// seconds' covered time - in which the middle delta's jitter cancels. Every
// reader (snapshot, REST, CSV, JSON, HTML, /metrics)
// divides by duration_ms, so all of them show it.
// Current rates. current_rps() averages the last `rate_window_seconds`
// closed seconds (default 3) and never an open one, which is only partly
// filled. Locust averages a 10 s window that ends 2 s in the past, so its
// figure trails a change in load by several seconds; with workers reporting
// every second ours reflects a change after about 2.5 s (a second closes
// late_report_grace after its end) and settles within window + 1.5 s.
//
// Memory. A history point costs about 150 bytes plus 24 bytes per request
// name active in that second: an hour with 20 busy names is about 2.3 MB;
// the history is capped (default 24 h of seconds) and drops its oldest
// points. The cumulative table holds one histogram (~14 KB) per name, capped
// like stats::table; the history's name registry keeps every name that ever
// had a cumulative row (bounded by the cap per reset).
//
// ITER rows. Open (arrival) classes report one row per task with method
// "ITER" (iter_method): the iteration's latency from its scheduled start.
// They are not requests, so they have their own rows (requests(), history
// entries, per-name rates) but count in no aggregate: total(), the history
// points' requests/failures/percentiles/total, current_rps() and the
// workers' contributions - the target's counters must still equal swarm's
// request totals.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/stats/class_counters.hpp"
#include "common/stats/delta.hpp"
#include "common/stats/entry.hpp"
#include "common/stats/error_table.hpp"
#include "common/stats/table.hpp"

namespace swarm::master {

using stats_clock = std::chrono::steady_clock;

// The method of the iteration rows of open classes (see "ITER rows" above).
inline constexpr std::string_view iter_method = stats::table::iter_method;
// True for every row that is not a request: ITER rows and `group:` steps'
// GROUP rows (a group's duration), kept out of totals, rates and history.
inline bool is_iter_row(std::string_view method) noexcept {
    return method == iter_method || method == stats::table::group_method;
}
using stats_time = stats_clock::time_point;

struct run_stats_options {
    std::size_t max_history_seconds = 24 * 3600;  // history points kept; oldest dropped
    std::uint32_t rate_window_seconds = 3;        // closed seconds current_rps() averages
    // How long after its end a second still takes deltas; below 1 s, so at
    // most two seconds are open at once.
    std::chrono::milliseconds late_report_grace{500};
    std::size_t max_names = stats::table::default_max_names;          // cumulative table cap
    std::size_t max_errors = stats::error_table::default_max_errors;  // error table cap
};

// One request name's figures for one second of history.
struct second_entry_point {
    std::uint32_t name = 0;      // index into run_stats::names()
    std::uint32_t requests = 0;  // requests received in this second
    std::uint32_t failures = 0;  // of which failed
    std::uint32_t p50_us = 0;    // µs, median latency of this second's requests
    std::uint32_t p95_us = 0;    // µs, 95th percentile of this second
    std::uint32_t p99_us = 0;    // µs, 99th percentile of this second
};

// Cumulative figures (since start or the last reset) at the end of a second;
// what the "Total ..." columns of the history CSV show.
struct cumulative_point {
    std::uint64_t requests = 0;   // requests so far
    std::uint64_t failures = 0;   // failures so far
    std::uint64_t median_us = 0;  // µs, median over all requests so far
    double avg_us = 0;            // µs, mean latency so far
    std::uint64_t min_us = 0;     // µs, fastest request so far (0: none)
    std::uint64_t max_us = 0;     // µs, slowest request so far
    double avg_bytes = 0;         // bytes, mean response body size so far
};

// Mean response body size of `e` (bytes); 0 when it has no requests.
double average_bytes(const stats::entry& e) noexcept;
// `e`'s cumulative figures as a point's total holds them.
cumulative_point cumulative_of(const stats::entry& e);

// Latencies are stored as 32-bit µs (saturating at 71.6 min, the histogram's
// tracked range anyway) so that a day of history stays small.
using second_percentiles = std::array<std::uint32_t, stats::standard_percentiles.size()>;

// One closed second: only numbers, no histograms.
struct history_point {
    std::uint64_t second = 0;  // index on the run's grid (0 = the run's first second)
    std::int64_t unix_s = 0;   // unix time (s) at which the second began
    // ms the point's figures cover; 1000 but for the last (see "The last
    // second": the time its deltas cover, up to 2000 when it folded the cut one in).
    std::uint32_t duration_ms = 1000;
    std::uint32_t user_count = 0;  // users running when the second closed
    // Users the load profile planned when the second closed (stages); none
    // without a profile, or after an edit switched the test to manual.
    std::optional<std::uint32_t> planned_users;
    std::uint64_t dropped_iterations = 0;  // all open classes: arrivals dropped in this second
    std::uint64_t requests = 0;            // all names: requests received in this second
    std::uint64_t failures = 0;            // all names: failures received in this second
    second_percentiles percentiles_us{};   // µs, all names, this second, at standard_percentiles
    cumulative_point total;                // all names, cumulative at the end of this second
    std::vector<second_entry_point> entries;  // names with requests in this second only

    // Requests and failures per second over this point (duration-aware).
    double rps() const noexcept;
    double fail_per_sec() const noexcept;
    // The p-th percentile (one of standard_percentiles) of this second, µs.
    std::uint32_t percentile_us(double p) const noexcept;
};

// What one worker has contributed (for the workers view).
struct worker_contribution {
    std::uint64_t reports = 0;                 // deltas applied
    std::uint64_t requests = 0;                // requests in them (since the last reset)
    std::uint64_t failures = 0;                // failures in them (since the last reset)
    stats_time last_report{};                  // master time of the latest delta
    std::optional<std::uint64_t> last_second;  // grid second its latest delta counted in
};

class run_stats {
  public:
    // Starts the run's second grid at `start` (steady) = `start_wall_ms` (unix ms).
    run_stats(stats_time start, std::int64_t start_wall_ms, run_stats_options options = {});

    // Merges one worker's interval delta into the cumulative tables and into
    // the worker's next open second (see "Which second" above), closing the
    // seconds whose grace ended by `now` first.
    void apply(std::string_view worker_id, const stats::delta& delta, stats_time now);

    // Closes every second whose grace ended by `now`; `user_count` is recorded in
    // the points it closes, `wall_ms` (unix ms) is the time the run has
    // lasted until, for rates, until stop(). Call it at least once a second.
    void tick(stats_time now, std::int64_t wall_ms, std::uint32_t user_count);

    // The stop was sent to the workers at `now`: their users start no request
    // after it, so the time a later delta covers ends there (see "The last
    // second"), not when the delta arrives after the users wound down.
    // The first call counts (a second stop only hurries the workers).
    void stopping(stats_time now) noexcept {
        if (!stop_sent_) stop_sent_ = now;
    }

    // Ends the run: closes the elapsed seconds (a full one still in its
    // grace too) and the cut last one (if it received anything) and fixes
    // the end time. Later deltas (stragglers)
    // still count in the cumulative figures, not in the history.
    void stop(stats_time now, std::int64_t wall_ms);

    // Stats reset (the UI's "reset stats"): clears the cumulative request and
    // error tables and what workers contributed, and restarts the time rates
    // are averaged over at `now`. History is kept, as in Locust.
    void reset(stats_time now);

    // Cumulative rows since start or reset.
    const stats::table& requests() const noexcept { return requests_; }
    const stats::error_table& errors() const noexcept { return errors_; }
    // All request rows merged ("Aggregated"); ITER rows are not requests.
    const stats::entry& total() const noexcept { return total_; }
    // Per user class: iterations, dropped iterations, pacing overruns,
    // cumulative since start or reset.
    const stats::class_table& classes() const noexcept { return classes_; }

    // The users the load profile plans now (recorded in the seconds that
    // close from here on); nullopt: no profile.
    void set_planned_users(std::optional<std::uint32_t> planned) noexcept {
        planned_users_ = planned;
    }

    // Called as each second closes, before its histograms are dropped, with
    // the point and that second's rows (histograms included; names as in
    // requests(), which holds the cumulative rows at that time). What
    // --csv-full-history writes as it goes: the history itself keeps only
    // a name's requests, failures and 50/95/99th percentile per second.
    using second_listener =
        std::function<void(const run_stats&, const history_point&, const stats::table&)>;
    void set_second_listener(second_listener listener) { on_second_ = std::move(listener); }

    // Closed seconds, oldest first.
    const std::deque<history_point>& history() const noexcept { return history_; }
    // (method, name) of history entries, by second_entry_point::name.
    const std::vector<std::pair<std::string, std::string>>& names() const noexcept {
        return names_;
    }
    const std::map<std::string, worker_contribution, std::less<>>& workers() const noexcept {
        return workers_;
    }

    // Requests and failures per second over the trailing window of closed
    // seconds, all names or one; 0 before the first second closes, and 0
    // once stopped (where Locust's figure decays to 0 over 10 s): the run's
    // average is per_second(count).
    double current_rps() const noexcept;
    double current_rps(std::string_view method, std::string_view name) const;
    double current_fail_per_sec() const noexcept;
    double current_fail_per_sec(std::string_view method, std::string_view name) const;

    // Seconds the cumulative figures cover: from start (or reset) to the
    // latest time seen, or to stop(). The divisor of the "total" rates.
    double elapsed_seconds() const noexcept;
    // `count` / elapsed_seconds(), 0 when no time has passed.
    double per_second(std::uint64_t count) const noexcept;

    std::int64_t start_wall_ms() const noexcept { return start_wall_ms_; }
    // Unix ms stop() was given; nullopt while running.
    std::optional<std::int64_t> end_wall_ms() const noexcept { return end_wall_ms_; }
    // Latest unix ms known: the end, else the latest tick (or the start).
    std::int64_t last_wall_ms() const noexcept { return end_wall_ms_.value_or(last_wall_ms_); }
    bool stopped() const noexcept { return end_wall_ms_.has_value(); }
    const run_stats_options& options() const noexcept { return options_; }

  private:
    // Closes the seconds whose grace ended by `now`.
    void advance(stats_time now);
    // Grid index of the second `now` lies in (0 before the start).
    std::uint64_t second_of(stats_time now) const noexcept;
    // The open second a delta from `w` arriving at `now` counts in.
    std::uint64_t second_for(const worker_contribution& w, stats_time now) const noexcept;
    // Turns the oldest open second into a history point of `duration_ms`.
    void close_oldest_second(std::uint32_t duration_ms);
    stats::table& open_table(std::uint64_t second) noexcept { return open_[second % 2]; }
    void push_history(history_point point);
    std::uint32_t name_index(std::string_view method, std::string_view name);
    // count(point) summed over the trailing window, per second of the window's length.
    template <class Count>
    double window_rate(Count&& count) const;
    // window_rate of one name's `count` (requests or failures); 0 for a name never seen.
    double name_window_rate(std::string_view method, std::string_view name,
                            std::uint32_t second_entry_point::*count) const;

    run_stats_options options_;
    stats_time start_;                         // steady time of second 0's start
    std::int64_t start_wall_ms_;               // unix ms at start_
    std::int64_t last_wall_ms_;                // unix ms of the latest tick
    std::optional<std::int64_t> end_wall_ms_;  // unix ms given to stop()
    std::optional<stats_time> end_;            // steady time given to stop()
    std::optional<stats_time> stop_sent_;      // steady time given to stopping()
    stats_time since_;                         // start of the cumulative figures (start or reset)
    stats_time latest_;                        // latest `now` seen

    stats::table requests_;       // cumulative, by (method, name)
    stats::error_table errors_;   // cumulative
    stats::entry total_;          // requests_ merged, kept up to date by apply()
    stats::class_table classes_;  // cumulative, by user class

    // Seconds first_open_ and first_open_ + 1 (once begun) take deltas;
    // their requests, names as in requests_, by second % 2.
    std::uint64_t first_open_ = 0;
    std::array<stats::table, 2> open_;
    std::array<std::uint64_t, 2> open_dropped_{};  // dropped iterations, by second % 2
    // Summed over the deltas of each open second: the ms of worker time they
    // cover, and how many workers sent them (the cut last second's length).
    std::array<std::uint64_t, 2> open_covered_ms_{};
    std::array<std::uint64_t, 2> open_reporters_{};
    std::uint32_t user_count_ = 0;                // latest tick's user count
    std::optional<std::uint32_t> planned_users_;  // see set_planned_users()

    std::deque<history_point> history_;                                // closed seconds, capped
    std::vector<std::pair<std::string, std::string>> names_;           // history name registry
    std::unordered_map<std::string, std::uint32_t> name_ids_;          // "method\nname" -> index
    std::map<std::string, worker_contribution, std::less<>> workers_;  // by worker id
    second_listener on_second_;                                        // see set_second_listener()
};

}  // namespace swarm::master
