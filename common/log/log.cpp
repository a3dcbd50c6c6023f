#include "common/log/log.hpp"

#include <iostream>
#include <mutex>

namespace swarm::log {

std::string format_line(const line& l) {
    std::string out;
    out.reserve(l.source.size() + l.text.size() + 12);
    out += l.source;
    out += ": ";
    if (l.severity == level::warning) out += "warning: ";
    out += l.text;
    return out;
}

sink stderr_sink() {
    return [](const line& l) {
        static std::mutex mutex;  // whole lines, even from the web or ZAP threads
        const std::string text = format_line(l) + '\n';
        std::lock_guard lock(mutex);
        std::cerr << text << std::flush;
    };
}

sink null_sink() {
    return [](const line&) {};
}

logger::logger(std::string source) : logger(std::move(source), stderr_sink()) {}

logger::logger(std::string source, sink to)
    : source_(std::move(source)), sink_(std::make_shared<const sink>(std::move(to))) {}

void logger::write(level severity, std::string_view text) const {
    (*sink_)(line{severity, source_, text});
}

}  // namespace swarm::log
