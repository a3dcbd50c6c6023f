// bench/fanin: how much of a core does `swarm master` need to take in the
// statistics of N workers? Starts a real `swarm master` (pinned to CPU 0),
// simulates N workers over tcp from this process (pinned to CPU 1), and once
// every worker reports, measures the master's CPU % and RSS from /proc over a
// window, and — when the master has a web UI — the latency of GET
// /stats/requests (the master then runs with its UI, and the test is started
// by POST /swarm as from a browser). At the end, checks that the master
// counted every request the workers reported (its --json total, or with the
// UI the Aggregated row once the test stopped), so a fast master that drops
// reports cannot look good, and counts the workers it called missing (all are
// alive: each is a false alarm). A benchmark, not a test: prints a table.
//
//   cmake --build build/release --target fanin
//   build/release/bench/fanin/fanin --swarm build/release/swarm --workers 100,500,1000
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "bench/fanin/http_probe.hpp"
#include "bench/fanin/master_process.hpp"
#include "bench/fanin/report_pool.hpp"
#include "bench/fanin/sim_fleet.hpp"

namespace swarm::bench {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

struct options {
    std::string swarm = "build/release/swarm";
    std::vector<std::size_t> workers{100, 500, 1000};
    int settle_s = 3;   // after every worker runs, before measuring
    int window_s = 10;  // the measured window
    report_shape shape;
    bool auth = false;      // CURVE between master and workers
    bool pin = true;        // master on CPU 0, simulator on CPU 1
    bool headless = false;  // run the master --headless even when it has a web UI (no REST timing)
    std::string keep;       // directory for the master's logs and results; "" = temporary
    std::string wrap;       // a command the master runs under, e.g. "valgrind --tool=callgrind"
};

// What `swarm master --help` offers (the bench adapts to the build it measures).
struct master_features {
    bool web = false;   // --web-port: REST latency can be measured
    bool auth = false;  // --auth-key-file
};

struct result {
    std::size_t workers = 0;
    double master_cpu_percent = -1;
    std::uint64_t master_rss = 0;     // peak seen in the window
    double reports_per_s = 0;         // stats_reports sent by the fleet in the window
    double mb_per_s = 0;              // bytes sent by the fleet in the window
    double sim_cpu_percent = 0;       // this process in the window
    std::vector<double> rest_ms;      // GET /stats/requests latencies
    double cpu_us_per_report = 0;     // the master's whole life (wait4) / reports sent
    std::uint64_t requests_sent = 0;  // in all reports
    std::optional<std::uint64_t> requests_counted;  // the master's total (--json, or the web API's)
    std::uint64_t lost_reports = 0;                 // the master's count of sequence gaps
    std::uint64_t unsent = 0;
    std::uint64_t missing_lines =
        0;                // "is missing" lines in the master's log (every worker is alive)
    std::string problem;  // why the run is not valid, if it is not
};

master_features probe_features(const std::string& swarm) {
    master_features f;
    const std::string cmd = "'" + swarm + "' master --help 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return f;
    std::string help;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) help.append(buf, n);
    ::pclose(p);
    f.web = help.find("--web-port") != std::string::npos;
    f.auth = help.find("--auth-key-file") != std::string::npos;
    return f;
}

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                       ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
    ::close(fd);
    if (!bound) throw std::runtime_error(std::string("no free port: ") + std::strerror(errno));
    return ntohs(a.sin_port);
}

void pin_self(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    (void)::sched_setaffinity(0, sizeof set, &set);
}

double own_cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string write_scenario(const std::filesystem::path& dir) {
    auto path = (dir / "fanin.yaml").string();
    // Never run: the simulated workers make no requests.
    std::ofstream(path)
        << "host: http://127.0.0.1:9\nusers:\n  Sim:\n    tasks:\n      index: {get: /}\n";
    return path;
}

std::string write_shared_key(const std::filesystem::path& dir, proto::auth_keys& keys) {
    keys.kind = proto::key_file_kind::shared;
    keys.own = proto::generate_curve_key_pair();
    keys.master_public = keys.own.public_key;
    auto path = (dir / "fanin.key").string();
    std::ofstream(path) << proto::format_key_file(keys);
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return path;
}

// The master's total request count and lost reports from its --json file.
void read_master_json(const std::string& path, result& r) {
    std::ifstream in(path);
    if (!in) return;
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    const auto doc = boost::json::parse(text.str(), ec);
    if (ec || !doc.is_object()) return;
    const auto& o = doc.as_object();
    if (const auto* total = o.if_contains("total"); total && total->is_object()) {
        r.requests_counted = total->as_object().at("requests").to_number<std::uint64_t>();
    }
    if (const auto* run = o.if_contains("run"); run && run->is_object()) {
        if (const auto* lost = run->as_object().if_contains("lost_reports")) {
            r.lost_reports = lost->to_number<std::uint64_t>();
        }
    }
}

