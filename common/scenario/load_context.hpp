#pragma once
// Private to the scenario loader: the state of one compile() and the helpers
// that read typed values from YAML nodes while collecting every error.

#include <yaml-cpp/yaml.h>

#include <functional>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/scenario/bundle.hpp"
#include "common/scenario/plan.hpp"

namespace swarm::scenario::detail {

class load_context {
  public:
    load_context(const bundle& b, const compile_options& opts) : bundle_(b), options_(opts) {}

    const bundle& source() const { return bundle_; }
    const compile_options& options() const { return options_; }
    std::vector<diagnostic>& errors() { return errors_; }
    std::vector<diagnostic>& warnings() { return warnings_; }

    void error(const YAML::Node& at, const std::string& path, const std::string& message);
    // Compiles, but probably not as meant (compile_result::warnings).
    void warning(const YAML::Node& at, const std::string& path, const std::string& message);
    void error_at(const YAML::Mark& mark, const std::string& path, const std::string& message);

    // Each returns false (after reporting) when the node has the wrong shape.
    bool expect_map(const YAML::Node& n, const std::string& path, std::string_view what = "a map");
    bool expect_sequence(const YAML::Node& n, const std::string& path);
    bool expect_scalar(const YAML::Node& n, const std::string& path, std::string_view what);

    // Reports unknown keys, with the closest allowed one (duplicate_keys.hpp finds repeats).
    void check_keys(const YAML::Node& map, const std::string& path,
                    std::initializer_list<std::string_view> allowed);

    // Text used as written: a "{{" in it is refused (refuse_template).
    std::optional<std::string> string(const YAML::Node& n, const std::string& path);
    // Reports (and returns true) when scalar `n` holds "{{" where no template
    // is allowed, so it is never kept literally by mistake; `why` is added.
    bool refuse_template(const YAML::Node& n, const std::string& path, std::string_view why = {});
    // Text fixed for the whole run that may use env() ("{{ env('HOST') }}"),
    // as for `host:`: a template that reads nothing per user, rendered at load.
    std::optional<std::string> constant_text(const YAML::Node& n, const std::string& path);
    std::optional<double> positive_number(const YAML::Node& n, const std::string& path);
    std::optional<double> non_negative_number(const YAML::Node& n, const std::string& path);
    std::optional<std::int64_t> integer(const YAML::Node& n, const std::string& path,
                                        std::int64_t min, std::int64_t max);
    std::optional<bool> boolean(const YAML::Node& n, const std::string& path);
    std::optional<duration> time(const YAML::Node& n, const std::string& path);
    regex_ptr regex(const YAML::Node& n, const std::string& path);

    // Templates are compiled against the current user class's names.
    std::optional<tmpl::template_string> templ(const YAML::Node& n, const std::string& path);
    std::optional<tmpl::expression> expression(const YAML::Node& n, const std::string& path);
    named_templates templates_map(const YAML::Node& n, const std::string& path);

    // `protocol:` (auto, h1 or h2c), or nullopt after reporting.
    std::optional<http_protocol> protocol(const YAML::Node& n, const std::string& path);
    // The current user class's `protocol:`: the default of the requests loaded next.
    void set_class_protocol(http_protocol p) { class_protocol_ = p; }
    http_protocol class_protocol() const { return class_protocol_; }

    // The names the current user class may use in templates.
    void begin_user_class(std::set<std::string, std::less<>> variables);
    tmpl::symbols& symbols() { return symbols_; }

    std::vector<std::shared_ptr<const tmpl::data_set>>& data_sets() { return symbols_.data_sets; }

    // WebSocket steps need a `ws:` before them: whether one was loaded so
    // far in the current task (or its class's on_start, which every task
    // starts from). begin_user_class() clears both.
    bool ws_open = false;
    bool ws_open_at_start = false;

  private:
    void report_template_errors(const YAML::Node& n, const std::string& path,
                                const std::vector<tmpl::error>& errs);

