// Hostile peers on the master's worker port: a real `swarm master` (web UI
// on) and raw ZeroMQ clients of the test's own, speaking only the wire (a
// DEALER with cppzmq, or hand-made ZMTP bytes over TCP, with or without a
// CURVE greeting). Under each attack the master's memory grows by less than
// 64 MiB over what it had before (an idle master under ASan has ~160 MB of
// its own; one without these bounds grew by 0.3 to 2.4 GB), its web UI and
// /healthz answer, and a real worker that joins afterwards counts exactly
// what the target saw.
#include <gmock/gmock.h>
#include <fstream>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <csignal>
#include <functional>
#include <thread>
#include <utility>
#include <zmq.hpp>

#include "proto/codec.hpp"
#include "tests/integration/run_support.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/files.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process_memory.hpp"
#include "tests/support/swarm_command.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr std::uint64_t growth_bound_kib = 64 * 1024;

constexpr const char* steady_scenario = R"y(
users:
  Steady:
    wait: {between: [20ms, 40ms]}
    tasks:
      index: {get: /}
)y";

// `swarm master` with its web UI; stderr (the log) goes to a file.
struct master_process {
    std::unique_ptr<child_process> process;
    std::string worker_port;  // "127.0.0.1:PORT" for --master
    std::string endpoint;     // "tcp://127.0.0.1:PORT"
    std::string web;          // "http://127.0.0.1:PORT"
    std::string log_file;

    std::uint64_t baseline_kib = 0;  // VmRSS once it served its first request
    std::uint64_t peak_kib() const { return test::peak_rss_kib(process->pid()); }
    // How much the peak grew over the baseline.
    std::uint64_t growth_kib() const {
        const auto peak = peak_kib();
        return peak > baseline_kib ? peak - baseline_kib : 0;
    }
    std::string log() const { return test::read_whole_file(log_file); }
};

master_process start_master(const std::string& scenario, const std::string& target,
                            const std::vector<std::string>& args = {}) {
    static int counter = 0;
    master_process m;
    m.log_file = ::testing::TempDir() + "/peer_attack_master_" + std::to_string(getpid()) + "_" +
                 std::to_string(++counter) + ".log";
    // ASan keeps freed memory in a quarantine (256 MB by default) that a
    // release build would give back; a small one keeps the figure honest.
    std::string command =
        "ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16\" exec '" +
        swarm_binary() + "' master '" + scenario +
        "' --bind 127.0.0.1:0 --web-host 127.0.0.1 --web-port 0 -H " + target;
    for (const auto& a : args) command += " '" + a + "'";
    command += " 2>'" + m.log_file + "'";
    m.process = std::make_unique<child_process>(std::vector<std::string>{"/bin/sh", "-c", command});
    const auto line =
        m.process->wait_for_line("swarm master: listening for workers on tcp://", 20s);
    const auto web = m.process->wait_for_line("swarm: web UI at ", 20s);
    if (!line || !web) throw std::runtime_error("swarm master did not start: " + m.log());
    const auto start = line->find("tcp://");
    m.endpoint = line->substr(start, line->find(';') - start);
    m.worker_port = m.endpoint.substr(6);
    m.web = web->substr(std::string("swarm: web UI at ").size());
    while (!m.web.empty() && m.web.back() == '/') m.web.pop_back();
    if (http_get(m.web + "/healthz").status != 200) throw std::runtime_error("no /healthz");
    m.baseline_kib = test::rss_kib(m.process->pid());
    return m;
}

boost::json::value get_json(const master_process& m, const std::string& path) {
    const auto r = http_get(m.web + path);
    if (r.status != 200) throw std::runtime_error(path + ": status " + std::to_string(r.status));
    return boost::json::parse(r.body);
}

// The master still serves: /healthz, the UI's page, and the workers list
// (which no peer can make large).
void expect_master_serves(const master_process& m) {
    EXPECT_EQ(http_get(m.web + "/healthz").status, 200);
    EXPECT_EQ(http_get(m.web + "/").status, 200);
    const auto workers = http_get(m.web + "/workers");
    EXPECT_EQ(workers.status, 200);
    EXPECT_LT(workers.body.size(), 64u << 10) << "a peer made the workers list large";
}