// How often the master called a worker missing. Every simulated worker
// stays alive and keeps sending heartbeats, so each line is a false alarm
// (and a rebalance).
std::uint64_t count_missing_lines(const std::string& log_path) {
    std::ifstream in(log_path);
    std::uint64_t n = 0;
    for (std::string line; std::getline(in, line);)
        n += line.find(" is missing ") != std::string::npos ? 1 : 0;
    return n;
}

// With the web UI on: the master's Aggregated request count and the test's
// state, from GET /stats/requests.
struct web_totals {
    std::string state;
    std::optional<std::uint64_t> requests;
};

std::optional<web_totals> read_web_totals(int web_port) {
    const auto p = http_get(web_port, "/stats/requests");
    if (!p || p->status != 200) return std::nullopt;
    boost::system::error_code ec;
    const auto doc = boost::json::parse(p->body, ec);
    if (ec || !doc.is_object()) return std::nullopt;
    web_totals t;
    const auto& o = doc.as_object();
    if (const auto* state = o.if_contains("state"); state && state->is_string())
        t.state = state->as_string().c_str();
    if (const auto* stats = o.if_contains("stats"); stats && stats->is_array()) {
        for (const auto& row : stats->as_array()) {
            const auto* name = row.is_object() ? row.as_object().if_contains("name") : nullptr;
            if (name && name->is_string() && name->as_string() == "Aggregated") {
                t.requests = row.as_object().at("num_requests").to_number<std::uint64_t>();
            }
        }
    }
    return t;
}

// With the web UI on, the master waits for a start from the API, as from a
// browser: once every simulated worker is ready, POST /swarm with the run's
// figures (its -u/-r/-t are only the form's defaults).
bool start_from_web(int web_port, std::size_t workers, int run_s, const fleet_counters& c,
                    const std::atomic<bool>& give_up) {
    while (!give_up) {
        if (c.ready.load() >= workers) {
            // With the UI, /readyz is 200 once serving; its body's "ready"
            // says whether the master's --expect-workers joined.
            const auto ready = http_get(web_port, "/readyz");
            if (ready && ready->status == 200 &&
                ready->body.find("\"ready\":true") != std::string::npos)
                break;
        }
        std::this_thread::sleep_for(100ms);
    }
    if (give_up) return false;
    const auto started = http_post_form(web_port, "/swarm",
                                        "user_count=" + std::to_string(workers * 10) +
                                            "&spawn_rate=" + std::to_string(workers * 100) +
                                            "&run_time=" + std::to_string(run_s) + "s");
    return started && started->status == 200;
}

// With the web UI on, the master does not exit when the test ends: wait for
// the test to stop (every worker's last report is in by then), read what the
// master counted, and ask it to exit.
void finish_from_web(int web_port, pid_t master, int run_s, const std::atomic<bool>& give_up,
                     result& r) {
    const auto deadline = clock::now() + std::chrono::seconds(run_s + 60);
    while (!give_up && clock::now() < deadline) {
        if (auto t = read_web_totals(web_port); t && t->state == "stopped") {
            r.requests_counted = t->requests;
            break;
        }
        std::this_thread::sleep_for(250ms);
    }
    ::kill(master, SIGTERM);
}

// The measuring side: waits for every worker to run, then samples the master
// over the window while the fleet's thread keeps serving.
void measure(const options& o, const master_features& f, int web_port, pid_t master,
             const sim_fleet& fleet, const std::atomic<bool>& give_up, result& r) {
    const fleet_counters& c = fleet.counters();
    const int run_s = o.settle_s + o.window_s + 3;
    if (f.web && !start_from_web(web_port, r.workers, run_s, c, give_up)) {
        if (!give_up) r.problem = "POST /swarm failed";
        ::kill(master, SIGTERM);
        return;
    }
    while (c.running.load() < r.workers && !give_up) std::this_thread::sleep_for(50ms);
    if (give_up) return;
    std::this_thread::sleep_for(std::chrono::seconds(o.settle_s));
    const double cpu0 = cpu_seconds(master);
    const double own0 = own_cpu_seconds();
    const std::uint64_t reports0 = c.reports, bytes0 = c.bytes_out;
    const auto t0 = clock::now();
    const auto end = t0 + std::chrono::seconds(o.window_s);
    while (clock::now() < end && !give_up) {
        r.master_rss = std::max(r.master_rss, rss_bytes(master));
        if (f.web) {
            if (auto p = http_get(web_port, "/stats/requests"); p && p->status == 200) {
                r.rest_ms.push_back(static_cast<double>(p->elapsed.count()) / 1000.0);
            }
        }
        std::this_thread::sleep_for(500ms);
    }
    const double seconds = std::chrono::duration<double>(clock::now() - t0).count();
    const double cpu1 = cpu_seconds(master);
    if (cpu0 < 0 || cpu1 < 0) {
        r.problem = "the master exited during the window";
        return;
    }
    r.master_cpu_percent = 100.0 * (cpu1 - cpu0) / seconds;
    r.sim_cpu_percent = 100.0 * (own_cpu_seconds() - own0) / seconds;
    r.reports_per_s = static_cast<double>(c.reports - reports0) / seconds;
    r.mb_per_s = static_cast<double>(c.bytes_out - bytes0) / seconds / 1e6;
    if (f.web) finish_from_web(web_port, master, run_s, give_up, r);
}

