// Every construct of the scenario language compiles into the plan it describes.
#include <re2/re2.h>

#include "common/scenario/loader.hpp"
#include "tests/scenario/compile_helpers.hpp"

namespace swarm::scenario {
namespace {

using namespace std::chrono_literals;
using testing::compile_ok;
using testing::fake_environment;

const request_step& request_of(const step& s) {
    return std::get<request_step>(s.action);
}

TEST(constructs_test, seed_example_compiles_to_the_expected_plan) {
    auto r = load_file(std::string(SWARM_SOURCE_DIR) + "/scenarios/website.yaml");
    ASSERT_TRUE(r.result) << (r.errors.empty() ? "" : r.errors[0].to_string());
    const auto& p = *r.result;
    EXPECT_EQ(p.host, "http://127.0.0.1:8080");
    ASSERT_EQ(p.users.size(), 1u);
    const auto& u = p.users[0];
    EXPECT_EQ(u.name, "WebsiteUser");
    EXPECT_EQ(u.host, "http://127.0.0.1:8080");
    EXPECT_EQ(u.root.wait.how, wait_spec::kind::between);
    EXPECT_EQ(u.root.wait.min, 1s);
    EXPECT_EQ(u.root.wait.max, 15s);

    ASSERT_EQ(u.root.on_start.size(), 1u);
    const auto& signin = request_of(u.root.on_start[0]);
    EXPECT_EQ(signin.method, http_method::post);
    EXPECT_EQ(signin.body, request_step::body_kind::form);
    ASSERT_EQ(signin.form.size(), 2u);
    fake_environment env;
    EXPECT_EQ(signin.form[0].second.render(env), "user7@example.com");
    EXPECT_EQ(signin.form[1].second.render(env), "what!thatsmypasswordtoo");

    ASSERT_EQ(u.root.tasks.size(), 3u);
    EXPECT_EQ(u.root.tasks[0].name, "index");
    EXPECT_EQ(u.root.tasks[0].weight, 10);
    EXPECT_EQ(u.root.tasks[1].weight, 5);
    EXPECT_EQ(u.root.tasks[2].weight, 1);
    EXPECT_EQ(u.root.cumulative_weights, (std::vector<double>{10, 15, 16}));

    const auto& about = request_of(u.root.tasks[1].steps.at(0));
    EXPECT_EQ(about.name, "/about");
    EXPECT_TRUE(about.url.is_static());
    ASSERT_EQ(about.check.body_contains.size(), 1u);
    EXPECT_EQ(about.check.body_contains[0].static_text(), "Founded");

    const auto& contact = u.root.tasks[2].steps;
    ASSERT_EQ(contact.size(), 2u);
    ASSERT_EQ(request_of(contact[0]).extract.size(), 1u);
    EXPECT_EQ(request_of(contact[0]).extract[0].variable, "token");
    EXPECT_EQ(request_of(contact[0]).extract[0].how, extraction::kind::input);
    EXPECT_EQ(request_of(contact[0]).extract[0].argument, "csrf_token");
    env.vars["token"] = std::string("abc");
    EXPECT_EQ(request_of(contact[1]).form[0].second.render(env), "abc");
    EXPECT_EQ(contact[1].where.line, 20);
}

TEST(constructs_test, top_level_host_data_users_and_load) {
    auto p = compile_ok(R"y(
host: https://example.test/
data:
  words: {file: words.txt}
  colours: {items: [red, green]}
load: {users: 50, spawn_rate: 2.5, run_time: 1m30s}
users:
  A: {tasks: {t: {get: /}}}
)y",
                        {{"words.txt", "alpha\r\nbeta\n\ngamma\n"}});
    ASSERT_TRUE(p);
    EXPECT_EQ(p->host, "https://example.test");  // trailing slash dropped
    ASSERT_EQ(p->data.size(), 2u);
    EXPECT_EQ(p->data[0]->items.size(), 3u);
    EXPECT_EQ(std::get<std::string>(p->data[0]->items[1]), "beta");
    EXPECT_EQ(p->data[1]->items.size(), 2u);
    EXPECT_EQ(p->load.users, 50);
    EXPECT_EQ(p->load.spawn_rate, 2.5);
    EXPECT_EQ(p->load.run_time, 90s);
}

TEST(constructs_test, user_class_fields) {
    auto p = compile_ok(R"y(
host: http://h
users:
  A:
    weight: 3
    host: http://other:81
    wait: {constant: 250ms}
    vars: {n: "{{ user_id + 1 }}", fixed: plain}
    on_start: [{get: /in}]
    on_stop: [{get: /out}]
    insecure: true
    tasks: {t: {get: /}}
  B: {fixed_count: 4, wait: {pacing: 2s}, tasks: {t: {get: /}}}
  C: {wait: {throughput: 0.5}, tasks: {t: {get: /}}}
  D: {wait: 1s, tasks: {t: {get: /}}}
)y");
    ASSERT_TRUE(p);
    const auto& a = p->users[0];
    EXPECT_EQ(a.weight, 3);
    EXPECT_EQ(a.host, "http://other:81");
    EXPECT_EQ(a.root.wait.how, wait_spec::kind::constant);
    EXPECT_EQ(a.root.wait.min, 250ms);
    fake_environment env;
    EXPECT_EQ(a.vars[0].second.render(env), "8");
    EXPECT_EQ(a.root.on_start.size(), 1u);
    EXPECT_EQ(a.root.on_stop.size(), 1u);
    EXPECT_TRUE(a.insecure);
    EXPECT_EQ(p->users[1].fixed_count, 4);
    EXPECT_EQ(p->users[1].host, "http://h");
    EXPECT_EQ(p->users[1].root.wait.how, wait_spec::kind::pacing);
    EXPECT_EQ(p->users[2].root.wait.how, wait_spec::kind::throughput);
    EXPECT_EQ(p->users[2].root.wait.per_second, 0.5);
    EXPECT_EQ(p->users[3].root.wait.how, wait_spec::kind::constant);
}

TEST(constructs_test, nested_task_set_with_sequence_iterations_and_interrupt) {
    auto p = compile_ok(R"y(
host: http://h
users:
  A:
    tasks:
      outer:
        weight: 2
        sequential: true
        iterations: 5
        wait: {constant: 1s}
        on_start: [{get: /start}]
        on_stop: [{get: /stop}]
        tasks:
          first: {get: /1}
          second:
            steps: [{get: /2}, interrupt]
          deeper:
            tasks: {x: {get: /x}, y: [{get: /y}, {interrupt: true}]}
      plain: [{get: /a}, {get: /b}]
)y");
    ASSERT_TRUE(p);
    const auto& outer = p->users[0].root.tasks[0];
    ASSERT_TRUE(outer.nested);
    EXPECT_TRUE(outer.nested->sequential);
    EXPECT_EQ(outer.nested->iterations, 5);
    EXPECT_EQ(outer.nested->wait.min, 1s);
    EXPECT_EQ(outer.nested->tasks.size(), 3u);
    EXPECT_TRUE(std::holds_alternative<interrupt_step>(outer.nested->tasks[1].steps[1].action));
    EXPECT_TRUE(outer.nested->tasks[2].nested);
    EXPECT_EQ(p->users[0].root.tasks[1].steps.size(), 2u);
}

TEST(constructs_test, let_then_template_uses_the_variable) {
    auto p = compile_ok(R"y(
host: http://h
data: {words: {items: [elephant, zebra]}}
users:
  A:
    tasks:
      search:
        let: {word: "{{ random(words) }}"}
        get: "/search?search={{ prefix(word, rand_int(3, len(word))) }}"
        name: "/search?search=[string]"
)y");
    ASSERT_TRUE(p);
    const auto& t = p->users[0].root.tasks[0];
    ASSERT_EQ(t.let.size(), 1u);
    const auto& r = request_of(t.steps[0]);
    EXPECT_EQ(r.name, "/search?search=[string]");
    fake_environment env;
    for (int i = 0; i < 50; ++i) {
        env.vars["word"] = t.let[0].second.evaluate(env);
        const auto word = std::get<std::string>(env.vars["word"]);
        const auto url = r.url.render(env);
        const auto typed = url.substr(std::string("/search?search=").size());
        EXPECT_GE(typed.size(), 3u);
        EXPECT_LE(typed.size(), word.size());
        EXPECT_EQ(word.rfind(typed, 0), 0u) << typed << " is not a prefix of " << word;
    }
}

TEST(constructs_test, request_fields) {
    auto p = compile_ok(R"y(
host: http://h
users:
  A:
    tasks:
      t:
        put: "/items/{{ user_id }}"
        headers: {X-Trace: "t-{{ user_id }}", Accept: text/html}
        query: {q: search, page: "{{ iteration }}"}
        json: {id: "{{ user_id }}", n: 3, f: 1.5, ok: true, none: null, s: "text", list: [1, "two"]}
        timeout: 1.5s
        follow_redirects: false
      raw: {patch: /r, body: "hello {{ user_id }}"}
      others: [{delete: /d}, {head: /h}, {options: /o}, {post: http://abs.test/x}]
)y");
    ASSERT_TRUE(p);
    const auto& r = request_of(p->users[0].root.tasks[0].steps[0]);
    fake_environment env;
    EXPECT_EQ(r.method, http_method::put);
    EXPECT_EQ(r.name,
              "/items/{{ user_id }}");  // the URL as written: templated URLs don't explode stats
    EXPECT_EQ(r.url.render(env), "/items/7");
    ASSERT_EQ(r.headers.size(), 2u);
    EXPECT_EQ(r.headers[0].first, "X-Trace");
    EXPECT_EQ(r.headers[0].second.render(env), "t-7");
    EXPECT_EQ(r.query[1].second.render(env), "3");
    EXPECT_EQ(r.body, request_step::body_kind::json);
    std::string json;
    for (const auto& part : r.json.parts) {
        if (part.value) json += "\"" + part.value->render(env) + "\"";
        else json += part.literal;
    }
    EXPECT_EQ(json,
              R"({"id":"7","n":3,"f":1.5,"ok":true,"none":null,"s":"text","list":[1,"two"]})");
    EXPECT_EQ(r.timeout, 1500ms);
    EXPECT_FALSE(r.follow_redirects);
    const auto& raw = request_of(p->users[0].root.tasks[1].steps[0]);
    EXPECT_EQ(raw.method, http_method::patch);
    EXPECT_EQ(raw.body, request_step::body_kind::raw);
    EXPECT_EQ(raw.raw.render(env), "hello 7");
    const auto& others = p->users[0].root.tasks[2].steps;
    EXPECT_EQ(request_of(others[0]).method, http_method::delete_);
    EXPECT_EQ(request_of(others[1]).method, http_method::head);
    EXPECT_EQ(request_of(others[2]).method, http_method::options);
    EXPECT_EQ(request_of(others[3]).url.static_text(), "http://abs.test/x");
}

TEST(constructs_test, json_body_without_templates_is_prerendered) {
    auto p = compile_ok("host: http://h\nusers: {A: {tasks: {t: {post: /, json: {a: [1, 2]}}}}}\n");
    ASSERT_TRUE(p);
    const auto& r = request_of(p->users[0].root.tasks[0].steps[0]);
    ASSERT_EQ(r.json.parts.size(), 1u);
    EXPECT_FALSE(r.json.parts[0].value);
    EXPECT_EQ(r.json.parts[0].literal, R"({"a":[1,2]})");
}

TEST(constructs_test, checks) {
    auto p = compile_ok(R"y(
host: http://h
users:
  A:
    tasks:
      t:
        get: /
        check:
          status: [200, "3xx", 401]
          body_contains: [a, b]
          body_not_contains: error
          body_regex: "id=(\\d+)"
          json: {"$.items[0].id": 5, "$.name": {matches: "^x"}, "$.gone": {exists: false}}
          header: {Cache-Control: "max-age", X-Id: {exists: true}}
          cookie: {session: {exists: true}}
          max_ms: 250
          message: custom failure
)y");
    ASSERT_TRUE(p);
    const auto& c = request_of(p->users[0].root.tasks[0].steps[0]).check;
    ASSERT_TRUE(c.status);
    EXPECT_TRUE(c.status->contains(200));
    EXPECT_TRUE(c.status->contains(302));
    EXPECT_TRUE(c.status->contains(401));
    EXPECT_FALSE(c.status->contains(404));
    EXPECT_EQ(c.body_contains.size(), 2u);
    ASSERT_EQ(c.body_not_contains.size(), 1u);
    EXPECT_EQ(c.body_not_contains[0].static_text(), "error");
    ASSERT_TRUE(c.body_regex);
    EXPECT_TRUE(RE2::PartialMatch("x id=42", *c.body_regex));
    ASSERT_EQ(c.json.size(), 3u);
    EXPECT_EQ(c.json[0].how, json_check::kind::equals);
    EXPECT_EQ(c.json[0].expected_json, "5");
    EXPECT_EQ(c.json[1].how, json_check::kind::matches);
    EXPECT_EQ(c.json[2].how, json_check::kind::exists);
    EXPECT_FALSE(c.json[2].exists);
    ASSERT_EQ(c.headers.size(), 2u);
    EXPECT_TRUE(c.headers[0].pattern);
    EXPECT_FALSE(c.headers[1].pattern);
    ASSERT_EQ(c.cookies.size(), 1u);
    EXPECT_EQ(c.max_time, 250ms);
    EXPECT_EQ(c.message, "custom failure");
}

TEST(constructs_test, without_status_check_the_default_rule_applies) {
    auto p = compile_ok("host: http://h\nusers: {A: {tasks: {t: {get: /}}}}\n");
    ASSERT_TRUE(p);
    EXPECT_FALSE(request_of(p->users[0].root.tasks[0].steps[0]).check.status);
}

TEST(constructs_test, extractions) {
    auto p = compile_ok(R"y(
host: http://h
users:
  A:
    tasks:
      t:
        get: /
        extract:
          a: {regex: "id=(\\d+)-(\\w+)", group: 2}
          b: {regex: "whole"}
          c: {json: "$.data[0].id"}
          d: {header: Location}
          e: {cookie: session}
          f: {input: csrf_token}
)y");
    ASSERT_TRUE(p);
    const auto& x = request_of(p->users[0].root.tasks[0].steps[0]).extract;
    ASSERT_EQ(x.size(), 6u);
    EXPECT_EQ(x[0].how, extraction::kind::regex);
    EXPECT_EQ(x[0].group, 2);
    EXPECT_EQ(x[1].group, 0);
    EXPECT_EQ(x[2].how, extraction::kind::json);
    EXPECT_EQ(x[2].path.segments().size(), 3u);
    EXPECT_EQ(x[3].how, extraction::kind::header);
    EXPECT_EQ(x[4].how, extraction::kind::cookie);
    EXPECT_EQ(x[5].how, extraction::kind::input);
}

TEST(constructs_test, control_steps) {
    auto p = compile_ok(R"y(
host: http://h
users:
  A:
    tasks:
      t:
        steps:
          - get: /account
          - if: "{{ last.status == 401 }}"
            steps: [{post: /login}]
            else: [{sleep: 10ms}]
          - repeat: 3
            steps: [{get: /r}]
          - sleep: 0.05s
          - let: {x: "{{ rand_str(8) }}"}
          - get: "/x/{{ x }}"
          - stop_user
)y");
    ASSERT_TRUE(p);
    const auto& steps = p->users[0].root.tasks[0].steps;
    ASSERT_EQ(steps.size(), 7u);
    const auto& cond = std::get<if_step>(steps[1].action);
    fake_environment env;
    env.status = 401;
    EXPECT_TRUE(tmpl::truthy(cond.condition.evaluate(env)));
    env.status = 200;
    EXPECT_FALSE(tmpl::truthy(cond.condition.evaluate(env)));
    EXPECT_EQ(cond.then_steps.size(), 1u);
    EXPECT_EQ(cond.else_steps.size(), 1u);
    EXPECT_EQ(std::get<repeat_step>(steps[2].action).count, 3);
    EXPECT_EQ(std::get<sleep_step>(steps[3].action).time, 50ms);
    EXPECT_EQ(std::get<let_step>(steps[4].action).assignments.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<stop_user_step>(steps[6].action));
}

TEST(constructs_test, csv_data_gives_records_with_fields) {
    auto p = compile_ok(R"y(
host: http://h
data: {accounts: {file: a.csv}}
users:
  A:
    vars: {account: "{{ next(accounts) }}"}
    tasks: {t: {post: /login, form: {email: "{{ account.email }}"}}}
)y",
                        {{"a.csv", "email,password\nx@e.com,p1\ny@e.com,p2\n"}});
    ASSERT_TRUE(p);
    fake_environment env;
    const auto& vars = p->users[0].vars;
    env.vars["account"] = vars[0].second.evaluate(env);
    const auto& r = request_of(p->users[0].root.tasks[0].steps[0]);
    EXPECT_EQ(r.form[0].second.render(env), "x@e.com");
    env.vars["account"] = vars[0].second.evaluate(env);
    EXPECT_EQ(r.form[0].second.render(env), "y@e.com");
}

TEST(constructs_test, host_override_replaces_scenario_host) {
    bundle b{"t.yaml", "host: http://a\nusers: {A: {host: http://b, tasks: {t: {get: /}}}}\n", {}};
    auto r = compile(b, compile_options{"http://127.0.0.1:9"});
    ASSERT_TRUE(r.result);
    EXPECT_EQ(r.result->host, "http://127.0.0.1:9");
    EXPECT_EQ(r.result->users[0].host, "http://127.0.0.1:9");
}

TEST(constructs_test, every_example_scenario_compiles) {
    for (auto name : {"website", "autocomplete", "api", "shop", "feeders"}) {
        auto r = load_file(std::string(SWARM_SOURCE_DIR) + "/scenarios/" + name + ".yaml");
        EXPECT_TRUE(r.result) << name << ": " << (r.errors.empty() ? "" : r.errors[0].to_string());
    }
}

}  // namespace
}  // namespace swarm::scenario
