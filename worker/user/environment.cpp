#include "worker/user/environment.hpp"

namespace swarm::worker::user {

std::uint64_t user_seed(std::uint64_t run_seed, std::int64_t user_id) {
    // Two rounds of mixing so that neighbouring user ids and neighbouring run
    // seeds do not give correlated streams.
    user_random mix(run_seed);
    const std::uint64_t a = mix();
    user_random mix_user(a ^ static_cast<std::uint64_t>(user_id));
    return mix_user();
}

const tmpl::value* user_environment::variable(std::string_view name) const {
    for (const auto& [key, v] : variables_) {
        if (key == name) return &v;
    }
    return nullptr;
}

std::mt19937_64& user_environment::rng() {
    thread_local std::mt19937_64 engine;
    engine.seed(random_());
    return engine;
}

user_environment::data_position& user_environment::position(const tmpl::data_set& ds) {
    for (auto& p : positions_) {
        if (p.set == &ds) return p;
    }
    return positions_.emplace_back(data_position{&ds});
}

std::size_t user_environment::next_index(const tmpl::data_set& ds) {
    if (feeders_ == nullptr) return position(ds).next_calls++;
    const auto drawn = feeders_->draw(ds);
    if (drawn.exhausted) {
        data_ran_out_ = true;
        return no_item;
    }
    return drawn.index;
}

std::size_t user_environment::unique_index(const tmpl::data_set& ds) {
    if (auto& p = position(ds); p.unique != no_item) return p.unique;
    const std::size_t index =
        feeders_ == nullptr ? static_cast<std::size_t>(user_id_) : next_index(ds);
    // Looked up again: next_index() may have grown the list.
    position(ds).unique = index;
    return index;
}

void user_environment::set(std::string_view name, tmpl::value v) {
    for (auto& [key, old] : variables_) {
        if (key == name) {
            old = std::move(v);
            return;
        }
    }
    variables_.emplace_back(name, std::move(v));
}

void user_environment::assign(const scenario::named_templates& assignments) {
    for (const auto& [name, t] : assignments) set(name, t.evaluate(*this));
}

void user_environment::keep_last_body(std::string&& body) {
    if (body.size() > max_last_body_bytes) body.resize(max_last_body_bytes);
    last_body_ = std::move(body);
}

}  // namespace swarm::worker::user
