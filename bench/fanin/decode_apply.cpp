// bench/fanin/decode_apply: the master's work per stats_report alone — decode
// the bytes (proto::decode) and merge the delta into the run's statistics
// (run_stats::apply) — for fanin's reports (report_pool), `--reports` times,
// with no sockets and no threads. Meant for callgrind, whose instruction
// counts repeat exactly on a shared, noisy machine: the difference between
// two report counts divided by their difference is the cost of one report.
//
//   valgrind --tool=callgrind build/release/bench/fanin/decode_apply --reports 200
//   valgrind --tool=callgrind build/release/bench/fanin/decode_apply --reports 1200
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <variant>
#include <vector>

#include "bench/fanin/report_pool.hpp"
#include "master/stats/run_stats.hpp"
#include "proto/codec.hpp"

namespace {

int run(int argc, char** argv) {
    std::size_t reports = 1000;
    std::size_t workers = 100;
    swarm::bench::report_shape shape;
    CLI::App app{"bench/fanin/decode_apply: decode + merge of N stats_reports, for callgrind"};
    app.add_option("--reports", reports, "stats_reports to decode and merge")
        ->capture_default_str();
    app.add_option("--workers", workers, "distinct worker ids the reports come from")
        ->capture_default_str();
    app.add_option("--entries", shape.entries, "rows per stats_report")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    const swarm::bench::report_pool pool(shape);
    std::vector<std::string> encoded;
    for (std::size_t i = 0; i < pool.size(); ++i) {
        swarm::proto::stats_report r;
        r.sequence = 1;
        r.run_id = 1;
        r.users = 10;
        r.delta = pool.delta(i);
        encoded.push_back(swarm::proto::encode(r));
    }
    std::vector<std::string> ids;
    for (std::size_t w = 0; w < workers; ++w) ids.push_back("worker-" + std::to_string(w));

    // Simulated time: every `workers` reports is one second, as at 1 Hz.
    const auto start = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
    swarm::master::run_stats stats(start, 0);
    std::uint64_t expected = 0;
    for (std::size_t i = 0; i < reports; ++i) {
        const auto now = start + std::chrono::milliseconds(1000 * i / workers);
        const auto decoded = swarm::proto::decode(encoded[i % encoded.size()]);
        if (!decoded) {
            std::fprintf(stderr, "decode failed: %s\n", decoded.error().message.c_str());
            return 1;
        }
        stats.apply(ids[i % workers], std::get<swarm::proto::stats_report>(*decoded).delta, now);
        expected += pool.requests(i % pool.size());
    }
    std::printf("%zu reports, %llu requests merged (expected %llu), p99 %llu us\n", reports,
                static_cast<unsigned long long>(stats.total().requests()),
                static_cast<unsigned long long>(expected),
                static_cast<unsigned long long>(stats.total().latency().value_at_percentile(99)));
    return stats.total().requests() == expected ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "decode_apply: %s\n", e.what());
        return 1;
    }
}
