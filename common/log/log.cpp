#include "common/log/log.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <ctime>
#include <iostream>
#include <mutex>

namespace swarm::log {
namespace {

// Set once by the cli before logging starts; atomics so that a test (or a
// late set_output) never races a logging thread.
std::atomic<level> min_level_{level::info};
std::atomic<format> style_{format::text};

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

const char* padded(level l) {
    switch (l) {
        case level::debug:
            return "DEBUG";
        case level::info:
            return "INFO ";
        case level::warning:
            return "WARN ";
        case level::error:
            return "ERROR";
    }
    return "?    ";
}

// One sink per stream: the mutex makes every record one write, even from the
// web or ZAP threads.
sink stream_sink(std::ostream& to) {
    return [&to](const line& l) {
        if (l.severity < min_level_.load(std::memory_order_relaxed)) return;  // cheap drop
        const std::string text =
            format_record(l, std::chrono::system_clock::now(), style_.load()) + '\n';
        static std::mutex mutex;
        std::lock_guard lock(mutex);
        to << text << std::flush;
    };
}

}  // namespace

const char* to_string(level l) {
    switch (l) {
        case level::debug:
            return "debug";
        case level::info:
            return "info";
        case level::warning:
            return "warning";
        case level::error:
            return "error";
    }
    return "?";
}

std::optional<level> parse_level(std::string_view text) {
    const auto word = lower(text);
    if (word == "debug") return level::debug;
    if (word == "info") return level::info;
    if (word == "warning" || word == "warn") return level::warning;
    if (word == "error" || word == "critical") return level::error;
    return std::nullopt;
}

std::optional<format> parse_format(std::string_view text) {
    const auto word = lower(text);
    if (word == "text") return format::text;
    if (word == "json") return format::json;
    return std::nullopt;
}

void set_output(const output_options& options) {
    min_level_ = options.min_level;
    style_ = options.style;
}

output_options output() {
    return {min_level_.load(), style_.load()};
}

std::string format_line(const line& l) {
    std::string out;
    out.reserve(l.source.size() + l.text.size() + 12);
    out += l.source;
    out += ": ";
    if (l.severity == level::warning) out += "warning: ";
    out += l.text;
    return out;
}

std::string format_time(std::chrono::system_clock::time_point t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
    const std::time_t seconds = static_cast<std::time_t>(ms.count() / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buf[40];
    const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
    std::string out(buf, n);
    const auto millis = static_cast<int>(ms.count() % 1000);
    out += '.';
    out += static_cast<char>('0' + millis / 100);
    out += static_cast<char>('0' + millis / 10 % 10);
    out += static_cast<char>('0' + millis % 10);
    out += 'Z';
    return out;
}

std::string format_record(const line& l, std::chrono::system_clock::time_point t, format style) {
    if (style == format::json) {
        boost::json::object o;
        o["time"] = format_time(t);
        o["level"] = to_string(l.severity);
        o["source"] = l.source;
        o["message"] = l.text;
        return boost::json::serialize(o);
    }
    // The level is in its column: no "warning: " word in the message.
    std::string out = format_time(t);
    out += ' ';
    out += padded(l.severity);
    out += ' ';
    out += l.source;
    out += ": ";
    out += l.text;
    return out;
}

sink stderr_sink() {
    return stream_sink(std::cerr);
}
sink stdout_sink() {
    return stream_sink(std::cout);
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
