// Every class of scenario error is reported with file:line:col, key path and
// a clear message; all errors in a file are reported, not just the first.
#include <gmock/gmock.h>

#include <chrono>

#include "common/byte_size.hpp"
#include "tests/scenario/compile_helpers.hpp"

namespace swarm::scenario {
namespace {

using testing::compile_ok;
using testing::compile_text;
using ::testing::ElementsAre;
using testing::error_lines;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::joined;
using testing::only_error;

TEST(errors_test, misspelled_key_suggests_the_closest) {
    EXPECT_EQ(only_error("host: http://h\nusers:\n  A:\n    wiat: 1s\n    tasks: {t: {get: /}}\n"),
              "4:5: users.A: unknown key 'wiat', did you mean 'wait'?");
    EXPECT_EQ(
        only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, chek: {status: 200}}}}}\n"),
        "2:33: users.A.tasks.t: unknown key 'chek' in a request, did you mean 'check'?");
    EXPECT_EQ(
        only_error(
            "host: http://h\nusers: {A: {tasks: {t: {get: /, check: {bdy_contains: x}}}}}\n"),
        "2:41: users.A.tasks.t.check: unknown key 'bdy_contains', did you mean 'body_contains'?");
}

// The fuzzer found a huge max_ms overflowing its conversion to µs
// (undefined behaviour); now it is an error naming the bound.
TEST(errors_test, a_check_max_ms_beyond_a_day_is_an_error_not_an_overflow) {
    EXPECT_EQ(
        only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, check: {max_ms: 1e300}}}}}\n"),
        "2:49: users.A.tasks.t.check.max_ms: at most 86400000 (a day), got 1e300");
    EXPECT_TRUE(compile_ok(
        "host: http://h\nusers: {A: {tasks: {t: {get: /, check: {max_ms: 86400000}}}}}\n"));
}

TEST(errors_test, diagnostic_names_the_file) {
    auto r = compile_text("users: 3\n");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].to_string(),
              "test.yaml:1:8: users: expected a map of user classes by name, got a scalar");
}

TEST(errors_test, all_errors_in_a_file_are_reported) {
    auto r = compile_text(R"y(host: http://h
users:
  A:
    weight: 0
    wait: {between: [5s, 1s]}
    tasks:
      a: {get: "/{{ nope }}"}
      b: {get: /, check: {body_regex: "(unclosed"}}
)y");
    EXPECT_THAT(
        error_lines(r),
        ElementsAre(
            "4:13: users.A.weight: must be greater than 0, got 0",
            "5:21: users.A.wait.between: min 5s is greater than max 1s",
            HasSubstr("7:21: users.A.tasks.a.get: undefined variable 'nope'"),
            HasSubstr(
                "8:39: users.A.tasks.b.check.body_regex: invalid regular expression '(unclosed'")));
}

TEST(errors_test, template_errors) {
    EXPECT_THAT(
        only_error("host: http://h\nusers: {A: {tasks: {t: {get: \"/{{ rnd_int(1, 2) }}\"}}}}\n"),
        HasSubstr("unknown function 'rnd_int', did you mean 'rand_int'?"));
    EXPECT_THAT(only_error("host: http://h\nusers: {A: {tasks: {t: {get: \"/a{{ user_id\"}}}}\n"),
                HasSubstr("2:33: users.A.tasks.t.get:"));
    EXPECT_THAT(
        only_error("host: http://h\nusers: {A: {tasks: {t: {get: \"/{{ random(wrds) }}\"}}}}\n"),
        HasSubstr("wrds"));
}

TEST(errors_test, variables_declared_anywhere_in_the_user_class_are_known) {
    auto r = compile_text(R"y(host: http://h
users:
  A:
    tasks:
      a: {get: "/{{ token }}"}
      b: {get: /, extract: {token: {regex: "t=(\\w+)"}}}
  B:
    tasks:
      c: {get: "/{{ token }}"}
)y");
    // A declares token (extract); B does not.
    EXPECT_THAT(error_lines(r),
                ElementsAre(HasSubstr("9:21: users.B.tasks.c.get: undefined variable 'token'")));
}