    const bundle& bundle_;
    const compile_options& options_;
    http_protocol class_protocol_ = http_protocol::auto_;
    std::vector<diagnostic> errors_;
    std::vector<diagnostic> warnings_;
    std::set<std::string, std::less<>> variables_;
    tmpl::symbols symbols_;
};

// "a.b" + "c" → "a.b.c"; keys that are not identifiers are quoted.
std::string join_path(const std::string& parent, std::string_view key);
std::string index_path(const std::string& parent, std::size_t index);

// 1-based source location of a node (0:0 when yaml-cpp has none).
source_location location_of(const YAML::Node& n);
// The key node of `key` in `map` (errors about a key point at it, not at its
// value); an undefined node when absent.
YAML::Node key_node(const YAML::Node& map, std::string_view key);

// Each compiles one part of the scenario into `out`, reporting into ctx.
// Adds the data sets to ctx.data_sets(); returns their `on_end:`, same order.
std::vector<data_end> load_data(load_context& ctx, const YAML::Node& data);
// `ca_file: PATH` → its name as written and its PEM content (from the bundle).
void load_ca_file(load_context& ctx, const YAML::Node& n, const std::string& path,
                  std::string& file, std::string& pem);
void load_user_class(load_context& ctx, const std::string& name, const YAML::Node& n,
                     const std::string& path, user_class& out);
// A user class's `tls:` (resume, versions, ciphers, sni); load_tls.cpp.
void load_tls(load_context& ctx, const YAML::Node& n, const std::string& path, tls_spec& out);
// `load:` (users, spawn_rate, run_time, stages, iterations); load_profile.cpp.
void load_load_spec(load_context& ctx, const YAML::Node& n, load_spec& out);
// A user class's `arrival:` (an open class); load_profile.cpp.
void load_arrival(load_context& ctx, const YAML::Node& n, const std::string& path,
                  arrival_spec& out);
// After every class is loaded: drops disabled (weight 0) tasks and applies
// --tags/--exclude-tags; classes left without a task are removed (with a
// warning). `root`: the scenario's top map. tag_filter.cpp.
void filter_tasks(load_context& ctx, const YAML::Node& root, plan& p);
// `thresholds:` (load_thresholds.cpp), checked against the loaded classes and tags.
void load_thresholds(load_context& ctx, const YAML::Node& n, plan& p);
// Where steps are: how deep (bounded by max_nesting) and whether inside a
// nested task set (where `interrupt` is allowed).
struct scope {
    int depth = 0;
    bool nested = false;
    // The user class's wait: what a nested task set without `wait:` runs
    // with (Locust's TaskSet.wait_time falls back to the user's).
    const wait_spec* user_wait = nullptr;
    scope deeper() const { return {depth + 1, nested, user_wait}; }
};
step_list load_steps(load_context& ctx, const YAML::Node& n, const std::string& path, scope where);
void load_task_set_body(load_context& ctx, const YAML::Node& tasks, const std::string& path,
                        scope where, task_set& out);
// A `group: NAME` step with its `steps:` (load_group.cpp).
void load_group(load_context& ctx, const YAML::Node& n, const std::string& path, scope where,
                step& out);
// A `parallel: [requests]` step (load_parallel.cpp): requests only.
void load_parallel(load_context& ctx, const YAML::Node& n, const std::string& path, step& out);
// Request keys other than the method; `extra` are keys the caller handles
// (a task's weight and let when the request is written inline).
void load_request(load_context& ctx, const YAML::Node& n, const std::string& path,
                  std::initializer_list<std::string_view> extra, request_step& out);
void load_checks(load_context& ctx, const YAML::Node& n, const std::string& path, checks& out);
// A request's `multipart:` body (load_multipart.cpp); `other_bodies`: how
// many of form, json and body the request also has (an error if any).
void load_multipart(load_context& ctx, const YAML::Node& request, const std::string& path,
                    int other_bodies, request_step& out);
// Every `multipart:` file part's `file:` node under `n`, with its key path
// (read_bundle ships these files with the scenario).
void find_multipart_files(const YAML::Node& n, const std::string& path, int depth,
                          const std::function<void(const YAML::Node&, std::string)>& add);
void load_extract(load_context& ctx, const YAML::Node& n, const std::string& path,
                  std::vector<extraction>& out);
// A typed JSON body (a request's `json:`, a WebSocket `send: {json: ...}`).
void load_json_body(load_context& ctx, const YAML::Node& n, const std::string& path,
                    json_body& out);
// The content of a file the bundle ships (multipart parts, binary sends), or nullptr.
const std::string* bundled_file(const bundle& b, const std::string& file);
// The WebSocket steps `ws:`, `send:`, `receive:` and `close:` (load_ws.cpp);
// false when `n` is none of them.
bool load_ws_step(load_context& ctx, const YAML::Node& n, const std::string& path, step& out);
inline constexpr std::string_view ws_step_keys[] = {"ws", "send", "receive", "close"};

// The HTTP method a request map uses, if it has exactly one method key.
inline constexpr std::string_view method_keys[] = {"get",    "post", "put",    "patch",
                                                   "delete", "head", "options"};

}  // namespace swarm::scenario::detail
