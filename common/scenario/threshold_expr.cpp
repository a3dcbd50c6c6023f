#include "common/scenario/threshold_expr.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <memory>
#include <utility>
#include <vector>

#include "common/duration.hpp"
#include "common/suggest.hpp"

namespace swarm::scenario {

namespace {

struct named_metric {
    std::string_view name;
    threshold_metric metric;
};

constexpr std::array<named_metric, 13> metric_names{{
    {"avg", threshold_metric::avg},
    {"min", threshold_metric::min},
    {"max", threshold_metric::max},
    {"med", threshold_metric::percentile},
    {"fail_ratio", threshold_metric::fail_ratio},
    {"checks", threshold_metric::checks},
    {"rps", threshold_metric::rps},
    {"fail_rps", threshold_metric::fail_rps},
    {"requests", threshold_metric::requests},
    {"failures", threshold_metric::failures},
    {"iterations", threshold_metric::iterations},
    {"dropped_iterations", threshold_metric::dropped_iterations},
    {"pacing_overruns", threshold_metric::pacing_overruns},
}};

constexpr std::array<std::string_view, 10> row_methods{"GET",  "POST",    "PUT",  "PATCH", "DELETE",
                                                       "HEAD", "OPTIONS", "ITER", "GROUP", "WS"};

bool is_space(char c) {
    return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// A cursor over the expression that knows its column for messages.
class parser {
  public:
    explicit parser(std::string_view text) : text_(text) {}

    result<threshold_expr> run() {
        threshold_expr out;
        skip_spaces();
        if (auto r = metric(out); !r) return r.error();
        skip_spaces();
        if (peek() == '(') {
            if (auto r = selector(out); !r) return r.error();
            skip_spaces();
        }
        if (auto r = check_selector(out); !r) return r.error();
        if (auto r = op(out); !r) return r.error();
        skip_spaces();
        if (auto r = limit(out); !r) return r.error();
        return out;
    }

  private:
    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
    void skip_spaces() {
        while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
    }
    error at(std::size_t pos, const std::string& message) const {
        return fail("at column " + std::to_string(pos + 1) + ": " + message);
    }

    result<void> metric(threshold_expr& out) {
        const std::size_t start = pos_;
        while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) != 0 ||
                                       text_[pos_] == '_' || text_[pos_] == '.'))
            ++pos_;
        const auto word = text_.substr(start, pos_ - start);
        if (word.empty()) return at(start, "expected a metric such as p95, avg or fail_ratio");
        out.metric_text = std::string(word);
        if (word.size() > 1 && word[0] == 'p' &&
            std::isdigit(static_cast<unsigned char>(word[1])) != 0) {
            double p = 0;
            const auto digits = word.substr(1);
            const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), p,
                                                   std::chars_format::fixed);
            if (ec != std::errc() || end != digits.data() + digits.size())
                return at(start, "'" + std::string(word) + "' is not a percentile such as p95");
            if (!(p > 0 && p <= 100))
                return at(start, "a percentile is between p0 (excluded) and p100, got '" +
                                     std::string(word) + "'");
            out.metric = threshold_metric::percentile;
            out.percentile = p;
            return {};
        }
        for (const auto& m : metric_names) {
            if (m.name != word) continue;
            out.metric = m.metric;
            if (word == "med") out.percentile = 50;
            return {};
        }
        std::vector<std::string_view> names{"p50", "p90", "p95", "p99"};
        for (const auto& m : metric_names) names.push_back(m.name);
        return at(start, "unknown metric '" + std::string(word) + "'" + did_you_mean(word, names) +
                             " (p95, avg, min, max, med, fail_ratio, checks, rps, fail_rps, "
                             "requests, failures, iterations, dropped_iterations, "
                             "pacing_overruns)");
    }

    result<void> selector(threshold_expr& out) {
        const std::size_t open = pos_;
        const std::size_t close = text_.rfind(')');
        if (close == std::string_view::npos || close < open)
            return at(open, "'(' has no closing ')'");
        selector_pos_ = open + 1;
        pos_ = close + 1;
        auto body = text_.substr(open + 1, close - open - 1);
        while (!body.empty() && is_space(body.front())) {
            body.remove_prefix(1);
            ++selector_pos_;
        }
        body = trim(body);
        if (body.empty()) return at(open, "empty selector: write p95 for every request");
        auto& sel = out.selector;
        using k = threshold_selector::kind;
        if (body.front() == '~') {
            sel.what = k::regex;
            sel.text = std::string(trim(body.substr(1)));
            if (sel.text.empty()) return at(selector_pos_, "'~' needs a regular expression");
            RE2::Options opts;
            opts.set_log_errors(false);
            auto re = std::make_shared<const RE2>(sel.text, opts);
            if (!re->ok())
                return at(selector_pos_ + 1,
                          "invalid regular expression '" + sel.text + "': " + re->error());
            sel.regex = std::move(re);
            return {};
        }
        for (auto [prefix, what] : {std::pair{std::string_view("class:"), k::user_class},
                                    std::pair{std::string_view("tag:"), k::tag}}) {
            if (body.substr(0, prefix.size()) != prefix) continue;
            sel.what = what;
            sel.text = std::string(trim(body.substr(prefix.size())));
            if (sel.text.empty())
                return at(selector_pos_, "'" + std::string(prefix) + "' needs a name");
            return {};
        }
        const auto space = body.find_first_of(" \t");
        if (space != std::string_view::npos) {
            const auto method = body.substr(0, space);
            for (auto m : row_methods) {
                if (m != method) continue;
                sel.what = k::row;
                sel.method = std::string(method);
                sel.text = std::string(trim(body.substr(space)));
                return {};
            }
        }
        sel.what = k::name;
        sel.text = std::string(body);
        return {};
    }

    result<void> check_selector(const threshold_expr& out) const {
        using k = threshold_selector::kind;
        const bool class_metric = kind_of(out.metric) == metric_kind::class_count;
        const auto what = out.selector.what;
        if (class_metric && what != k::aggregate && what != k::user_class)
            return at(selector_pos_, out.metric_text +
                                         " counts a user class's iterations: select one with "
                                         "class:NAME (or none for every class)");
        if (!class_metric && what == k::user_class)
            return at(selector_pos_,
                      "class: only selects for iterations, dropped_iterations and "
                      "pacing_overruns; for an open class's iteration times "
                      "write " +
                          out.metric_text + "(ITER TASK)");
        return {};
    }

    result<void> op(threshold_expr& out) {
        static constexpr std::array<std::pair<std::string_view, threshold_op>, 6> ops{{
            {"<=", threshold_op::le},
            {">=", threshold_op::ge},
            {"==", threshold_op::eq},
            {"!=", threshold_op::ne},
            {"<", threshold_op::lt},
            {">", threshold_op::gt},
        }};
        for (const auto& [text, value] : ops) {
            if (text_.substr(pos_, text.size()) != text) continue;
            out.op = value;
            pos_ += text.size();
            return {};
        }
        if (pos_ >= text_.size())
            return at(pos_, "expected an operator (<, <=, >, >=, ==, !=) and a value");
        return at(pos_, "expected an operator (<, <=, >, >=, ==, !=), got '" +
                            std::string(text_.substr(pos_, 1)) + "'");
    }

    result<void> limit(threshold_expr& out) {
        const std::size_t start = pos_;
        while (pos_ < text_.size() &&
               (std::isdigit(static_cast<unsigned char>(text_[pos_])) != 0 || text_[pos_] == '.'))
            ++pos_;
        const auto number_text = text_.substr(start, pos_ - start);
        double number = 0;
        const auto [end, ec] =
            std::from_chars(number_text.data(), number_text.data() + number_text.size(), number,
                            std::chars_format::fixed);
        if (number_text.empty() || ec != std::errc() ||
            end != number_text.data() + number_text.size())
            return at(start, "expected a number after '" + std::string(to_string(out.op)) + "'");
        skip_spaces();
        const std::size_t unit_pos = pos_;
        const auto unit = trim(text_.substr(pos_));
        pos_ = text_.size();
        const std::string number_str(number_text);
        auto bad_unit = [&](const char* takes) {
            return at(unit_pos, "unknown unit '" + std::string(unit) + "': " + takes);
        };
        switch (kind_of(out.metric)) {
            case metric_kind::time: {
                static constexpr std::array<std::pair<std::string_view, double>, 4> units{
                    {{"us", 1}, {"ms", 1e3}, {"s", 1e6}, {"m", 60e6}}};
                const auto u = unit.empty() ? std::string_view("ms") : unit;
                for (const auto& [name, factor] : units) {
                    if (name != u) continue;
                    out.limit = number * factor;
                    out.limit_text = number_str + std::string(u);
                    return {};
                }
                return bad_unit("a time takes us, ms, s or m (a bare number is ms)");
            }
            case metric_kind::ratio:
                if (unit == "%") {
                    if (number > 100) return at(start, "a percentage is at most 100%");
                    out.limit = number / 100;
                    out.limit_text = number_str + "%";
                    return {};
                }
                if (!unit.empty()) return bad_unit("a ratio takes % or none (0.01 = 1%)");
                if (number > 1)
                    return at(start, "a bare ratio is a fraction from 0 to 1: write " + number_str +
                                         "% for a percentage");
                out.limit = number;
                out.limit_text = number_str;
                return {};
            case metric_kind::rate:
                if (!unit.empty() && unit != "/s")
                    return bad_unit("a rate is per second: /s or none");
                out.limit = number;
                out.limit_text = number_str + "/s";
                return {};
            case metric_kind::request_count:
            case metric_kind::class_count:
                if (!unit.empty()) return bad_unit("a count takes no unit");
                out.limit = number;
                out.limit_text = number_str;
                return {};
        }
        return {};
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t selector_pos_ = 0;
};