result run_one(const options& o, const master_features& f, std::size_t n, const report_pool& pool,
               const std::filesystem::path& dir) {
    result r;
    r.workers = n;
    const int port = free_port();
    const int web_port = f.web ? free_port() : 0;
    const int run_s = o.settle_s + o.window_s + 3;
    std::vector<std::string> argv{o.swarm,
                                  "master",
                                  write_scenario(dir),
                                  "--bind",
                                  "127.0.0.1:" + std::to_string(port),
                                  "--expect-workers",
                                  std::to_string(n),
                                  "-u",
                                  std::to_string(n * 10),
                                  "-r",
                                  std::to_string(n * 100),
                                  "-t",
                                  std::to_string(run_s) + "s"};
    if (!f.web) {
        argv.insert(argv.end(),
                    {"--headless", "--expect-workers-max-wait", "120s", "--only-summary", "--json",
                     (dir / ("result-" + std::to_string(n) + ".json")).string()});
    }
    std::optional<proto::auth_keys> keys;
    if (o.auth) {
        keys.emplace();
        argv.insert(argv.end(), {"--auth-key-file", write_shared_key(dir, *keys)});
    }
    if (f.web)
        argv.insert(argv.end(),
                    {"--web-host", "127.0.0.1", "--web-port", std::to_string(web_port)});

    if (!o.wrap.empty()) {
        std::istringstream words(o.wrap);
        std::vector<std::string> prefix{std::istream_iterator<std::string>(words), {}};
        argv.insert(argv.begin(), prefix.begin(), prefix.end());
    }
    master_process master(argv, (dir / ("master-" + std::to_string(n) + ".log")).string(),
                          o.pin ? 0 : -1);
    sim_fleet fleet(n, "tcp://127.0.0.1:" + std::to_string(port), pool, keys);
    std::atomic<bool> give_up{false};
    std::thread measurer([&] { measure(o, f, web_port, master.pid(), fleet, give_up, r); });
    // Joining 1000 workers takes a while on a loaded machine; the run itself is run_s.
    const auto deadline = clock::now() + std::chrono::seconds(120 + run_s + 30);
    fleet.run([&] { return master.poll_exit().has_value(); }, deadline);
    give_up = true;
    measurer.join();
    const auto code = master.wait_exit(30s);
    r.requests_sent = fleet.counters().requests;
    if (code && fleet.counters().reports > 0) {
        r.cpu_us_per_report =
            1e6 * master.total_cpu_seconds() / static_cast<double>(fleet.counters().reports);
    }
    r.unsent = fleet.counters().unsent;
    r.missing_lines =
        count_missing_lines((dir / ("master-" + std::to_string(n) + ".log")).string());
    if (!f.web) read_master_json((dir / ("result-" + std::to_string(n) + ".json")).string(), r);
    if (!code) r.problem = "the master did not finish";
    else if (r.problem.empty() && r.master_cpu_percent < 0)
        r.problem = "not every worker got to run";
    return r;
}

void print_header(const options& o, const report_pool& pool) {
    std::printf(
        "fanin: each simulated worker sends 1 stats_report/s with %zu rows (%.0f histogram buckets "
        "per row "
        "on average) and 1 heartbeat/s%s\n",
        o.shape.entries, pool.average_buckets_per_entry(), o.auth ? "; CURVE on" : "");
    std::printf("%8s %11s %12s %11s %10s %7s %10s %14s  %s\n", "workers", "master CPU",
                "CPU/report", "master RSS", "reports/s", "MB/s", "fanin CPU", "GET /stats ms",
                "master counted");
}

