// Locust's own web UI (Debian's python3-locust, one process, not headless)
// and `swarm run`'s, side by side against one `swarm target`, the same
// scenario on both (three named GETs, weights 3:1:1, one answered 500): the same REST calls on
// each, in the same order, and every fact Locust's answer shows (status, content type, download
// file name pattern, each JSON key's type, each CSV column's type, plain-text bodies) must be the
// same in swarm's, unless tests/web/locust_compat_allowed.json lists the difference as intended
// (README.md's "Locust API compatibility" table shows the same list; this
// test checks that too). Keys only swarm has are fine.
#include <gmock/gmock.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/integration/run_support.hpp"
#include "tests/support/files.hpp"
#include "tests/support/free_port.hpp"
#include "tests/web/web_support.hpp"

namespace swarm::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// What one side showed: "CALL | fact" -> value.
using facts = std::map<std::string, std::string>;

constexpr const char* locust_python = "/usr/bin/python3";

std::string locustfile() {
    auto path = ::testing::TempDir() + "/locust_compat_" + std::to_string(::getpid()) + ".py";
    // The history file flushed each second (Locust's default: every 10 s), so
    // its full history can be compared within the test's few seconds.
    std::ofstream(path) << R"py(import locust.stats
from locust import HttpUser, task, constant

locust.stats.CSV_STATS_FLUSH_INTERVAL_SEC = 0


class Browser(HttpUser):
    wait_time = constant(0.02)

    @task(3)
    def home(self):
        self.client.get("/", name="home")

    @task(1)
    def about(self):
        self.client.get("/about", name="about")

    @task(1)
    def broken(self):
        self.client.get("/status/500", name="broken")
)py";
    return path;
}

std::string scenario() {
    auto path = ::testing::TempDir() + "/locust_compat_" + std::to_string(::getpid()) + ".yaml";
    std::ofstream(path) << R"y(
users:
  Browser:
    wait: {constant: 20ms}
    tasks:
      home: {weight: 3, get: /, name: home}
      about: {weight: 1, get: /about, name: about}
      broken: {weight: 1, get: /status/500, name: broken}
)y";
    return path;
}

std::string type_of(const json::value& v) {
    switch (v.kind()) {
        case json::kind::null:
            return "null";
        case json::kind::bool_:
            return "bool";
        case json::kind::int64:
        case json::kind::uint64:
            return "int";
        case json::kind::double_:
            return "float";
        case json::kind::string:
            return "string";
        case json::kind::array:
            return "array";
        case json::kind::object:
            return "object";
    }
    return "?";
}

// Every key path's type ("stats[].median_response_time" -> "int"); an array's
// elements share one path, their types joined ("int|null") when they differ.
void json_facts(const json::value& v, const std::string& path,
                std::map<std::string, std::set<std::string>>& out) {
    out[path.empty() ? "." : path].insert(type_of(v));
    if (v.is_object()) {
        for (const auto& kv : v.get_object())
            json_facts(kv.value(), path + (path.empty() ? "" : ".") + std::string(kv.key()), out);
    } else if (v.is_array()) {
        for (const auto& e : v.get_array()) json_facts(e, path + "[]", out);
    }
}

// A CSV cell's type as a reader would parse it.
std::string cell_type(const std::string& cell) {
    static const std::regex int_re("-?[0-9]+"), float_re("-?[0-9]+\\.[0-9]+(e-?[0-9]+)?");
    if (cell.empty()) return "empty";
    if (cell == "N/A") return "N/A";
    if (std::regex_match(cell, int_re)) return "int";
    if (std::regex_match(cell, float_re)) return "float";
    return "string";
}

std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> cells{""};
    bool quoted = false;
    for (char c : line) {
        if (c == '"') quoted = !quoted;
        else if (c == ',' && !quoted) cells.emplace_back();
        else cells.back() += c;
    }
    return cells;
}

// The header line, and per row named in column 2 (Aggregated, home, ...), each column's type.
void csv_facts(const std::string& call, const std::string& body, facts& out) {
    std::istringstream in(body);
    std::string line;
    std::vector<std::string> header;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (header.empty()) {
            header = split_csv_line(line);
            out[call + " | csv header"] = line;
            continue;
        }
        const auto cells = split_csv_line(line);
        // Rows by their Name column (the last row of a name wins: the newest second).
        const auto name_at = std::find(header.begin(), header.end(), "Name") - header.begin();
        const auto at = static_cast<std::size_t>(name_at);
        const std::string row = at < cells.size() ? cells[at] : "?";
        for (std::size_t i = 0; i < cells.size() && i < header.size(); ++i)
            out[call + " | csv " + row + "." + header[i]] = cell_type(cells[i]);
    }
}