std::string selector_text(const threshold_selector& s) {
    using k = threshold_selector::kind;
    switch (s.what) {
        case k::aggregate:
            return "";
        case k::row:
            return s.method + " " + s.text;
        case k::name:
            return s.text;
        case k::regex:
            return "~" + s.text;
        case k::tag:
            return "tag:" + s.text;
        case k::user_class:
            return "class:" + s.text;
    }
    return "";
}

void add_row(std::vector<request_row>& rows, request_row row) {
    if (std::find(rows.begin(), rows.end(), row) == rows.end()) rows.push_back(std::move(row));
}

void collect_rows(const step_list& steps, std::vector<request_row>& rows) {
    for (const auto& s : steps) {
        if (const auto* r = std::get_if<request_step>(&s.action)) {
            add_row(rows, {to_string(r->method), r->name});
        } else if (const auto* i = std::get_if<if_step>(&s.action)) {
            collect_rows(i->then_steps, rows);
            collect_rows(i->else_steps, rows);
        } else if (const auto* rep = std::get_if<repeat_step>(&s.action)) {
            collect_rows(rep->steps, rows);
        } else if (const auto* w = std::get_if<while_step>(&s.action)) {
            collect_rows(w->steps, rows);
        } else if (const auto* g = std::get_if<group_step>(&s.action)) {
            collect_rows(g->steps, rows);
        } else if (const auto* p = std::get_if<parallel_step>(&s.action)) {
            collect_rows(p->requests, rows);
        } else if (const auto* c = std::get_if<ws_connect_step>(&s.action)) {
            add_row(rows, {ws_method, c->name});
        } else if (const auto* snd = std::get_if<ws_send_step>(&s.action)) {
            add_row(rows, {ws_method, snd->name});
        } else if (const auto* rcv = std::get_if<ws_receive_step>(&s.action)) {
            add_row(rows, {ws_method, rcv->name});
        } else if (std::holds_alternative<ws_close_step>(s.action)) {
            add_row(rows, {ws_method, "close"});
        }
    }
}