TEST(errors_test, missing_and_bad_data_files) {
    auto r = compile_text(
        "host: http://h\ndata: {w: {file: nothere.txt}}\nusers: {A: {tasks: {t: {get: /}}}}\n");
    EXPECT_THAT(error_lines(r),
                ElementsAre("2:18: data.w.file: data file 'nothere.txt' not found"));
    EXPECT_THAT(
        only_error("host: http://h\ndata: {w: {file: a.csv}}\nusers: {A: {tasks: {t: {get: /}}}}\n",
                   {{"a.csv", "a,b\n1,2,3\n"}}),
        HasSubstr("row 2: 3 fields, the header has 2"));
    EXPECT_THAT(
        only_error("host: http://h\ndata: {w: {file: e.txt}}\nusers: {A: {tasks: {t: {get: /}}}}\n",
                   {{"e.txt", "\n\n"}}),
        HasSubstr("2:18: data.w.file: 'e.txt' is empty (no non-blank line)"));
    EXPECT_THAT(
        only_error("host: http://h\ndata: {w: {file: h.csv}}\nusers: {A: {tasks: {t: {get: /}}}}\n",
                   {{"h.csv", "id,name\n"}}),
        HasSubstr("2:18: data.w.file: 'h.csv' has a header row and no records"));
    EXPECT_THAT(
        only_error("host: http://h\ndata: {w: {file: z.csv}}\nusers: {A: {tasks: {t: {get: /}}}}\n",
                   {{"z.csv", ""}}),
        HasSubstr("2:18: data.w.file: 'z.csv': the file is empty"));
    EXPECT_THAT(only_error("host: http://h\ndata: {w: {items: []}}\nusers: {A: {tasks: {t: {get: "
                           "/}}}}\n"),
                HasSubstr("data set 'w' is empty"));
}

TEST(errors_test, data_set_on_end_is_checked_with_did_you_mean) {
    EXPECT_THAT(only_error("host: http://h\ndata: {w: {items: [a], on_end: stop}}\nusers: {A: "
                           "{tasks: {t: {get: /}}}}\n"),
                HasSubstr("2:32: data.w.on_end: expected 'recycle', 'stop_user' or 'stop_test', "
                          "got 'stop'"));
    EXPECT_THAT(only_error("host: http://h\ndata: {w: {items: [a], on_edn: stop_test}}\nusers: "
                           "{A: {tasks: {t: {get: /}}}}\n"),
                HasSubstr("did you mean 'on_end'"));
    // A worker names used-up data sets to the master: names are bounded.
    EXPECT_THAT(only_error("host: http://h\ndata: {" + std::string(256, 'n') +
                           ": {items: [a]}}\nusers: {A: {tasks: {t: {get: /}}}}\n"),
                HasSubstr("a data set name is at most 255 bytes"));
}

TEST(errors_test, read_bundle_reports_a_missing_data_file_with_its_location) {
    const auto dir = ::testing::TempDir();
    const auto path = dir + "/missing_data.yaml";
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_TRUE(f);
    std::fputs(
        "host: http://h\ndata:\n  w: {file: no_such_file.txt}\nusers: {A: {tasks: {t: {get: "
        "/}}}}\n",
        f);
    std::fclose(f);
    auto r = load_file(path);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].line, 3);
    EXPECT_EQ(r.errors[0].path, "data.w.file");
    EXPECT_THAT(r.errors[0].message, HasSubstr("no_such_file.txt"));
}

TEST(errors_test, weights_and_numbers) {
    EXPECT_EQ(only_error("host: http://h\nusers: {A: {tasks: {t: {weight: -2, get: /}}}}\n"),
              "2:33: users.A.tasks.t.weight: must be 0 or more, got -2");
    EXPECT_EQ(only_error("host: http://h\nusers: {A: {weight: lots, tasks: {t: {get: /}}}}\n"),
              "2:21: users.A.weight: expected a number");
    EXPECT_EQ(only_error("host: http://h\nusers: {A: {fixed_count: 1.5, tasks: {t: {get: /}}}}\n"),
              "2:26: users.A.fixed_count: expected a whole number");
}

