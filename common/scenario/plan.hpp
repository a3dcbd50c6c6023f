#pragma once
// The compiled scenario: an immutable plan that every virtual user of a worker
// shares read-only. Produced by compile() (loader.hpp) from the YAML source;
// nothing in here changes after compilation, so it may be read from any thread.
//
// Per-user state (variables, cookies, RNG, connections) lives in the user, not here.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/scenario/feeder.hpp"
#include "common/scenario/json_path.hpp"
#include "common/scenario/tls_spec.hpp"
#include "common/template/template.hpp"

namespace re2 {
class RE2;
}

namespace swarm::scenario {

using duration = std::chrono::microseconds;
using regex_ptr = std::shared_ptr<const re2::RE2>;

// Where something was written: 1-based line and column in the scenario file.
struct source_location {
    int line = 0;
    int column = 0;
};

enum class http_method { get, post, put, patch, delete_, head, options };
const char* to_string(http_method m);  // "GET", "POST", ...

// `protocol:` of a user class or a request. auto: HTTP/2 when a TLS server
// picks it by ALPN (offered "h2,http/1.1"), else HTTP/1.1; h1: HTTP/1.1
// only (no h2 offered); h2c: HTTP/2 with prior knowledge over http:// (over
// https:// it is auto).
enum class http_protocol : std::uint8_t { auto_, h1, h2c };
const char* to_string(http_protocol p);  // "auto", "h1", "h2c"

// How long a user waits after each task (Locust's wait_time).
struct wait_spec {
    enum class kind {
        none,        // no wait (zero think time)
        between,     // uniform in [min, max]
        constant,    // always min
        pacing,      // start tasks every min: wait min - task time (Locust's constant_pacing)
        throughput,  // per_second tasks/s per user (constant_throughput)
    };
    kind how = kind::none;
    duration min{0};
    duration max{0};
    double per_second = 0;  // for throughput
};

// `check.status`: inclusive ranges; 200 → [200,200], "2xx" → [200,299].
struct status_ranges {
    std::vector<std::pair<int, int>> ranges;
    bool contains(int status) const;
};

// `check.json: {"$.path": value | {exists: bool} | {matches: re}}`
struct json_check {
    enum class kind { equals, exists, matches };
    std::string path_text;  // as written, for messages
    json_path path;
    kind how = kind::equals;
    std::string expected_json;  // equals: the expected value serialised as JSON
    // equals with a templated scalar ("{{ id }}"): rendered per response and
    // compared with the found value's text (json_text: 42 equals "42").
    std::optional<tmpl::template_string> expected_template;
    bool exists = true;  // exists: whether the path must resolve
    regex_ptr pattern;   // matches: against the value's text
};

// `check.header` and `check.cookie`: a regex over the value, or presence.
struct named_check {
    std::string name;
    bool exists = true;  // false: must be absent
    regex_ptr pattern;   // set: must be present and match
    std::string pattern_text;
    // `{equals: TEMPLATE}`: must be present and equal its rendering.
    std::optional<tmpl::template_string> equals;
};

// Everything `check:` may ask of a response. Empty = the default rule only
// (status >= 400 is a failure, as in Locust).
struct checks {
    std::optional<status_ranges> status;
    std::vector<tmpl::template_string> body_contains;  // rendered per response
    std::vector<tmpl::template_string> body_not_contains;
    regex_ptr body_regex;
    std::string body_regex_text;
    std::vector<json_check> json;
    std::vector<named_check> headers;
    std::vector<named_check> cookies;
    std::optional<duration> max_time;  // `max_ms`
    std::string message;               // replaces the generated failure message
};

// `extract: {var: {regex|json|header|cookie|input: ...}}`
struct extraction {
    enum class kind { regex, json, header, cookie, input };
    std::string variable;
    kind how = kind::regex;
    std::string argument;  // the regex text, JSON path text, header/cookie/field name
    regex_ptr pattern;     // regex
    int group = 0;         // regex capture group (0 = whole match)
    json_path path;        // json
};

// A JSON body whose string leaves may hold templates: literal JSON text
// alternating with templates. A leaf that is exactly "{{ expr }}" renders as
// the JSON of the value's type (number, bool, null, array, object, string);
// any other templated leaf renders as a JSON string. Without templates the
// body is one literal part, pre-serialised at load.
struct json_body {
    struct part {
        std::string literal;                         // JSON text, when !value
        std::optional<tmpl::template_string> value;  // rendered as JSON (see above)
    };
    std::vector<part> parts;
};

using named_templates = std::vector<std::pair<std::string, tmpl::template_string>>;

// One part of a `multipart:` body (multipart/form-data, RFC 7578): a text
// field (a template) or a file shipped in the scenario's bundle.
struct multipart_part {
    std::string name;             // the form field's name
    tmpl::template_string value;  // a text field's value (when !is_file())
    // A file's bytes, exactly as read (binary-safe), shared by every request.
    std::shared_ptr<const std::string> content;
    std::string file;          // the file's path as written in the scenario
    std::string filename;      // Content-Disposition's filename= (default: the path's last part)
    std::string content_type;  // the part's Content-Type (default application/octet-stream)
    bool is_file() const { return content != nullptr; }
};

struct request_step {
    http_method method = http_method::get;
    tmpl::template_string url;  // relative to the host, or absolute
    std::string name;           // stats group (default: the URL as written)
    // A `name:` with {{ }}: rendered per request (cut to max_stats_name_bytes);
    // `name` then holds its source.
    std::optional<tmpl::template_string> name_template;
    named_templates headers;
    named_templates query;
    enum class body_kind { none, form, json, raw, multipart } body = body_kind::none;
    named_templates form;       // body == form (urlencoded)
    json_body json;             // body == json
    tmpl::template_string raw;  // body == raw
    // body == multipart: the parts in the order written; the boundary is
    // chosen per request (worker/user/multipart.hpp).
    std::vector<multipart_part> multipart;
    std::optional<duration> timeout;
    bool follow_redirects = true;
    // `max_body:` the largest response body accepted (as received and
    // decoded); nullopt: --max-body-size.
    std::optional<std::uint64_t> max_body_bytes;
    // `response_body: discard`: read the body, count its bytes, keep none
    // (downloads). Checks and extractions that read the body are refused.
    bool discard_body = false;
    // The request's own `protocol:`, else its user class's (resolved at load).
    http_protocol protocol = http_protocol::auto_;
    checks check;
    std::vector<extraction> extract;
};

// WebSocket steps: one WebSocket per user, opened by `ws:` and used by the
// send/receive/close steps after it (the loader refuses them before any
// `ws:`). Their rows have method "WS" (ws_method); a message's row counts it
// once with its payload size as the row's bytes.
inline constexpr const char* ws_method = "WS";

// `ws: /chat` (or ws://, wss://, http(s):// URLs): the handshake, with the
// user's cookies and `headers:`, offering `subprotocols:`. A path is relative
// to the class's host (http → ws, https → wss). Replaces an open WebSocket.
struct ws_connect_step {
    tmpl::template_string url;
    std::string name;  // the connect row's name (default: the URL as written)
    named_templates headers;
    std::vector<std::string> subprotocols;  // Sec-WebSocket-Protocol offers, in order
    std::optional<duration> timeout;        // TCP + TLS + handshake; nullopt: --request-timeout
    // `max_message:` the largest message a receive accepts (default 1 MiB).
    std::uint64_t max_message_bytes = std::uint64_t{1} << 20;
};

// `send: TEXT` (a template), `send: {json: ...}` (typed JSON, as a request's
// `json:`) or `send: {binary: FILE}` (a file of the bundle, as is).
struct ws_send_step {
    std::string name;  // the row's name (default "send")
    enum class payload_kind { text, json, binary } payload = payload_kind::text;
    tmpl::template_string text;                  // text
    json_body json;                              // json
    std::shared_ptr<const std::string> content;  // binary: the file's bytes
    std::string file;                            // binary: its path as written
};

// `receive:` one message (or, with `until:`, messages until a condition holds
// for one, at most `max`). Its latency counts from the user's latest send
// not yet answered (else from the receive's start) to the message. The
// message is `last.body` for checks, extractions and the condition.
struct ws_receive_step {
    std::string name;                 // the row's name (default "receive")
    std::optional<duration> timeout;  // per message; nullopt: --request-timeout
    std::optional<tmpl::expression> until;
    std::int64_t max = 1;             // messages read at most (until: required bound)
    checks check;                     // body_contains, body_regex, json, max_ms, message
    std::vector<extraction> extract;  // regex and json only
};

// `close:` (or `close: {code: 1000, reason: bye}`): the closing handshake;
// a row named "close" times it.
struct ws_close_step {
    std::uint16_t code = 1000;
    std::string reason;
};

struct step;
using step_list = std::vector<step>;

struct if_step {
    tmpl::expression condition;
    step_list then_steps;
    step_list else_steps;
};

struct repeat_step {
    std::int64_t count = 0;
    step_list steps;
};

struct sleep_step {
    duration time{0};
    // `sleep: "{{ ... }}"`: rendered per run and read as a duration ("2s",
    // "1.5" seconds); text that is not one is a counted error and no sleep.
    std::optional<tmpl::template_string> templated{};
};

// `while: EXPR, max: N, steps: [...]`: the steps run while EXPR is true,
// at most `max` rounds; a condition still true after them is a counted error
// (the task goes on with the next step).
struct while_step {
    tmpl::expression condition;
    std::int64_t max = 0;
    step_list steps;
    source_location where;  // for the error's message
};

struct let_step {
    named_templates assignments;
};

// `group: NAME` with `steps:`: the steps run as written, and a row of type
// GROUP named NAME records each execution's duration (first step's start to
// last step's end; k6's and Gatling's groups). Failed when a request inside
// failed. GROUP rows are not requests: they count in no total.
struct group_step {
    std::string name;
    step_list steps;
};

// `parallel: [requests]`: one user sends the requests at once (a page's
// assets) and goes on when every one has ended, each under its own
// deadline. Each request keeps its own row, latency and failure; their
// checks and extractions are judged after all have ended, in list order,
// so a later request's extraction of the same variable wins. Only request
// steps: the loader refuses control steps and nested blocks inside.
struct parallel_step {
    step_list requests;  // each a request_step
};

struct interrupt_step {};  // leave the current nested task set
struct stop_user_step {};  // this user stops for good (on_stop runs)

struct step {
    source_location where;
    std::variant<request_step, if_step, repeat_step, sleep_step, let_step, interrupt_step,
                 stop_user_step, while_step, group_step, parallel_step, ws_connect_step,
                 ws_send_step, ws_receive_step, ws_close_step>
        action;
};

struct task_set;

struct task {
    std::string name;
    double weight = 1;              // 0: disabled (never picked)
    std::vector<std::string> tags;  // `tags:`, for --tags / --exclude-tags
    named_templates let;            // set before the steps run
    step_list steps;
    std::shared_ptr<const task_set> nested;  // a nested task set instead of steps
    source_location where;
};

// A weighted (or sequential) set of tasks with its own wait and hooks. A user
// class's tasks are its root task set; `tasks:` inside a task nests another.
struct task_set {
    std::vector<task> tasks;
    wait_spec wait;
    // Nested, without `wait:` of its own: `wait` is the user class's.
    bool wait_inherited = false;
    step_list on_start;
    step_list on_stop;
    bool sequential = false;
    std::optional<std::int64_t> iterations;  // nested only: return to the parent after N tasks
    std::vector<double> cumulative_weights;  // for weighted picking: running sums of task weights
};

// One stage of an open class's arrival profile: the rate moves linearly from
// the rate the previous stage ended at (the first stage: arrival_spec's
// start_rate) to `per_second` over `length`. `length` 0 (only the last
// stage, as `arrival: {rate: 200/s}` compiles): `per_second` until the test ends.
struct arrival_stage {
    duration length{0};
    double per_second = 0;  // iterations/s, cluster-wide
    source_location where;
};

// `arrival:` — an open class: iterations start at a rate of their own,
// whatever the server does, each on a free user of a bounded pool.
struct arrival_spec {
    std::vector<arrival_stage> stages;  // at least one
    double start_rate = 0;              // iterations/s when the first stage begins
    std::int64_t max_users = 0;         // the pool's bound, cluster-wide (> 0 once compiled)
    std::int64_t pre_allocate = 0;      // users made (and on_start run) before the first arrival
    enum class distribution { constant, poisson } spacing = distribution::constant;
};

struct user_class {
    std::string name;
    // `arrival:` instead of weight/fixed_count: an open class (its users are
    // a pool; weight and fixed_count do not apply).
    std::optional<arrival_spec> arrival;
    double weight = 1;
    std::optional<std::int64_t> fixed_count;  // exactly this many users, cluster-wide
    std::string host;                         // empty: the scenario's host
    named_templates vars;                     // per-user variables, set at start
    task_set root;                            // tasks, wait, on_start, on_stop
    bool insecure = false;                    // skip TLS verification
    std::string ca_file;  // `ca_file:` as written (the class's, else the scenario's)
    std::string ca_pem;   // its content: extra CA certificates (PEM) to trust
    http_protocol protocol = http_protocol::auto_;  // `protocol:`, its requests' default
    tls_spec tls;                                   // `tls:` (sessions, versions, ciphers, SNI)
    // `close_idle_after:` a user about to wait at least this long (think
    // time, pacing, `sleep:`) first closes its keep-alive connections; the
    // next request reconnects (resuming its TLS session). Unset: they stay.
    std::optional<duration> close_idle_after;
    source_location where;
};

// One stage of a closed-model profile (`load: {stages: [...]}`): the
// cluster's users move toward `users` at `rate` users/s, then hold until
// the stage's `length` is over (k6 ramping-vus stages, Locust's step shapes).
struct load_stage {
    duration length{0};
    std::int64_t users = 0;
    double rate = 1;  // users/s
    source_location where;
};

// Optional defaults for a run; the command line overrides each (-u/-r/-t
// are a one-stage profile and replace `stages`).
struct load_spec {
    std::optional<std::int64_t> users;
    std::optional<double> spawn_rate;
    std::optional<duration> run_time;
    std::vector<load_stage> stages;          // a profile for the closed classes
    std::optional<std::int64_t> iterations;  // end after N task iterations, cluster-wide
};

// One `thresholds:` item of the scenario (or a --threshold): a pass/fail
// rule over the master's merged, cluster-wide statistics, e.g.
// "p95(GET /about) < 200ms". The grammar and its parser are in
// common/scenario/threshold_expr.hpp; the master judges it every second
// and at the end (master/gates/). Workers ignore thresholds.
struct threshold_spec {
    std::string expression;      // as written (trimmed)
    bool abort_on_fail = false;  // a live failure stops the whole test at once
    duration delay{0};           // not judged before this long after the test started
    source_location where{};     // in the scenario file ({0, 0}: from --threshold)
};

struct plan {
    std::string name;  // the scenario's file name, for display
    std::string host;
    std::vector<std::shared_ptr<const tmpl::data_set>> data;
    // Each data set's `on_end:` (same order as `data`): what next() and
    // unique() do when its records run out (common/scenario/feeder.hpp).
    std::vector<data_end> data_on_end{};
    std::vector<user_class> users;
    load_spec load;
    std::vector<threshold_spec> thresholds{};  // `thresholds:`, in file order
};

}  // namespace swarm::scenario