// `tag` empty: every request of the set; else only inside tasks tagged so.
void collect_rows(const task_set& set, std::string_view tag, std::vector<request_row>& rows) {
    if (tag.empty()) {
        collect_rows(set.on_start, rows);
        collect_rows(set.on_stop, rows);
    }
    for (const auto& t : set.tasks) {
        const bool tagged = std::find(t.tags.begin(), t.tags.end(), tag) != t.tags.end();
        const auto inner = tagged ? std::string_view() : tag;
        if (inner.empty()) collect_rows(t.steps, rows);
        if (t.nested) collect_rows(*t.nested, inner, rows);
    }
}

}  // namespace

std::vector<request_row> plan_request_rows(const plan& p, std::string_view tag) {
    std::vector<request_row> rows;
    for (const auto& u : p.users) collect_rows(u.root, tag, rows);
    return rows;
}

metric_kind kind_of(threshold_metric m) noexcept {
    switch (m) {
        case threshold_metric::percentile:
        case threshold_metric::avg:
        case threshold_metric::min:
        case threshold_metric::max:
            return metric_kind::time;
        case threshold_metric::fail_ratio:
        case threshold_metric::checks:
            return metric_kind::ratio;
        case threshold_metric::rps:
        case threshold_metric::fail_rps:
            return metric_kind::rate;
        case threshold_metric::requests:
        case threshold_metric::failures:
            return metric_kind::request_count;
        case threshold_metric::iterations:
        case threshold_metric::dropped_iterations:
        case threshold_metric::pacing_overruns:
            return metric_kind::class_count;
    }
    return metric_kind::request_count;
}