TEST(errors_test, durations_and_waits) {
    EXPECT_THAT(
        only_error(
            "host: http://h\nusers: {A: {wait: {constant: 5 parsecs}, tasks: {t: {get: /}}}}\n"),
        HasSubstr("users.A.wait.constant: expected a duration like 500ms"));
    EXPECT_THAT(
        only_error("host: http://h\nusers: {A: {wait: {between: [1s]}, tasks: {t: {get: /}}}}\n"),
        HasSubstr("expected [min, max]"));
    EXPECT_THAT(only_error("host: http://h\nusers: {A: {wait: {constant: 1s, pacing: 1s}, tasks: "
                           "{t: {get: /}}}}\n"),
                HasSubstr("exactly one of"));
}

TEST(errors_test, structural_mistakes) {
    EXPECT_THAT(only_error("host: http://h\nusers: {A: {tasks: {t: {weight: 1}}}}\n"),
                HasSubstr("a task needs a request"));
    EXPECT_THAT(only_error("host: http://h\nusers: {A: {wait: 1s}}\n"),
                HasSubstr("a user class needs `tasks:`"));
    EXPECT_THAT(only_error("host: http://h\nusers: {A: {tasks: {t: {get: /a, post: /b}}}}\n"),
                HasSubstr("exactly one method"));
    EXPECT_THAT(only_error("host: http://h\nusers: {A: {tasks: {t: [{gett: /}]}}}\n"),
                HasSubstr("unknown step 'gett', did you mean 'get'?"));
    EXPECT_THAT(only_error("host: http://h\nusers: {A: {tasks: {t: [interrupt]}}}\n"),
                HasSubstr("`interrupt` only makes sense inside a nested task set"));
    EXPECT_THAT(
        only_error(
            "host: http://h\nusers: {A: {tasks: {t: {post: /, form: {a: 1}, json: {b: 2}}}}}\n"),
        HasSubstr("at most one of form, json, body"));
    EXPECT_THAT(only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, extract: {x: {regex: "
                           "a, json: $.b}}}}}}\n"),
                HasSubstr("exactly one of regex, json, header, cookie, input"));
    EXPECT_THAT(only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, extract: {x: {regex: "
                           "\"(a)\", group: 2}}}}}}\n"),
                HasSubstr("group 2 but the regex has 1 capturing group(s)"));
    EXPECT_THAT(
        only_error(
            "host: http://h\nusers: {A: {tasks: {t: {get: /, check: {json: {\"$.a[\": 1}}}}}}\n"),
        HasSubstr("invalid JSON path"));
    EXPECT_THAT(
        only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, check: {status: 999}}}}}\n"),
        HasSubstr("must be between 100 and 599"));
    EXPECT_THAT(only_error("host: ftp://h\nusers: {A: {tasks: {t: {get: /}}}}\n"),
                HasSubstr("host must start with http:// or https://"));
    EXPECT_THAT(
        only_error(
            "host: http://h\nusers: {A: {tasks: {t: {get: /}}}, A: {tasks: {t: {get: /}}}}\n"),
        HasSubstr("duplicate key 'A'"));
}

TEST(errors_test, yaml_syntax_error_has_a_position) {
    auto r = compile_text("host: http://h\nusers:\n  A: {tasks: [\n");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_GT(r.errors[0].line, 0);
    EXPECT_THAT(r.errors[0].message, HasSubstr("YAML syntax error"));
}

TEST(errors_test, deep_nesting_is_an_error_not_a_crash) {
    std::string yaml = "host: http://h\nusers: {A: {tasks: {t: {steps: ";
    for (int i = 0; i < 40; ++i) yaml += "[{repeat: 1, steps: ";
    yaml += "[{get: /}]";
    for (int i = 0; i < 40; ++i) yaml += "}]";
    yaml += "}}}}\n";
    auto r = compile_text(yaml);
    EXPECT_FALSE(r.result);
    EXPECT_THAT(joined(error_lines(r)), HasSubstr("nested more than 32 levels deep"));
}

