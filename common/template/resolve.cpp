// Name resolution at compile time: every name becomes a builtin, a variable
// or a data set, and every call a function id, so evaluation never looks a
// name up by string except a variable in the user's own table.

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "common/suggest.hpp"
#include "common/template/functions.hpp"
#include "common/template/parser.hpp"

namespace swarm::tmpl {

namespace {

std::string unknown_function_message(std::string_view name) {
    std::vector<std::string_view> known;
    for (const auto& f : all_functions()) known.push_back(f.name_);
    std::string message = "unknown function '" + std::string(name) + "'";
    std::string suggestion = did_you_mean(name, known);
    if (!suggestion.empty()) return message + suggestion;
    // Nothing close enough to be a typo: the whole list helps more.
    message += "; known functions:";
    for (auto f : known) message += " " + std::string(f);
    return message;
}

std::string data_set_names(const symbols& syms) {
    if (syms.data_sets.empty()) return "no data sets are defined";
    std::string names = "available:";
    for (const auto& ds : syms.data_sets) {
        if (ds) names += " " + ds->name;
    }
    return names;
}

std::shared_ptr<const data_set> find_data_set(const symbols& syms, std::string_view name) {
    for (const auto& ds : syms.data_sets) {
        if (ds && ds->name == name) return ds;
    }
    return nullptr;
}

node builtin(const token& name, op kind) {
    node n;
    n.kind_ = kind;
    n.offset_ = name.offset_;
    return n;
}

// Stands in for a name or call that failed to resolve, so parsing continues
// and later errors are reported too; the template is never used.
node placeholder(std::size_t offset) {
    node n;
    n.offset_ = offset;
    return n;
}

node resolve_last(const token& name, const std::vector<std::string>& fields,
                  std::vector<error>& errors) {
    if (fields.size() == 1 && fields[0] == "status") return builtin(name, op::last_status);
    if (fields.size() == 1 && fields[0] == "body") return builtin(name, op::last_body);
    errors.push_back({name.offset_, "'last' has two fields: last.status and last.body"});
    return placeholder(name.offset_);
}

// int("abc"), float("x"), json("{"): a literal that cannot convert is a
// mistake in the scenario, reported now rather than as "no value" per request.
void check_literal_conversion(const function_info& info, const node& call,
                              std::vector<error>& errors) {
    const bool converts = info.id_ == function_id::to_int || info.id_ == function_id::to_float ||
                          info.id_ == function_id::parse_json;
    if (!converts || call.args_.size() != 1 || call.args_[0].kind_ != op::literal) return;
    if (!std::holds_alternative<std::monostate>(convert(info.id_, call.args_[0].constant_))) {
        return;
    }
    std::string what = info.id_ == function_id::parse_json ? "is not valid JSON"
                       : info.id_ == function_id::to_int   ? "is not an integer or a number"
                                                           : "is not a number";
    std::string argument;
    append_json(argument, call.args_[0].constant_);  // quoted and escaped when a string
    errors.push_back({call.args_[0].offset_,
                      std::string(info.name_) + "(" + argument + "): the argument " + what});
}

// The text of a string literal argument, or nullptr.
const std::string* literal_text(const node& n) {
    if (n.kind_ != op::literal) return nullptr;
    return std::get_if<std::string>(&n.constant_);
}

// env("NAME") and env("NAME", "default") are read once, here: the
// environment of the process that compiles the scenario (the master and
// each worker) does not change while it runs. The call becomes its value,
// so a template of env() alone is static text.
void resolve_env(node& call, std::vector<error>& errors) {
    const std::string* name = literal_text(call.args_[0]);
    if (!name) {
        errors.push_back({call.args_[0].offset_,
                          "env() takes the variable's name in quotes, like env(\"API_TOKEN\")"});
        return;
    }
    const std::string* fallback = call.args_.size() > 1 ? literal_text(call.args_[1]) : nullptr;
    if (call.args_.size() > 1 && !fallback) {
        errors.push_back({call.args_[1].offset_, "env()'s default is text in quotes, like env(\"" +
                                                     *name + "\", \"fallback\")"});
        return;
    }
    // getenv needs a terminated string; a name with a NUL byte names nothing.
    const char* found =
        name->find('\0') == std::string::npos ? std::getenv(name->c_str()) : nullptr;
    if (!found && !fallback) {
        errors.push_back({call.offset_, "environment variable '" + *name +
                                            "' is not set (give a default: env(\"" + *name +
                                            "\", \"...\"))"});
        return;
    }
    node folded = placeholder(call.offset_);
    folded.constant_ = found ? std::string(found) : *fallback;
    call = std::move(folded);
}

}  // namespace

node resolve_name(const token& name, std::vector<std::string> fields, const symbols& syms,
                  std::vector<error>& errors) {
    std::string_view text = name.text_;
    static constexpr std::pair<std::string_view, op> plain_builtins[] = {
        {"user_id", op::user_id}, {"worker_id", op::worker_id}, {"iteration", op::iteration}};
    // Builtins win over a variable of the same name, so their meaning never
    // depends on the scenario.
    for (const auto& [builtin_name, kind] : plain_builtins) {
        if (text != builtin_name) continue;
        if (!fields.empty()) {
            errors.push_back({name.offset_, "'" + std::string(text) + "' has no fields"});
            return placeholder(name.offset_);
        }
        return builtin(name, kind);
    }
    if (text == "last") return resolve_last(name, fields, errors);
    if (syms.is_variable && syms.is_variable(text)) {
        node n = builtin(name, op::variable);
        n.name_ = std::string(text);
        n.fields_ = std::move(fields);
        return n;
    }
    if (find_data_set(syms, text)) {
        std::string ds(text);
        errors.push_back({name.offset_, "data set '" + ds + "' can only be read with random(" + ds +
                                            ") or next(" + ds + ")"});
    } else {
        errors.push_back({name.offset_, "undefined variable '" + std::string(text) + "'"});
    }
    return placeholder(name.offset_);
}

void resolve_call(const token& name, const token* data_set_name, node& call, const symbols& syms,
                  std::vector<error>& errors) {
    const function_info* info = find_function(name.text_);
    if (!info) {
        errors.push_back({name.offset_, unknown_function_message(name.text_)});
        call = placeholder(name.offset_);
        return;
    }
    call.fn_ = info->id_;
    std::size_t count = call.args_.size() + (data_set_name ? 1 : 0);
    // env("X", "default"): the one function with an optional argument.
    const std::size_t most = info->id_ == function_id::env ? 2 : info->arity_;
    if (count < info->arity_ || count > most) {
        std::string expected = info->arity_ == 0   ? "no arguments"
                               : info->arity_ == 1 ? "1 argument"
                                                   : std::to_string(info->arity_) + " arguments";
        if (most > info->arity_) expected += " or " + std::to_string(most);
        errors.push_back({name.offset_, "function '" + std::string(info->name_) + "' takes " +
                                            expected + ", got " + std::to_string(count)});
        return;
    }
    check_literal_conversion(*info, call, errors);
    if (info->id_ == function_id::env) {
        resolve_env(call, errors);
        return;
    }
    if (!info->takes_data_set_) return;
    if (!data_set_name) {
        errors.push_back({call.args_[0].offset_, "'" + std::string(info->name_) +
                                                     "' takes the name of a data set, like " +
                                                     std::string(info->name_) + "(words)"});
        return;
    }
    call.data_ = find_data_set(syms, data_set_name->text_);
    if (!call.data_) {
        errors.push_back({data_set_name->offset_, "unknown data set '" +
                                                      std::string(data_set_name->text_) + "' (" +
                                                      data_set_names(syms) + ")"});
    }
}

}  // namespace swarm::tmpl
