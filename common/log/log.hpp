#pragma once
// The logging seam: library code never writes to std::cerr itself; it is
// given a `logger` by its driver (the cli, a test) and says what happened.
// How a line looks — prefix, level word, later timestamps or JSON — is
// decided in one place, the sink the driver chose (format_line for stderr).
//
// A logger is a small value (a source name and a shared sink); copy it
// freely. Threading: the stderr sink writes whole lines under a lock, so any
// thread may log; a test's capturing sink (tests/support/log_capture.hpp)
// does the same.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace swarm::log {

enum class level { info, warning, error };

struct line {
    level severity;
    std::string_view source;  // "swarm master", "swarm worker", "swarm target", "swarm"
    std::string_view text;    // the message, without prefix or newline
};

using sink = std::function<void(const line&)>;

// "swarm master: warning: text" (info and error carry no level word, as swarm's
// messages always have).
std::string format_line(const line& l);

// Writes format_line(l) + '\n' to stderr, one whole line at a time.
sink stderr_sink();
// Drops every line (`swarm run`'s quiet local worker).
sink null_sink();

class logger {
  public:
    // A logger to stderr under `source`.
    explicit logger(std::string source = "swarm");
    logger(std::string source, sink to);

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
