// How much does one shared atomic counter per data set cost the worker's io
// threads? T threads each take `draws` draws; between two draws a thread
// does `work` iterations of busy work (a stand-in for building and sending a
// request). Prints ns per draw, shared atomic vs a per-thread counter.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

static std::atomic<unsigned long> shared{0};
static volatile unsigned long sink;

static double run(int threads, long draws, int work, bool use_shared) {
    std::vector<std::thread> pool;
    auto t0 = std::chrono::steady_clock::now();
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([=] {
            unsigned long local = 0, acc = 0;
            for (long i = 0; i < draws; ++i) {
                acc += use_shared ? shared.fetch_add(1, std::memory_order_relaxed) : local++;
                for (int w = 0; w < work; ++w) acc = acc * 6364136223846793005ULL + 1;
            }
            sink = acc;
        });
    }
    for (auto& t : pool) t.join();
    auto ns =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    return ns / static_cast<double>(draws);  // wall ns per draw per thread
}

int main(int argc, char** argv) {
    const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
    for (int work : {0, 100, 1000}) {
        const long draws = work == 0 ? 20'000'000 : 2'000'000;
        const double a = run(threads, draws, work, true);
        const double b = run(threads, draws, work, false);
        std::printf("threads %d, work %4d: shared atomic %.1f ns/draw, per-thread %.1f ns/draw\n",
                    threads, work, a, b);
    }
}
