#pragma once
// A log sink that keeps the lines a test's code under test logged, so tests
// assert on them instead of scraping stderr. Thread-safe.

#include <mutex>
#include <string>
#include <vector>

#include "common/log/log.hpp"

namespace swarm::test {

class log_capture {
  public:
    // A logger whose lines land here (formatted as on stderr).
    log::logger logger(std::string source = "swarm") {
        return log::logger(std::move(source), [this](const log::line& l) {
            std::lock_guard lock(mutex_);
            lines_.push_back(log::format_line(l));
        });
    }
    std::vector<std::string> lines() const {
        std::lock_guard lock(mutex_);
        return lines_;
    }
    // Every line, newline-joined (for EXPECT_THAT(..., HasSubstr(...))).
    std::string text() const {
        std::string out;
        for (const auto& l : lines()) out += l + "\n";
        return out;
    }
    void clear() {
        std::lock_guard lock(mutex_);
        lines_.clear();
    }

  private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

}  // namespace swarm::test