const char* to_string(threshold_op op) noexcept {
    switch (op) {
        case threshold_op::lt:
            return "<";
        case threshold_op::le:
            return "<=";
        case threshold_op::gt:
            return ">";
        case threshold_op::ge:
            return ">=";
        case threshold_op::eq:
            return "==";
        case threshold_op::ne:
            return "!=";
    }
    return "?";
}

bool compare(double measured, threshold_op op, double limit) noexcept {
    switch (op) {
        case threshold_op::lt:
            return measured < limit;
        case threshold_op::le:
            return measured <= limit;
        case threshold_op::gt:
            return measured > limit;
        case threshold_op::ge:
            return measured >= limit;
        case threshold_op::eq:
            return measured == limit;
        case threshold_op::ne:
            return measured != limit;
    }
    return false;
}

std::string threshold_expr::normalised() const {
    auto sel = selector_text(selector);
    return metric_text + (sel.empty() ? "" : "(" + sel + ")") + " " + to_string(op) + " " +
           limit_text;
}

result<threshold_expr> parse_threshold(std::string_view text) {
    return parser(text).run();
}

result<threshold_spec> parse_threshold_option(std::string_view text) {
    // The options follow the expression's last ')' (a regex may hold ';').
    const auto close = text.rfind(')');
    auto semi = text.find(';', close == std::string_view::npos ? 0 : close);
    threshold_spec spec;
    const auto expression = text.substr(0, semi);
    if (auto parsed = parse_threshold(expression); !parsed) return parsed.error();
    spec.expression = std::string(trim(expression));
    while (semi != std::string_view::npos) {
        const auto next = text.find(';', semi + 1);
        const auto part = trim(text.substr(
            semi + 1, next == std::string_view::npos ? std::string_view::npos : next - semi - 1));
        semi = next;
        if (part.empty()) continue;
        if (part == "abort_on_fail") {
            spec.abort_on_fail = true;
            continue;
        }
        const auto eq = part.find('=');
        if (eq != std::string_view::npos && trim(part.substr(0, eq)) == "delay") {
            const auto value = trim(part.substr(eq + 1));
            auto d = parse_duration(value);
            if (!d)
                return fail("'" + std::string(part) +
                            "': expected a duration such as 10s or 500ms");
            spec.delay = *d;
            continue;
        }
        const auto word = trim(part.substr(0, eq));
        return fail("unknown option '" + std::string(part) + "'" +
                    did_you_mean(word, {"abort_on_fail", "delay"}) +
                    ": expected abort_on_fail or delay=DURATION");
    }
    return spec;
}

}  // namespace swarm::scenario
