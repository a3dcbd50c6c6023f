// Issue 16's templates at load: check values, sleep and name take templates;
// `while:` with its mandatory bound; env() in host; and "{{" refused, with
// file:line:col, where a text is used as written.
#include <gmock/gmock.h>

#include <cstdlib>

#include "tests/scenario/compile_helpers.hpp"

namespace swarm::scenario {
namespace {

using testing::compile_ok;
using testing::compile_text;
using ::testing::ElementsAre;
using testing::error_lines;
using ::testing::HasSubstr;
using testing::joined;
using testing::only_error;
using testing::warning_lines;

const step_list& steps_of(const plan& p) {
    return p.users.at(0).root.tasks.at(0).steps;
}

TEST(templates_everywhere_test, check_values_take_templates) {
    auto p = compile_ok(R"y(host: http://h
users:
  A:
    vars: {id: "7"}
    tasks:
      t:
        steps:
          - get: /x
            check:
              body_contains: ["id={{ id }}", plain]
              body_not_contains: "error {{ id }}"
              json: {"$.id": "{{ id }}", "$.n": 5}
              header: {X-Id: {equals: "{{ id }}"}, X-Other: "^a"}
              cookie: {sid: {equals: "s{{ id }}"}}
)y");
    ASSERT_TRUE(p);
    const auto& c = std::get<request_step>(steps_of(*p)[0].action).check;
    ASSERT_EQ(c.body_contains.size(), 2u);
    EXPECT_FALSE(c.body_contains[0].is_static());
    EXPECT_TRUE(c.body_contains[1].is_static());
    EXPECT_EQ(c.body_contains[1].static_text(), "plain");
    ASSERT_EQ(c.body_not_contains.size(), 1u);
    ASSERT_EQ(c.json.size(), 2u);
    EXPECT_TRUE(c.json[0].expected_template);
    EXPECT_FALSE(c.json[1].expected_template);
    EXPECT_EQ(c.json[1].expected_json, "5");
    ASSERT_EQ(c.headers.size(), 2u);
    EXPECT_TRUE(c.headers[0].equals);
    EXPECT_TRUE(c.headers[1].pattern);
    ASSERT_EQ(c.cookies.size(), 1u);
    EXPECT_EQ(c.cookies[0].equals->source(), "s{{ id }}");
}

TEST(templates_everywhere_test, a_templated_name_warns_about_rows) {
    auto r = compile_text(R"y(host: http://h
users:
  A:
    tasks:
      t: {get: "/item?id={{ rand_int(1, 3) }}", name: "item {{ rand_int(1, 3) }}"}
)y");
    ASSERT_TRUE(r.result) << joined(error_lines(r));
    const auto& req = std::get<request_step>(r.result->users[0].root.tasks[0].steps[0].action);
    ASSERT_TRUE(req.name_template);
    EXPECT_EQ(req.name, "item {{ rand_int(1, 3) }}");
    EXPECT_THAT(warning_lines(r),
                ElementsAre(HasSubstr("5:55: users.A.tasks.t.name: a templated name makes a "
                                      "stats row per distinct value")));
}

TEST(templates_everywhere_test, a_name_of_env_alone_is_fixed_text_without_a_warning) {
    ::setenv("SWARM_TEMPLATES_TEST_NAME", "from-env", 1);
    auto r = compile_text(R"y(host: http://h
users: {A: {tasks: {t: {get: /, name: "home {{ env('SWARM_TEMPLATES_TEST_NAME') }}"}}}}
)y");
    ASSERT_TRUE(r.result) << joined(error_lines(r));
    const auto& req = std::get<request_step>(r.result->users[0].root.tasks[0].steps[0].action);
    EXPECT_FALSE(req.name_template);
    EXPECT_EQ(req.name, "home from-env");
    EXPECT_TRUE(r.warnings.empty());
}

TEST(templates_everywhere_test, sleep_takes_a_template) {
    auto p = compile_ok(R"y(host: http://h
users:
  A:
    vars: {delay: 10ms}
    tasks: {t: {steps: [{sleep: "{{ delay }}"}, {sleep: 2s}]}}
)y");
    ASSERT_TRUE(p);
    const auto& first = std::get<sleep_step>(steps_of(*p)[0].action);
    ASSERT_TRUE(first.templated);
    EXPECT_EQ(first.templated->source(), "{{ delay }}");
    const auto& second = std::get<sleep_step>(steps_of(*p)[1].action);
    EXPECT_FALSE(second.templated);
    EXPECT_EQ(second.time, std::chrono::seconds(2));
}

TEST(templates_everywhere_test, while_compiles_with_its_bound) {
    auto p = compile_ok(R"y(host: http://h
users:
  A:
    vars: {state: pending}
    tasks:
      t:
        steps:
          - while: "{{ state != 'done' }}"
            max: 20
            steps:
              - get: /status
                extract: {state: {json: $.state}}
              - sleep: 10ms
)y");
    ASSERT_TRUE(p);
    const auto& w = std::get<while_step>(steps_of(*p)[0].action);
    EXPECT_EQ(w.max, 20);
    EXPECT_EQ(w.steps.size(), 2u);
    EXPECT_EQ(w.where.line, 8);
}

TEST(templates_everywhere_test, while_errors_name_where) {
    EXPECT_EQ(only_error("host: http://h\nusers: {A: {tasks: {t: {steps: [{while: 'true', "
                         "steps: [{get: /}]}]}}}}\n"),
              "2:33: users.A.tasks.t.steps[0]: `while` needs `max:`, the most rounds it may run "
              "(like max: 20)");
    EXPECT_EQ(only_error("host: http://h\nusers: {A: {tasks: {t: {steps: [{while: 'true', max: 0, "
                         "steps: [{get: /}]}]}}}}\n"),
              "2:54: users.A.tasks.t.steps[0].max: must be between 1 and 1000000, got 0");
    EXPECT_EQ(only_error("host: http://h\nusers: {A: {tasks: {t: {steps: [{while: 'nope', max: 3, "
                         "steps: [{get: /}]}]}}}}\n"),
              "2:42: users.A.tasks.t.steps[0].while: undefined variable 'nope'");
    auto r = compile_text(
        "host: http://h\nusers: {A: {tasks: {t: {steps: [{while: 'true', max: 3, "
        "stpes: [{get: /}]}]}}}}\n");
    EXPECT_THAT(error_lines(r),
                ElementsAre("2:33: users.A.tasks.t.steps[0]: `while` needs `steps:`",
                            "2:57: users.A.tasks.t.steps[0]: unknown key 'stpes', did you mean "
                            "'steps'?"));
}

TEST(templates_everywhere_test, host_may_use_env) {
    ::setenv("SWARM_TEMPLATES_TEST_HOST", "http://127.0.0.1:9", 1);
    ::unsetenv("SWARM_TEMPLATES_TEST_UNSET");
    auto p = compile_ok(
        "host: \"{{ env('SWARM_TEMPLATES_TEST_HOST') }}\"\n"
        "users: {A: {host: \"{{ env('SWARM_TEMPLATES_TEST_UNSET', "
        "'http://127.0.0.1:8') }}\", tasks: {t: {get: /}}}}\n");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->host, "http://127.0.0.1:9");
    EXPECT_EQ(p->users[0].host, "http://127.0.0.1:8");
    EXPECT_EQ(only_error("host: \"{{ env('SWARM_TEMPLATES_TEST_UNSET') }}\"\n"
                         "users: {A: {tasks: {t: {get: \"http://127.0.0.1:1/\"}}}}\n"),
              "1:11: host: environment variable 'SWARM_TEMPLATES_TEST_UNSET' is not set (give a "
              "default: env(\"SWARM_TEMPLATES_TEST_UNSET\", \"...\"))");
    EXPECT_EQ(only_error("host: \"http://{{ uuid() }}\"\n"
                         "users: {A: {tasks: {t: {get: \"http://127.0.0.1:1/\"}}}}\n"),
              "1:7: host: only env() and literal text may be templated here: the value is fixed "
              "for the whole run");
}

TEST(templates_everywhere_test, env_unset_in_a_url_is_an_error_at_load) {
    ::unsetenv("SWARM_TEMPLATES_TEST_UNSET");
    EXPECT_EQ(only_error("host: http://h\nusers: {A: {tasks: {t: {get: "
                         "\"/?t={{ env('SWARM_TEMPLATES_TEST_UNSET') }}\"}}}}\n"),
              "2:38: users.A.tasks.t.get: environment variable 'SWARM_TEMPLATES_TEST_UNSET' is "
              "not set (give a default: env(\"SWARM_TEMPLATES_TEST_UNSET\", \"...\"))");
}

TEST(templates_everywhere_test, braces_where_text_is_used_as_written_are_refused) {
    const std::string used_as_written = ": this text is used as written, '{{' included";
    EXPECT_EQ(
        only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, check: "
                   "{message: \"bad {{ x }}\"}}}}}\n"),
        "2:55: users.A.tasks.t.check.message: templates are not allowed here" + used_as_written);
    EXPECT_EQ(only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, check: "
                         "{body_regex: \"a{{ x }}\"}}}}}\n"),
              "2:55: users.A.tasks.t.check.body_regex: templates are not allowed here (a regex "
              "is compiled once, at load)" +
                  used_as_written);
    EXPECT_EQ(only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, timeout: "
                         "\"{{ t }}\"}}}}\n"),
              "2:43: users.A.tasks.t.timeout: templates are not allowed here (a template "
              "duration is only read in `sleep:`)" +
                  used_as_written);
    EXPECT_EQ(
        only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, extract: "
                   "{v: {header: \"X-{{ n }}\"}}}}}}\n"),
        "2:58: users.A.tasks.t.extract.v.header: templates are not allowed here" + used_as_written);
    EXPECT_EQ(only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, headers: "
                         "{\"X-{{ n }}\": v}}}}}\n"),
              "2:46: users.A.tasks.t.headers[\"X-{{ n }}\"]: templates are not allowed here (a "
              "name is used as written; its value may be one)" +
                  used_as_written);
    EXPECT_EQ(only_error("host: http://h\nusers: {A: {tasks: {t: {get: /, check: "
                         "{json: {\"$.a\": [\"{{ user_id }}\"]}}}}}}\n"),
              "2:55: users.A.tasks.t.check.json[\"$.a\"]: a template in a json check goes in a "
              "plain value (\"$.id\": \"{{ id }}\"), not inside a map or list");
}

TEST(templates_everywhere_test, inline_data_items_are_data_and_keep_their_braces) {
    auto p = compile_ok(
        "host: http://h\ndata: {w: {items: [\"{{ not a template }}\", b]}}\n"
        "users: {A: {tasks: {t: {get: \"/{{ random(w) }}\"}}}}\n");
    ASSERT_TRUE(p);
    ASSERT_EQ(p->data.size(), 1u);
    EXPECT_EQ(std::get<std::string>(p->data[0]->items[0]), "{{ not a template }}");
}

}  // namespace
}  // namespace swarm::scenario