// Real workers with these names join, run 2 users for ~2 s and stop; what
// the master counted equals what the target saw.
void expect_real_workers_count_what_the_target_saw(const master_process& m,
                                                   const running_target& target,
                                                   const std::vector<std::string>& names,
                                                   const std::vector<std::string>& args = {},
                                                   const std::function<void()>& then = {}) {
    std::vector<std::unique_ptr<child_process>> workers;
    for (const auto& n : names) {
        std::vector<std::string> argv{swarm_binary(), "worker", "--master", m.worker_port,
                                      "--threads",    "1",      "--name",   n};
        argv.insert(argv.end(), args.begin(), args.end());
        workers.push_back(std::make_unique<child_process>(argv));
    }
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (get_json(m, "/stats/requests").at("worker_count").to_number<std::size_t>() <
           names.size()) {
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "workers did not join";
        std::this_thread::sleep_for(100ms);
    }
    http_client web(m.web);
    const auto started = web.post_form("/swarm", "user_count=2&spawn_rate=10");
    ASSERT_EQ(started.status, 200) << started.body;
    std::this_thread::sleep_for(2s);
    ASSERT_EQ(web.get("/stop").status, 200);
    boost::json::value stats;
    do {
        ASSERT_LT(std::chrono::steady_clock::now(), deadline + 10s) << "the test did not stop";
        std::this_thread::sleep_for(100ms);
        stats = get_json(m, "/stats/requests");
    } while (stats.at("state").as_string() != "stopped");
    const auto& rows = stats.at("stats").as_array();
    const auto counted = rows.back().at("num_requests").to_number<std::int64_t>();
    EXPECT_GT(counted, 10);
    EXPECT_EQ(counted, read_target_stats(target.url).total);
    if (then) then();  // while the workers are still there
}

// A raw DEALER of the test's own (no CURVE), connected to the master.
zmq::socket_t raw_dealer(zmq::context_t& ctx, const master_process& m, const std::string& id) {
    zmq::socket_t s(ctx, zmq::socket_type::dealer);
    s.set(zmq::sockopt::routing_id, id);
    s.set(zmq::sockopt::linger, 0);
    s.set(zmq::sockopt::rcvhwm, 1);  // reads nothing: what the master sends stays with it
    s.set(zmq::sockopt::rcvbuf, 4096);
    s.set(zmq::sockopt::sndhwm, 0);
    s.connect(m.endpoint);
    return s;
}

// Sends `bytes` without copying them (they outlive the socket's queue).
void send_shared(zmq::socket_t& s, const std::string& bytes) {
    zmq::message_t msg(const_cast<char*>(bytes.data()), bytes.size(), nullptr, nullptr);
    ASSERT_TRUE(s.send(msg, zmq::send_flags::none));
}

// Until `done` or the time is up, with the master's peak memory sampled.
template <class Done>
std::uint64_t watch_peak(const master_process& m, std::chrono::milliseconds for_at_most,
                         Done&& done) {
    std::uint64_t peak = 0;
    const auto until = std::chrono::steady_clock::now() + for_at_most;
    while (std::chrono::steady_clock::now() < until && !done()) {
        peak = std::max(peak, m.peak_kib());
        // Failed already: spare the machine (a master without the bounds
        // takes gigabytes under these attacks).
        if (peak > m.baseline_kib + 4 * growth_bound_kib) {
            m.process->send_signal(SIGKILL);
            return peak;
        }
        std::this_thread::sleep_for(50ms);
    }
    return std::max(peak, m.peak_kib());
}

TEST(peer_attack_test, hellos_with_huge_fields_are_refused_and_logged_once) {
    auto target = start_target({"--threads", "1"});
    const auto scenario = write_scenario("attack_hello.yaml", steady_scenario);
    auto m = start_master(scenario, target.url);
    zmq::context_t ctx;
    // 10 peers, each a hello with a 1 MiB name and host (under the socket's
    // limit: the decoder's field bounds refuse them), then one with a 32 MiB
    // name (over the socket's limit): 350 MB of attempted input.
    const std::string big(1u << 20, 'n');
    const std::string hello = proto::encode(proto::hello{proto::protocol_version, big, big, 1, 1});
    std::string name(1u << 20, 'n');
    while (name.size() < 25'000'000) name += name;  // 32 MiB: over the socket's 17 MiB
    const std::string huge =
        proto::encode(proto::hello{proto::protocol_version, "h", std::move(name), 1, 1});
    std::vector<zmq::socket_t> peers;
    for (int i = 0; i < 10; ++i) {
        peers.push_back(raw_dealer(ctx, m, "attacker" + std::to_string(i)));
        send_shared(peers.back(), hello);
        send_shared(peers.back(), huge);
    }
    const auto peak = watch_peak(m, 3s, [] { return false; });
    std::cout << "master peak RSS under the hello attack: " << peak / 1024
              << " MiB (before: " << m.baseline_kib / 1024 << " MiB)\n";
    EXPECT_LT(m.growth_kib(), growth_bound_kib);
    EXPECT_EQ(get_json(m, "/workers").at("workers").as_array().size(), 0u);
    const auto log = m.log();
    EXPECT_LT(log.size(), 16u << 10) << "the log grew with the attack";
    // One line for the kind (hello), not one per peer or message.
    std::size_t lines = 0;
    for (std::size_t at = 0; (at = log.find("hello.host: 1048576 bytes", at)) != std::string::npos;
         ++at)
        ++lines;
    EXPECT_EQ(lines, 1u) << log;
    expect_master_serves(m);
    expect_real_workers_count_what_the_target_saw(m, target, {"real"});
    peers.clear();
}