TEST(errors_test, a_second_yaml_document_is_ignored_not_a_hang) {
    // Found by the fuzzer: yaml-cpp's event parser looped forever over the
    // documents after the first one. Ignored means: the plan is the first
    // document's, with no error, even when what follows `---` is not YAML.
    const auto start = std::chrono::steady_clock::now();
    auto r =
        compile_text("host: http://h\nusers: {A: {tasks: {t: {get: /}}}}\n---\n]: [\n...\n}\n");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_THAT(error_lines(r), IsEmpty());
    ASSERT_TRUE(r.result);
    const plan& p = *r.result;
    EXPECT_EQ(p.host, "http://h");
    ASSERT_EQ(p.users.size(), 1u);
    EXPECT_EQ(p.users[0].name, "A");
    ASSERT_EQ(p.users[0].root.tasks.size(), 1u);
    EXPECT_EQ(p.users[0].root.tasks[0].name, "t");
    ASSERT_EQ(p.users[0].root.tasks[0].steps.size(), 1u);
    const auto* get = std::get_if<request_step>(&p.users[0].root.tasks[0].steps[0].action);
    ASSERT_NE(get, nullptr);
    EXPECT_EQ(get->url.source(), "/");
}

// "Billion laughs": nine levels of nine aliases, 609 bytes for 9^9 strings.
std::string alias_bomb(int levels) {
    std::string yaml = "host: http://h\nusers: {A: {tasks: {t: {post: /, json: {\n";
    yaml += "  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol],\n";
    for (int i = 1; i < levels; ++i) {
        const auto prev = "*l" + std::to_string(i - 1);
        yaml += "  l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
        for (int j = 0; j < 9; ++j) yaml += (j ? ", " : "") + prev;
        yaml += "],\n";
    }
    return yaml + "}}}}}\n";
}

TEST(errors_test, an_alias_bomb_is_refused_at_the_alias_that_crosses_the_bound) {
    const auto start = std::chrono::steady_clock::now();
    // Levels 1-4 add 74 682 nodes; the first alias of level 5 (line 8) adds
    // 66 429 more and crosses 100 000.
    const auto line = only_error(alias_bomb(9));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
    EXPECT_THAT(line, HasSubstr("aliases expand to more than 100000 nodes"));
    EXPECT_THAT(line, ::testing::StartsWith("8:12: "));
}

TEST(errors_test, an_alias_inside_its_own_anchor_is_a_cycle_error) {
    EXPECT_THAT(
        only_error("host: http://h\nusers: {A: {tasks: {t: {post: /, json: &a [1, *a]}}}}\n"),
        HasSubstr("2:47: : an alias inside the node it refers to (a cycle)"));
}

TEST(errors_test, aliases_that_reuse_a_block_still_compile) {
    // Four levels: 9^4 = 6561 strings, well under the bound.
    auto r = compile_text(alias_bomb(4));
    EXPECT_THAT(error_lines(r), IsEmpty());
    const auto p = compile_ok(
        "host: http://h\nusers:\n  A:\n    tasks:\n"
        "      a: {get: /a, headers: &h {X-One: \"1\", X-Two: \"2\"}}\n"
        "      b: {get: /b, headers: *h}\n");
    ASSERT_TRUE(p);
    const auto& b = std::get<request_step>(p->users[0].root.tasks[1].steps[0].action);
    EXPECT_EQ(b.headers.size(), 2u);
}

TEST(errors_test, bytes_quoted_from_the_file_are_escaped_and_capped) {
    // YAML escapes make any byte: a terminal escape, a NUL, invalid UTF-8.
    EXPECT_EQ(
        only_error("host: \"ftp://a\\x01\\e[2J\\0\\xff\"\nusers: {A: {tasks: {t: {get: /}}}}\n"),
        R"(1:7: host: host must start with http:// or https://, got 'ftp://a\x01\x1b[2J\x00ÿ')");
    const auto long_key = std::string(1000, 'k');
    const auto line =
        only_error("host: http://h\nusers: {A: {" + long_key + ": 1, tasks: {t: {get: /}}}}\n");
    EXPECT_LT(line.size(), 600u);
    EXPECT_THAT(line, HasSubstr("... (10"));
}

