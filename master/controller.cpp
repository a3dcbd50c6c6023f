#include "master/controller.hpp"

#include <malloc.h>

#include "proto/transport.hpp"

namespace swarm::master {
namespace {

using namespace std::chrono_literals;

// A master taking in many workers frees and allocates tens of MB a second
// (messages, decoded rows). glibc's defaults give the top of the heap back
// to the kernel whenever 128 KiB are free there, and the master then faults
// the same pages in again: ~10 % of its CPU at 500 workers (bench/README.md).
// Keep up to 64 MiB of free heap instead, and serve blocks below 1 MiB (every
// message) from the heap. Only for a master serving tcp workers: `swarm run`
// (inproc) keeps glibc's defaults, which its idle-memory figures assume.
void tune_heap_for_fan_in(const std::string& bind) {
    if (!bind.starts_with("tcp://")) return;
    ::mallopt(M_MMAP_THRESHOLD, 1 << 20);
    ::mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

}  // namespace

std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

controller::controller(zmq::context_t& zmq, scenario::bundle bundle,
                       std::shared_ptr<const scenario::plan> plan, controller_options opts)
    : endpoint_(std::make_unique<proto::master_endpoint>(
          zmq, opts.bind, proto::endpoint_options{opts.auth, {}, opts.log})),
      core_(
          std::move(bundle), std::move(plan),
          [this](const std::string& w, const proto::message& m) { endpoint_->send(w, m); },
          static_cast<const core_options&>(opts), control_clock::now(), wall_ms()) {
    tune_heap_for_fan_in(opts.bind);
    core_.on_event = [this](const std::string& text) {
        if (on_event) on_event(text);
    };
    core_.on_test_end = [this] {
        if (on_test_end) on_test_end();
    };
}

controller::~controller() = default;

std::string controller::bound_endpoint() const {
    return endpoint_->bound_endpoint();
}

void controller::post(std::function<void()> fn) {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(fn));
}

void controller::discard_posted() {
    std::lock_guard lock(posted_mutex_);
    posted_.clear();
}

// Notes a stall: more than a second since this thread last ran pump()'s loop.
void controller::note_awake() {
    const auto now = control_clock::now();
    if (now - last_awake_ > 1s) recovering_ = true;
    last_awake_ = now;
}

void controller::pump(std::chrono::milliseconds slice) {
    const auto until = control_clock::now() + slice;
    do {
        // Drain what is queued before judging health: a master that fell
        // behind must not call a worker missing whose heartbeat is waiting
        // in the queue. Bounded, so commands and ticks still run.
        note_awake();
        auto wait = recovering_ ? 200ms : 10ms;
        const auto drain_until = control_clock::now() + 50ms;
        for (int n = 0; n < 4096; ++n) {
            const auto asked = control_clock::now();
            auto in = endpoint_->receive(wait);
            note_awake();
            if (!in) {
                // Nothing queued: whatever a worker sent before `asked` has
                // been handled, so its silence up to then is real — unless
                // this master was itself stopped: then ZeroMQ's I/O thread,
                // stopped too, may not have handed the workers' messages
                // over yet, and only a longer wait that comes back empty
                // says so (a frozen master must not call its workers missing).
                if (!recovering_ || wait >= 200ms) {
                    core_.caught_up(asked);
                    recovering_ = false;
                }
                break;
            }
            core_.on_message(in->worker, in->body, control_clock::now());
            wait = 0ms;
            if (control_clock::now() >= drain_until) break;
        }
        std::deque<std::function<void()>> posted;
        {
            std::lock_guard lock(posted_mutex_);
            posted.swap(posted_);
        }
        for (auto& fn : posted) fn();
        core_.tick(control_clock::now(), wall_ms());
    } while (control_clock::now() < until);
}

void controller::start(const test_request& request) {
    core_.start(request, control_clock::now(), wall_ms());
}

void controller::stop(stop_reason why) {
    core_.stop(control_clock::now(), why);
}

void controller::stop_now() {
    core_.stop_now(control_clock::now());
}

void controller::reset_stats() {
    core_.reset_stats(control_clock::now());
}

}  // namespace swarm::master