std::string main_type(std::string content_type) {
    content_type = content_type.substr(0, content_type.find(';'));
    for (auto& c : content_type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return content_type;
}

// "attachment;filename=requests_1765090000.123456.csv" ->
// "attachment;filename=requests_<time>.csv". "attachment; filename=" (Flask's send_file) and
// "attachment;filename=" are one.
std::string disposition_pattern(const std::string& header) {
    static const std::regex time_re("_[0-9]+(\\.[0-9]+)?\\."), space_re(";\\s+");
    return std::regex_replace(std::regex_replace(header, time_re, "_<time>."), space_re, ";");
}

class side {
  public:
    side(const std::string& origin, std::string name) : client_(origin), name_(std::move(name)) {}

    // One call: records its status, content type, download pattern and body facts.
    http_response call(const std::string& method, const std::string& target,
                       const std::string& body = "") {
        auto r = client_.request({method,
                                  target,
                                  body,
                                  body.empty() ? "" : "application/x-www-form-urlencoded",
                                  "",
                                  {}});
        const std::string call = method + " " + target;
        facts_[call + " | status"] = std::to_string(r.status);
        facts_[call + " | content type"] = main_type(r.header("Content-Type"));
        if (const auto d = r.header("Content-Disposition"); !d.empty())
            facts_[call + " | Content-Disposition"] = disposition_pattern(d);
        const auto type = main_type(r.header("Content-Type"));
        if (type == "application/json") {
            std::map<std::string, std::set<std::string>> types;
            json_facts(json_of(r), "", types);
            for (const auto& [path, set] : types) {
                std::string joined;
                for (const auto& t : set) joined += (joined.empty() ? "" : "|") + t;
                facts_[call + " | " + path] = joined;
            }
        } else if (type == "text/csv") {
            csv_facts(call, r.body, facts_);
        } else if (type == "text/html" && r.body.size() < 100) {
            facts_[call + " | body"] = r.body;
        }
        return r;
    }

    // Polls /stats/requests (not recorded) until `done`.
    json::value wait_for(const std::function<bool(const json::value&)>& done,
                         std::chrono::milliseconds timeout) {
        return poll_json(
            client_, "/stats/requests",
            [&](const json::value& d) { return d.is_object() && done(d); }, timeout);
    }

    void note(const std::string& fact, const std::string& value) { facts_[fact] = value; }
    const facts& seen() const { return facts_; }
    const std::string& name() const { return name_; }

  private:
    http_client client_;
    std::string name_;
    facts facts_;
};

std::int64_t aggregated_requests(const json::value& d) {
    for (const auto& e : d.at("stats").as_array())
        if (e.at("name").as_string() == "Aggregated")
            return e.at("num_requests").to_number<std::int64_t>();
    return 0;
}

// The same sequence on one side; both sides run it at once (own threads).
void exercise(side& s) {
    s.call("GET", "/");
    s.call("GET", "/tasks");
    s.call("GET", "/exceptions");
    s.call("GET", "/exceptions/csv");
    const auto start = std::chrono::steady_clock::now();
    const auto started = s.call("POST", "/swarm", "user_count=2&spawn_rate=20");
    const auto answer = json_of(started);
    s.note("POST /swarm | success value",
           answer.is_object() && answer.as_object().contains("success")
               ? json::serialize(answer.at("success"))
               : "(none)");
    // Enough traffic, and ≥ 3 s, so Locust's current percentiles have a window.
    s.wait_for([](const json::value& d) { return aggregated_requests(d) >= 60; }, 15s);
    std::this_thread::sleep_until(start + 3500ms);
    s.call("GET", "/stats/requests");
    s.call("GET", "/stats/requests/csv");
    s.call("GET", "/stats/failures/csv");
    s.call("GET", "/stats/requests_full_history/csv");
    s.call("GET", "/stats/report");
    s.call("GET", "/stats/report?download=1");
    s.call("GET", "/stop");
    // At once, as a script does: Locust starts it.
    const auto again = s.call("POST", "/swarm", "user_count=2&spawn_rate=20");
    s.note("POST /swarm after GET /stop | status", std::to_string(again.status));
    const auto doc = s.wait_for(
        [](const json::value& d) { return d.at("state").as_string() == "running"; }, 10s);
    s.note("POST /swarm after GET /stop | state", std::string(doc.at("state").as_string()));
    s.call("GET", "/stats/reset");
    s.call("GET", "/stop");
}

struct allowed_difference {
    std::string call, fact, locust, swarm;
};

// `pattern`'s "*" stands for one request name (not "Aggregated").
bool fact_matches(const std::string& pattern, const std::string& fact) {
    const auto star = pattern.find('*');
    if (star == std::string::npos) return pattern == fact;
    const std::string head = pattern.substr(0, star), tail = pattern.substr(star + 1);
    if (fact.size() < head.size() + tail.size() + 1 || fact.compare(0, head.size(), head) != 0 ||
        fact.compare(fact.size() - tail.size(), tail.size(), tail) != 0)
        return false;
    const std::string name = fact.substr(head.size(), fact.size() - head.size() - tail.size());
    return name != "Aggregated";
}

std::vector<allowed_difference> read_allowed() {
    const auto doc =
        read_json_file(std::string(SWARM_SOURCE_DIR) + "/tests/web/locust_compat_allowed.json");
    std::vector<allowed_difference> out;
    for (const auto& d : doc.at("differences").as_array()) {
        out.push_back({std::string(d.at("call").as_string()), std::string(d.at("fact").as_string()),
                       std::string(d.at("locust").as_string()),
                       std::string(d.at("swarm").as_string())});
    }
    return out;
}

TEST(locust_compat, the_same_calls_on_locusts_web_ui_and_swarms_differ_only_as_listed) {
    ASSERT_EQ(std::system((std::string(locust_python) + " -c 'import locust' 2>/dev/null").c_str()),
              0)
        << "Debian's python3-locust is missing: scripts/install-deps installs it";
    auto target = start_target({"--threads", "1"});
    const auto port = std::to_string(free_port());
    child_process locust({locust_python, "-m", "locust", "-f", locustfile(), "--web-host",
                          "127.0.0.1", "--web-port", port, "-H", target.url, "--loglevel",
                          "WARNING", "--csv",
                          ::testing::TempDir() + "/locust_compat_" + std::to_string(::getpid()),
                          "--csv-full-history"});
    // Both with --csv-full-history: the full-history download is that file on both sides.
    const auto swarm_csv = ::testing::TempDir() + "/swarm_compat_" + std::to_string(::getpid());
    auto ui = start_ui(scenario(), {"-H", target.url, "--csv", swarm_csv, "--csv-full-history"});
    side theirs("http://127.0.0.1:" + port, "locust");
    side ours(ui.origin, "swarm");
    // Locust is up once its page answers (a fresh connection each try: a
    // refused one leaves nothing to reuse).
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    bool up = false;
    while (!up && std::chrono::steady_clock::now() < deadline) {
        try {
            up = http_get("http://127.0.0.1:" + port + "/").status == 200;
        } catch (const std::exception&) {
            std::this_thread::sleep_for(100ms);
        }
    }
    ASSERT_TRUE(up) << "Locust's web UI did not answer on port " << port;
    http_client swarm_probe(ui.origin);
    poll_json(
        swarm_probe, "/readyz",
        [](const json::value& d) { return d.is_object() && d.at("ready").as_bool(); }, 20s);

    // Both at once (Locust's run overlaps swarm's), each in its own thread;
    // what one throws becomes a fact, so the comparison names it.
    const auto guarded = [](side& s) {
        try {
            exercise(s);
        } catch (const std::exception& e) {
            s.note("exercise | threw", e.what());
        }
    };
    std::thread t([&] { guarded(theirs); });
    guarded(ours);
    t.join();
    EXPECT_EQ(theirs.seen().count("exercise | threw"), 0u) << theirs.seen().at("exercise | threw");
    EXPECT_EQ(ours.seen().count("exercise | threw"), 0u) << ours.seen().at("exercise | threw");

    ASSERT_GT(theirs.seen().size(), 50u) << "Locust answered too little to compare";
    std::cout << "comparing " << theirs.seen().size() << " facts of Locust's answers\n";
    if (const char* dump = std::getenv("SWARM_LOCUST_FACTS")) {
        std::ofstream out(dump);
        for (const auto& [fact, value] : theirs.seen()) {
            const auto it = ours.seen().find(fact);
            out << fact << " = " << value << " / "
                << (it == ours.seen().end() ? "(missing)" : it->second) << "\n";
        }
    }
    const auto allowed = read_allowed();
    std::set<std::size_t> used;
    std::vector<std::string> unexpected;
    for (const auto& [fact, value] : theirs.seen()) {
        const auto it = ours.seen().find(fact);
        const std::string mine = it == ours.seen().end() ? "(missing)" : it->second;
        if (mine == value) continue;
        const auto bar = fact.find(" | ");
        const std::string call = fact.substr(0, bar), what = fact.substr(bar + 3);
        bool ok = false;
        for (std::size_t i = 0; i < allowed.size(); ++i) {
            const auto& a = allowed[i];
            if (a.call == call && fact_matches(a.fact, what) && a.locust == value &&
                a.swarm == mine) {
                ok = true;
                used.insert(i);
            }
        }
        if (!ok) unexpected.push_back(fact + ": locust " + value + ", swarm " + mine);
    }
    for (const auto& u : unexpected) ADD_FAILURE() << "not an intended difference: " << u;
    for (std::size_t i = 0; i < allowed.size(); ++i) {
        if (!used.count(i))
            std::cout << "note: intended difference not seen this time: " << allowed[i].call
                      << " | " << allowed[i].fact << "\n";
    }
}

TEST(locust_compat, the_readme_shows_every_intended_difference) {
    const auto readme = read_whole_file(std::string(SWARM_SOURCE_DIR) + "/README.md");
    const auto allowed = read_allowed();
    ASSERT_FALSE(allowed.empty());
    for (const auto& a : allowed)
        EXPECT_THAT(readme, ::testing::HasSubstr("`" + a.call + "` | `" + a.fact + "`"))
            << "README's table lacks this row";
}

}  // namespace
}  // namespace swarm::test