TEST(errors_test, body_handling_of_a_request) {
    const auto p = compile_ok(
        "host: http://h\nusers: {A: {tasks: {\n"
        "  a: {get: /big, max_body: 64KiB, response_body: discard, check: {status: 200}},\n"
        "  b: {get: /small, max_body: 1000, extract: {h: {header: X-A}}},\n"
        "  c: {get: /, response_body: keep, check: {body_contains: x}}}}}\n");
    ASSERT_TRUE(p);
    const auto& tasks = p->users[0].root.tasks;
    const auto& a = std::get<request_step>(tasks[0].steps[0].action);
    EXPECT_EQ(a.max_body_bytes, 64u * 1024);
    EXPECT_TRUE(a.discard_body);
    const auto& b = std::get<request_step>(tasks[1].steps[0].action);
    EXPECT_EQ(b.max_body_bytes, 1000u);
    EXPECT_FALSE(b.discard_body);
    EXPECT_FALSE(std::get<request_step>(tasks[2].steps[0].action).max_body_bytes);

    EXPECT_EQ(only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, max_body: 1.5MiB}}}}\n"),
              "2:43: users.A.tasks.t.max_body: expected a size like 65536, 64KiB or 16MiB (at "
              "most 1 TiB)");
    EXPECT_EQ(
        only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, response_body: drop}}}}\n"),
        "2:48: users.A.tasks.t.response_body: expected keep or discard");
    EXPECT_EQ(only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, response_body: discard,\n"
                         "  check: {body_contains: x}}}}}\n"),
              "3:10: users.A.tasks.t.check: checks on the body need it: not with "
              "`response_body: discard`");
    EXPECT_EQ(only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, response_body: discard,\n"
                         "  extract: {v: {json: $.id}}}}}}\n"),
              "3:12: users.A.tasks.t.extract.v: extracting from the body needs it: not with "
              "`response_body: discard`");
}

TEST(errors_test, byte_sizes_as_written) {
    EXPECT_EQ(parse_byte_size("65536"), 65536u);
    EXPECT_EQ(parse_byte_size("64KiB"), 65536u);
    EXPECT_EQ(parse_byte_size("16MiB"), 16u << 20);
    EXPECT_EQ(parse_byte_size("1 GiB"), 1u << 30);
    EXPECT_EQ(parse_byte_size("500kB"), 500'000u);
    EXPECT_EQ(parse_byte_size("500KB"), 500'000u);
    EXPECT_EQ(parse_byte_size("2MB"), 2'000'000u);
    EXPECT_EQ(parse_byte_size("1024GiB"), std::uint64_t{1} << 40);
    for (const char* bad :
         {"", "0", "-1", "1.5MiB", "12XB", "1025GiB", "MiB", "99999999999999999999"}) {
        EXPECT_FALSE(parse_byte_size(bad)) << bad;
    }
}

TEST(errors_test, a_path_without_any_host_is_an_error_unless_host_is_given) {
    EXPECT_THAT(only_error("users:\n  A: {tasks: {t: {get: /}}}\n"),
                HasSubstr("2:6: users.A: requests with a path need a host"));
    bundle b{"t.yaml", "users: {A: {tasks: {t: {get: /}}}}\n", {}};
    EXPECT_TRUE(compile(b, compile_options{"http://127.0.0.1:1"}).result);
    EXPECT_TRUE(compile_text("users: {A: {tasks: {t: {get: http://h/x}}}}\n").result);
}

TEST(errors_test, not_a_map_at_the_top) {
    EXPECT_THAT(only_error("- just\n- a list\n"), HasSubstr("a scenario is a map"));
    EXPECT_THAT(only_error("host: http://h\n"), HasSubstr("a scenario needs `users:`"));
}

}  // namespace
}  // namespace swarm::scenario