// The worker names in /workers, and how many of them there are.
std::vector<std::string> worker_names(const master_process& m) {
    std::vector<std::string> out;
    const auto doc = get_json(m, "/workers");
    for (const auto& w : doc.at("workers").as_array()) out.emplace_back(w.at("id").as_string());
    std::sort(out.begin(), out.end());
    return out;
}

TEST(peer_attack_test, the_registry_is_capped_missing_peers_give_way_and_names_stay_unique) {
    auto target = start_target({"--threads", "1"});
    const auto scenario = write_scenario("attack_registry.yaml", steady_scenario);
    auto m = start_master(scenario, target.url, {"--max-workers", "3"});
    zmq::context_t ctx;
    // Three peers say hello and fall silent; a fourth is refused while they
    // are fresh.
    const std::string hello =
        proto::encode(proto::hello{proto::protocol_version, "h", "ghost", 1, 1});
    std::vector<zmq::socket_t> ghosts;
    for (int i = 0; i < 3; ++i) {
        ghosts.push_back(raw_dealer(ctx, m, "ghost" + std::to_string(i)));
        send_shared(ghosts.back(), hello);
    }
    std::this_thread::sleep_for(500ms);
    zmq::socket_t extra(ctx, zmq::socket_type::dealer);
    extra.set(zmq::sockopt::routing_id, "extra");
    extra.set(zmq::sockopt::linger, 0);
    extra.set(zmq::sockopt::rcvtimeo, 5000);
    extra.connect(m.endpoint);
    send_shared(extra, hello);
    zmq::message_t answer;
    ASSERT_TRUE(extra.recv(answer));
    const auto reply = proto::decode(answer.to_string_view());
    ASSERT_TRUE(reply && std::holds_alternative<proto::reject>(*reply));
    EXPECT_THAT(std::get<proto::reject>(*reply).reason, HasSubstr("--max-workers"));
    EXPECT_EQ(worker_names(m), (std::vector<std::string>{"ghost", "ghost#2", "ghost#3"}));

    // Once missing (3 s of silence), they make room for real workers, which
    // have the same name and are told apart.
    std::this_thread::sleep_for(3500ms);
    expect_real_workers_count_what_the_target_saw(m, target, {"twin", "twin"}, {}, [&] {
        const auto names = worker_names(m);
        EXPECT_EQ(names.size(), 3u);
        EXPECT_EQ(std::count(names.begin(), names.end(), "twin"), 1);
        EXPECT_EQ(std::count(names.begin(), names.end(), "twin#2"), 1);
    });
    EXPECT_LT(m.growth_kib(), growth_bound_kib);
    expect_master_serves(m);
}

// A data file of `bytes`, one word a line, for a scenario's `data:`.
std::string write_words(const std::string& name, std::size_t bytes) {
    auto path = ::testing::TempDir() + "/" + name;
    std::ofstream out(path);
    for (std::size_t n = 0, i = 0; n < bytes; ++i) {
        const auto word = "word" + std::to_string(i) + "\n";
        out << word;
        n += word.size();
    }
    return path;
}

TEST(peer_attack_test, a_stream_of_hellos_does_not_queue_a_bundle_each) {
    auto target = start_target({"--threads", "1"});
    write_words("attack_words.txt", 2'400'000);
    const auto scenario = write_scenario("attack_bundle.yaml", R"y(
data:
  words: {file: attack_words.txt}
users:
  Steady:
    wait: {between: [20ms, 40ms]}
    tasks:
      index: {get: /, headers: {X-Word: "{{ random(words) }}"}}
)y");
    auto m = start_master(scenario, target.url);
    zmq::context_t ctx;
    // 1200 hellos (36 KB) on one connection that never reads, and one hello
    // each from 300 more that never read.
    const std::string hello = proto::encode(proto::hello{proto::protocol_version, "h", "b", 1, 1});
    std::vector<zmq::socket_t> peers;
    peers.push_back(raw_dealer(ctx, m, "flood"));
    for (int i = 0; i < 1200; ++i) send_shared(peers.front(), hello);
    for (int i = 0; i < 300; ++i) {
        peers.push_back(raw_dealer(ctx, m, "many" + std::to_string(i)));
        send_shared(peers.back(), hello);
    }
    const auto peak = watch_peak(m, 4s, [] { return false; });
    std::cout << "master peak RSS under the hello stream: " << peak / 1024
              << " MiB (before: " << m.baseline_kib / 1024 << " MiB)\n";
    EXPECT_LT(m.growth_kib(), growth_bound_kib);
    expect_master_serves(m);
    expect_real_workers_count_what_the_target_saw(m, target, {"real"});
}

