// common/log's sinks: the timestamped text line and the JSON object for each
// level, JSON escaping, the level and format parsers, and the level filter of
// the stderr sink (process-wide output options).
#include <gmock/gmock.h>
#include <boost/json/parse.hpp>

#include <chrono>
#include <iostream>
#include <sstream>

#include "common/log/log.hpp"

namespace swarm::log {
namespace {

using namespace std::chrono;
using ::testing::HasSubstr;
using ::testing::Not;

// 2026-12-07T05:31:02.123Z
system_clock::time_point sample_time() {
    return system_clock::time_point(milliseconds(1796621462123));
}

TEST(log_format_test, time_is_utc_with_milliseconds) {
    EXPECT_EQ(format_time(sample_time()), "2026-12-07T05:31:02.123Z");
    EXPECT_EQ(format_time(system_clock::time_point(milliseconds(7))), "1970-01-01T00:00:00.007Z");
}

TEST(log_format_test, text_line_has_time_padded_level_source_and_message) {
    const auto at = sample_time();
    const auto text = [&](level l) {
        return format_record({l, "swarm master", "worker w1 joined"}, at, format::text);
    };
    EXPECT_EQ(text(level::debug), "2026-12-07T05:31:02.123Z DEBUG swarm master: worker w1 joined");
    EXPECT_EQ(text(level::info), "2026-12-07T05:31:02.123Z INFO  swarm master: worker w1 joined");
    EXPECT_EQ(text(level::warning),
              "2026-12-07T05:31:02.123Z WARN  swarm master: worker w1 joined");
    EXPECT_EQ(text(level::error), "2026-12-07T05:31:02.123Z ERROR swarm master: worker w1 joined");
}

TEST(log_format_test, json_line_is_one_object_per_level) {
    for (const auto l : {level::debug, level::info, level::warning, level::error}) {
        const auto out = format_record({l, "swarm worker", "joined"}, sample_time(), format::json);
        EXPECT_EQ(out.find('\n'), std::string::npos);
        const auto v = boost::json::parse(out).as_object();
        EXPECT_EQ(v.size(), 4U);
        EXPECT_EQ(v.at("time").as_string(), "2026-12-07T05:31:02.123Z");
        EXPECT_EQ(v.at("level").as_string(), to_string(l));
        EXPECT_EQ(v.at("source").as_string(), "swarm worker");
        EXPECT_EQ(v.at("message").as_string(), "joined");
    }
}

TEST(log_format_test, json_escapes_quotes_backslashes_controls_and_keeps_utf8) {
    const std::string message = "say \"hi\" \\ tab\there\nnew line \x01 é";
    const auto out = format_record({level::error, "swarm", message}, sample_time(), format::json);
    EXPECT_EQ(out.find('\n'), std::string::npos) << out;
    EXPECT_EQ(out.find('\t'), std::string::npos) << out;
    EXPECT_EQ(boost::json::parse(out).at("message").as_string(), message);
}

TEST(log_format_test, format_line_without_time_keeps_the_warning_word) {
    // What captures compare (tests/support/log_capture.hpp).
    EXPECT_EQ(format_line({level::warning, "swarm", "x"}), "swarm: warning: x");
    EXPECT_EQ(format_line({level::info, "swarm", "x"}), "swarm: x");
    EXPECT_EQ(format_line({level::debug, "swarm", "x"}), "swarm: x");
}

TEST(log_format_test, levels_and_formats_parse_in_any_case) {
    EXPECT_EQ(parse_level("INFO"), level::info);
    EXPECT_EQ(parse_level("Debug"), level::debug);
    EXPECT_EQ(parse_level("warning"), level::warning);
    EXPECT_EQ(parse_level("WARN"), level::warning);
    EXPECT_EQ(parse_level("error"), level::error);
    EXPECT_EQ(parse_level("CRITICAL"), level::error);
    EXPECT_EQ(parse_level("loud"), std::nullopt);
    EXPECT_EQ(parse_level(""), std::nullopt);
    EXPECT_EQ(parse_format("JSON"), format::json);
    EXPECT_EQ(parse_format("text"), format::text);
    EXPECT_EQ(parse_format("xml"), std::nullopt);
}

// Redirects std::cerr into a string for the test's scope.
class cerr_capture {
  public:
    cerr_capture() : old_(std::cerr.rdbuf(buffer_.rdbuf())) {}
    ~cerr_capture() { std::cerr.rdbuf(old_); }
    cerr_capture(const cerr_capture&) = delete;
    cerr_capture& operator=(const cerr_capture&) = delete;
    std::string text() const { return buffer_.str(); }

  private:
    std::ostringstream buffer_;
    std::streambuf* old_;
};

class log_output_test : public ::testing::Test {
  protected:
    void TearDown() override { set_output({}); }
};

TEST_F(log_output_test, stderr_sink_drops_lines_below_the_level) {
    set_output({level::warning, format::text});
    cerr_capture err;
    const logger log("swarm master");
    log.debug("d-line");
    log.info("i-line");
    log.warning("w-line");
    log.error("e-line");
    const auto text = err.text();
    EXPECT_THAT(text, Not(HasSubstr("d-line")));
    EXPECT_THAT(text, Not(HasSubstr("i-line")));
    EXPECT_THAT(text, HasSubstr("WARN  swarm master: w-line\n"));
    EXPECT_THAT(text, HasSubstr("ERROR swarm master: e-line\n"));
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
}

TEST_F(log_output_test, default_level_is_info_and_debug_shows_with_debug) {
    {
        cerr_capture err;
        logger("swarm").debug("hidden");
        logger("swarm").info("shown");
        EXPECT_THAT(err.text(), Not(HasSubstr("hidden")));
        EXPECT_THAT(err.text(), HasSubstr("INFO  swarm: shown"));
    }
    set_output({level::debug, format::text});
    cerr_capture err;
    logger("swarm").debug("now shown");
    EXPECT_THAT(err.text(), HasSubstr("DEBUG swarm: now shown"));
}

TEST_F(log_output_test, json_output_writes_one_parseable_object_a_line) {
    set_output({level::info, format::json});
    cerr_capture err;
    const auto before = system_clock::now() - seconds(1);
    logger("swarm target").error("bad \"thing\"");
    const auto text = err.text();
    ASSERT_EQ(text.back(), '\n');
    const auto v = boost::json::parse(text.substr(0, text.size() - 1)).as_object();
    EXPECT_EQ(v.at("level").as_string(), "error");
    EXPECT_EQ(v.at("source").as_string(), "swarm target");
    EXPECT_EQ(v.at("message").as_string(), "bad \"thing\"");
    // The time is now (ISO strings of one format compare as times).
    EXPECT_GE(std::string(v.at("time").as_string()), format_time(before));
    EXPECT_LE(std::string(v.at("time").as_string()), format_time(system_clock::now()));
}

}  // namespace
}  // namespace swarm::log