void print_row(const result& r) {
    std::string rest = "n/a";
    if (!r.rest_ms.empty()) {
        auto v = r.rest_ms;
        std::sort(v.begin(), v.end());
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.1f / %.1f", v[v.size() / 2], v.back());
        rest = buf;
    }
    std::string counted = "no total read";
    if (r.requests_counted) {
        counted = (*r.requests_counted == r.requests_sent ? "all " : "MISMATCH ") +
                  std::to_string(*r.requests_counted) + " of " + std::to_string(r.requests_sent);
        if (r.lost_reports) counted += ", " + std::to_string(r.lost_reports) + " reports lost";
    }
    if (r.unsent) counted += ", " + std::to_string(r.unsent) + " unsent";
    counted += ", " + std::to_string(r.missing_lines) + " called missing";
    if (!r.problem.empty()) counted += " [" + r.problem + "]";
    std::printf("%8zu %10.1f%% %9.0f us %7.1f MiB %10.0f %7.2f %9.1f%% %14s  %s\n", r.workers,
                r.master_cpu_percent, r.cpu_us_per_report,
                static_cast<double>(r.master_rss) / (1 << 20), r.reports_per_s, r.mb_per_s,
                r.sim_cpu_percent, rest.c_str(), counted.c_str());
    std::fflush(stdout);
}

void raise_open_file_limit() {
    rlimit l{};
    if (::getrlimit(RLIMIT_NOFILE, &l) == 0 && l.rlim_cur < l.rlim_max) {
        l.rlim_cur = l.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &l);
    }
}

int run(const options& o) {
    if (!std::filesystem::exists(o.swarm)) {
        std::cerr << "fanin: no swarm binary at " << o.swarm << " (--swarm PATH)\n";
        return 2;
    }
    master_features f = probe_features(o.swarm);
    if (o.headless) f.web = false;
    if (o.auth && !f.auth) {
        std::cerr << "fanin: this swarm master has no --auth-key-file\n";
        return 2;
    }
    if (!f.web) std::printf("fanin: master runs --headless (no web UI): REST latency skipped\n");
    else std::printf("fanin: master runs with its web UI; the test is started by POST /swarm\n");
    raise_open_file_limit();
    const bool pin = o.pin && std::thread::hardware_concurrency() >= 2;
    if (pin) pin_self(1);
    options run_opts = o;
    run_opts.pin = pin;
    const report_pool pool(o.shape);
    const auto dir = o.keep.empty() ? std::filesystem::temp_directory_path() /
                                          ("swarm-fanin-" + std::to_string(::getpid()))
                                    : std::filesystem::path(o.keep);
    std::filesystem::create_directories(dir);
    print_header(o, pool);
    for (std::size_t n : o.workers) print_row(run_one(run_opts, f, n, pool, dir));
    if (o.keep.empty()) std::filesystem::remove_all(dir);
    else std::printf("fanin: master logs and results in %s\n", dir.c_str());
    return 0;
}

int parse_and_run(int argc, char** argv) {
    swarm::bench::options o;
    CLI::App app{"bench/fanin: swarm master's CPU with N simulated workers reporting stats"};
    app.add_option("--swarm", o.swarm, "the swarm binary to measure")->capture_default_str();
    app.add_option("--workers", o.workers, "worker counts to measure")
        ->delimiter(',')
        ->capture_default_str();
    app.add_option("--settle", o.settle_s, "seconds after every worker runs, before measuring")
        ->capture_default_str();
    app.add_option("--window", o.window_s, "seconds measured")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
    app.add_option("--entries", o.shape.entries, "rows per stats_report")->capture_default_str();
    app.add_option("--requests-per-entry", o.shape.requests_per_entry,
                   "requests per row per report")
        ->capture_default_str();
    app.add_flag("--auth", o.auth, "secure the worker port with CURVE (a shared key file)");
    app.add_flag(
        "--headless", o.headless,
        "run the master --headless (writes --json) even when it has a web UI; no REST timing");
    app.add_flag("!--no-pin", o.pin, "do not pin the master to CPU 0 and this process to CPU 1");
    app.add_option("--keep", o.keep, "keep the master's logs and --json results in this directory");
    app.add_option("--wrap", o.wrap,
                   "run the master under this command, e.g. "
                   "\"valgrind --tool=callgrind\"");
    CLI11_PARSE(app, argc, argv);
    return swarm::bench::run(o);
}

}  // namespace
}  // namespace swarm::bench

int main(int argc, char** argv) {
    try {
        return swarm::bench::parse_and_run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fanin: %s\n", e.what());
        return 1;
    }
}