// A raw TCP connection to the master that speaks ZMTP 3.0 by hand: the
// greeting (NULL or CURVE), for NULL the READY command, then one frame whose
// header claims `claimed` bytes, of which it sends up to `sent` (for CURVE
// the frame is the handshake's first command: nobody has authenticated).
// The connection stays open until the value is destroyed.
struct partial_frame {
    int fd = -1;
    std::size_t taken = 0;  // bytes of the frame the master accepted
    partial_frame() = default;
    partial_frame(partial_frame&& o) noexcept : fd(std::exchange(o.fd, -1)), taken(o.taken) {}
    ~partial_frame() {
        if (fd >= 0) ::close(fd);
    }
};

partial_frame send_partial_frame(const master_process& m, const std::string& mechanism,
                                 std::uint64_t claimed, std::size_t sent) {
    partial_frame out;
    const auto port = std::stoi(m.worker_port.substr(m.worker_port.rfind(':') + 1));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    out.fd = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{2, 0};  // a master that stops reading must not hold the test
    setsockopt(out.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(out.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return out;
    std::string bytes(1, '\xff');
    bytes += std::string(8, '\0');
    bytes += "\x7f\x03";
    bytes += '\0';  // version 3.0
    std::string mech = mechanism;
    mech.resize(20, '\0');
    bytes += mech + std::string(32, '\0');  // as-server 0, filler
    const bool curve = mechanism == "CURVE";
    if (!curve) {
        const std::string body = std::string("\x05READY\x0bSocket-Type\0\0\0\x06", 22) + "DEALER";
        bytes += '\x04';
        bytes += static_cast<char>(body.size());
        bytes += body;
    }
    bytes += static_cast<char>(curve ? 0x06 : 0x02);  // long frame; a command for CURVE
    for (int i = 7; i >= 0; --i) bytes += static_cast<char>((claimed >> (8 * i)) & 0xff);
    if (::send(out.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(bytes.size()))
        return out;
    const std::string chunk(1 << 20, 'x');
    while (out.taken < sent) {
        const auto n =
            ::send(out.fd, chunk.data(), std::min(chunk.size(), sent - out.taken), MSG_NOSIGNAL);
        if (n <= 0) break;
        out.taken += static_cast<std::size_t>(n);
    }
    return out;
}

// Six connections each claim a 60 MB frame and send 50 MB of it (300 MB
// attempted); the master's peak memory stays low and it goes on serving.
void expect_partial_frames_are_refused(const master_process& m, const std::string& mechanism) {
    std::vector<partial_frame> frames;
    std::size_t taken = 0;
    for (int i = 0; i < 6; ++i) {
        frames.push_back(send_partial_frame(m, mechanism, 60'000'000, 50'000'000));
        taken += frames.back().taken;
    }
    const auto peak = watch_peak(m, 1s, [] { return false; });
    std::cout << mechanism << ": master took " << taken / 1'000'000
              << " MB of partial frames; peak RSS " << peak / 1024
              << " MiB (before: " << m.baseline_kib / 1024 << " MiB)\n";
    EXPECT_LT(m.growth_kib(), growth_bound_kib);
    expect_master_serves(m);
    frames.clear();
}

TEST(peer_attack_test, partial_frames_over_the_worker_limit_are_refused_before_reading) {
    auto target = start_target({"--threads", "1"});
    const auto scenario = write_scenario("attack_frames.yaml", steady_scenario);
    auto m = start_master(scenario, target.url);
    expect_partial_frames_are_refused(m, "NULL");
    expect_real_workers_count_what_the_target_saw(m, target, {"real"});
}

TEST(peer_attack_test, curve_handshake_frames_are_refused_before_authentication) {
    auto target = start_target({"--threads", "1"});
    const auto scenario = write_scenario("attack_curve.yaml", steady_scenario);
    const auto keys = ::testing::TempDir() + "/attack_shared.key";
    std::remove(keys.c_str());
    ASSERT_EQ(run_swarm_command({"keygen", "--shared", keys}).exit_code, 0);
    auto m = start_master(scenario, target.url, {"--auth-key-file", keys});
    expect_partial_frames_are_refused(m, "CURVE");
    // A worker with the key still joins and counts exactly.
    expect_real_workers_count_what_the_target_saw(m, target, {"keyed"}, {"--auth-key-file", keys});
}

}  // namespace
}  // namespace swarm::test
