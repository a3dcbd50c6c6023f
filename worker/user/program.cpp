#include "worker/user/program.hpp"

#include <boost/json/parse.hpp>

#include <cctype>
#include <stdexcept>

namespace swarm::worker::user {
namespace {

using scenario::request_step;

bool is_identifier_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

std::size_t skip_spaces(std::string_view s, std::size_t i) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    return i;
}

bool mentions(const scenario::named_templates& list) {
    for (const auto& [name, t] : list) {
        if (mentions_last_body(t.source())) return true;
    }
    return false;
}

// The templates of a request's name and checks (they render per response).
bool check_mentions(const request_step& r) {
    const auto any = [](const auto& templates) {
        for (const auto& t : templates) {
            if (mentions_last_body(t.source())) return true;
        }
        return false;
    };
    if (r.name_template && mentions_last_body(r.name_template->source())) return true;
    if (any(r.check.body_contains) || any(r.check.body_not_contains)) return true;
    for (const auto& j : r.check.json) {
        if (j.expected_template && mentions_last_body(j.expected_template->source())) return true;
    }
    for (const auto* list : {&r.check.headers, &r.check.cookies}) {
        for (const auto& c : *list) {
            if (c.equals && mentions_last_body(c.equals->source())) return true;
        }
    }
    return false;
}

bool request_mentions(const request_step& r) {
    if (mentions_last_body(r.url.source()) || mentions(r.headers) || mentions(r.query) ||
        mentions(r.form) || mentions_last_body(r.raw.source())) {
        return true;
    }
    for (const auto& part : r.json.parts) {
        if (part.value && mentions_last_body(part.value->source())) return true;
    }
    return check_mentions(r);
}

std::vector<boost::json::value> parse_expected(const scenario::checks& c) {
    std::vector<boost::json::value> out;
    for (const auto& j : c.json) {
        boost::system::error_code ec;
        auto v = j.how == scenario::json_check::kind::equals
                     ? boost::json::parse(j.expected_json, ec)
                     : boost::json::value();
        out.push_back(ec ? boost::json::value() : std::move(v));
    }
    return out;
}

prepared_step prepare_step(const request_step& r, std::string_view host) {
    prepared_step p;
    p.request = prepare(r, host);
    p.method = scenario::to_string(r.method);
    p.expected = parse_expected(r.check);
    return p;
}

// Whether a WebSocket step reads last.body (a receive's message is last.body).
bool ws_mentions(const scenario::step& s) {
    if (const auto* c = std::get_if<scenario::ws_connect_step>(&s.action)) {
        return mentions_last_body(c->url.source()) || mentions(c->headers);
    }
    if (const auto* snd = std::get_if<scenario::ws_send_step>(&s.action)) {
        if (mentions_last_body(snd->text.source())) return true;
        for (const auto& part : snd->json.parts) {
            if (part.value && mentions_last_body(part.value->source())) return true;
        }
        return false;
    }
    if (const auto* r = std::get_if<scenario::ws_receive_step>(&s.action)) {
        if (r->until && mentions_last_body(r->until->source())) return true;
        request_step checks_only;
        checks_only.check = r->check;
        return check_mentions(checks_only);
    }
    return false;
}

}  // namespace

bool mentions_last_body(std::string_view s) {
    for (std::size_t at = s.find("last"); at != std::string_view::npos;
         at = s.find("last", at + 1)) {
        if (at > 0 && (is_identifier_char(s[at - 1]) || s[at - 1] == '.')) continue;
        std::size_t i = skip_spaces(s, at + 4);
        if (i >= s.size() || s[i] != '.') continue;
        i = skip_spaces(s, i + 1);
        if (s.substr(i, 4) != "body") continue;
        if (i + 4 < s.size() && is_identifier_char(s[i + 4])) continue;
        return true;
    }
    return false;
}

user_program::user_program(std::shared_ptr<const scenario::plan> plan, std::size_t class_index)
    : plan_(std::move(plan)), class_(&plan_->users.at(class_index)), class_index_(class_index) {
    host_ = class_->host.empty() ? plan_->host : class_->host;
    keeps_last_body_ = mentions(class_->vars);
    prepare_set(class_->root);
}

const prepared_step& user_program::prepared(const request_step& step) const {
    return steps_.at(&step);
}

const std::vector<boost::json::value>& user_program::expected(
    const scenario::ws_receive_step& step) const {
    return ws_expected_.at(&step);
}

void user_program::prepare_set(const scenario::task_set& set) {
    prepare_steps(set.on_start);
    prepare_steps(set.on_stop);
    for (const auto& t : set.tasks) {
        keeps_last_body_ = keeps_last_body_ || mentions(t.let);
        prepare_steps(t.steps);
        if (t.nested) prepare_set(*t.nested);
    }
}

void user_program::prepare_steps(const scenario::step_list& steps) {
    for (const auto& s : steps) {
        if (const auto* r = std::get_if<request_step>(&s.action)) {
            keeps_last_body_ = keeps_last_body_ || request_mentions(*r);
            steps_.emplace(r, prepare_step(*r, host_));
        } else if (const auto* i = std::get_if<scenario::if_step>(&s.action)) {
            keeps_last_body_ = keeps_last_body_ || mentions_last_body(i->condition.source());
            prepare_steps(i->then_steps);
            prepare_steps(i->else_steps);
        } else if (const auto* rep = std::get_if<scenario::repeat_step>(&s.action)) {
            prepare_steps(rep->steps);
        } else if (const auto* w = std::get_if<scenario::while_step>(&s.action)) {
            keeps_last_body_ = keeps_last_body_ || mentions_last_body(w->condition.source());
            prepare_steps(w->steps);
        } else if (const auto* sl = std::get_if<scenario::sleep_step>(&s.action)) {
            keeps_last_body_ =
                keeps_last_body_ || (sl->templated && mentions_last_body(sl->templated->source()));
        } else if (const auto* g = std::get_if<scenario::group_step>(&s.action)) {
            prepare_steps(g->steps);
        } else if (const auto* p = std::get_if<scenario::parallel_step>(&s.action)) {
            prepare_steps(p->requests);
        } else if (const auto* l = std::get_if<scenario::let_step>(&s.action)) {
            keeps_last_body_ = keeps_last_body_ || mentions(l->assignments);
        } else {
            keeps_last_body_ = keeps_last_body_ || ws_mentions(s);
            if (const auto* wr = std::get_if<scenario::ws_receive_step>(&s.action))
                ws_expected_.emplace(wr, parse_expected(wr->check));
        }
    }
}

}  // namespace swarm::worker::user
