#pragma once
// The logging seam: library code never writes to std::cerr itself; it is
// given a `logger` by its driver (the cli, a test) and says what happened.
// How a line looks — timestamp, level, text or JSON — is decided in one
// place, the sink the driver chose (format_record for stderr and stdout).
//
// A logger is a small value (a source name and a shared sink); copy it
// freely. Threading: the stderr sink writes whole lines under a lock, so any
// thread may log; a test's capturing sink (tests/support/log_capture.hpp)
// does the same. The process-wide output options (set_output: --loglevel,
// --log-format) are set once by the cli before any logging thread starts and
// read through atomics afterwards.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace swarm::log {

// Ordered: a line is written when its level is at least the minimum.
enum class level { debug, info, warning, error };

// "debug", "info", "warning", "error" (the JSON form's "level").
const char* to_string(level l);
// A --loglevel value, any case: debug, info, warning (or warn), error (or
// critical, Locust's highest); nullopt otherwise.
std::optional<level> parse_level(std::string_view text);

enum class format {
    text,  // 2026-12-07T05:31:02.123Z INFO  swarm master: worker w1 joined
    json,  // {"time":"2026-12-07T05:31:02.123Z","level":"info","source":"swarm
           // master","message":"worker w1 joined"}
};
std::optional<format> parse_format(std::string_view text);  // "text" or "json", any case

struct line {
    level severity;
    std::string_view source;  // "swarm master", "swarm worker", "swarm target", "swarm"
    std::string_view text;    // the message, without prefix or newline
};

using sink = std::function<void(const line&)>;

// What the stderr and stdout sinks write (process-wide; see the header).
struct output_options {
    level min_level = level::info;  // lines below it are dropped before formatting
    format style = format::text;
};
void set_output(const output_options& options);
output_options output();

// The message without time: "swarm master: warning: text" (info, debug and
// error carry no level word). What test captures keep and compare.
std::string format_line(const line& l);

// "2026-12-07T05:31:02.123Z": UTC, milliseconds.
std::string format_time(std::chrono::system_clock::time_point t);

// One whole record, without '\n': text = time, the level padded to 5
// ("DEBUG", "INFO ", "WARN ", "ERROR"), "source: text"; json = one object
// with time, level, source and message (escaped by Boost.JSON).
std::string format_record(const line& l, std::chrono::system_clock::time_point t, format style);

// Writes format_record(l, now, output().style) + '\n' to stderr (or stdout),
// one whole line at a time; lines below output().min_level are dropped.
sink stderr_sink();
sink stdout_sink();
// Drops every line (`swarm run`'s quiet local worker).
sink null_sink();

class logger {
  public:
    // A logger to stderr under `source`.
    explicit logger(std::string source = "swarm");
    logger(std::string source, sink to);

    void debug(std::string_view text) const { write(level::debug, text); }
    void info(std::string_view text) const { write(level::info, text); }
    void warning(std::string_view text) const { write(level::warning, text); }
    void error(std::string_view text) const { write(level::error, text); }
    void write(level severity, std::string_view text) const;

    // The same sink under another source name.
    logger with_source(std::string source) const { return logger(std::move(source), *sink_); }
    const std::string& source() const { return source_; }

  private:
    std::string source_;
    std::shared_ptr<const sink> sink_;
};

}  // namespace swarm::log
