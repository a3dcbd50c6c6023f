// Evaluating JSONPath queries (RFC 9535 §2.3–2.5): segments applied in turn
// to a nodelist; the descendant segment walks the tree with its own stack
// (never recursing with the document's depth); every visit is counted
// against the select()'s budget.
#include <boost/json/value.hpp>

#include <algorithm>

#include "common/scenario/json_path_ast.hpp"

namespace swarm::scenario {
namespace json_path_detail {
namespace {

namespace bj = boost::json;
using sel_kind = json_path::selector::kind;

const bj::value* element_at(const bj::value& node, std::int64_t index) {
    const auto* arr = node.if_array();
    if (!arr) return nullptr;
    const auto size = static_cast<std::int64_t>(arr->size());
    const auto i = index < 0 ? size + index : index;
    if (i < 0 || i >= size) return nullptr;
    return &(*arr)[static_cast<std::size_t>(i)];
}

const bj::value* member_of(const bj::value& node, const std::string& name) {
    const auto* obj = node.if_object();
    return obj ? obj->if_contains(name) : nullptr;
}

// Where one select() puts its nodes: stops taking more at max_nodes.
struct sink {
    node_list& out;
    std::size_t limit;

    bool add(const bj::value* v) {
        if (out.size() >= limit) return false;
        out.push_back(v);
        return true;
    }
};

// Calls `f` on each child of `node` (array elements, member values) in
// order; false as soon as `f` or the budget says stop.
template <class F>
bool each_child(const bj::value& node, eval_context& ctx, F&& f) {
    if (const auto* arr = node.if_array()) {
        for (const auto& v : *arr) {
            if (!ctx.step() || !f(v)) return false;
        }
    } else if (const auto* obj = node.if_object()) {
        for (const auto& kv : *obj) {
            if (!ctx.step() || !f(kv.value())) return false;
        }
    }
    return true;
}

// RFC 9535 §2.3.4.2: the indexes a slice selects, in order.
bool apply_slice(const json_path::slice& s, const bj::array& arr, eval_context& ctx, sink& to) {
    const auto len = static_cast<std::int64_t>(arr.size());
    if (s.step == 0) return true;
    auto normalize = [len](std::int64_t i) { return i >= 0 ? i : len + i; };
    if (s.step > 0) {
        const auto lower = std::clamp<std::int64_t>(normalize(s.start.value_or(0)), 0, len);
        const auto upper = std::clamp<std::int64_t>(normalize(s.end.value_or(len)), 0, len);
        for (auto i = lower; i < upper; i += s.step) {
            if (!ctx.step() || !to.add(&arr[static_cast<std::size_t>(i)])) return false;
        }
    } else {
        const auto upper =
            std::clamp<std::int64_t>(normalize(s.start.value_or(len - 1)), -1, len - 1);
        const auto lower =
            std::clamp<std::int64_t>(normalize(s.end.value_or(-len - 1)), -1, len - 1);
        for (auto i = upper; lower < i; i += s.step) {
            if (!ctx.step() || !to.add(&arr[static_cast<std::size_t>(i)])) return false;
        }
    }
    return true;
}

// One selector applied to one node; false when the output or budget is spent.
bool apply(const json_path::selector& sel, const bj::value& node, eval_context& ctx, sink& to) {
    switch (sel.how) {
        case sel_kind::name:
            if (const auto* v = member_of(node, sel.name)) return to.add(v);
            return true;
        case sel_kind::index:
            if (const auto* v = element_at(node, sel.index)) return to.add(v);
            return true;
        case sel_kind::wildcard:
            return each_child(node, ctx, [&](const bj::value& v) { return to.add(&v); });
        case sel_kind::slice:
            if (const auto* arr = node.if_array()) return apply_slice(sel.range, *arr, ctx, to);
            return true;
        case sel_kind::filter:
            return each_child(node, ctx, [&](const bj::value& v) {
                if (holds(*sel.filter, v, ctx)) return to.add(&v);
                return ctx.steps_left > 0;
            });
    }
    return true;
}

bool apply_selectors(const json_path::segment& seg, const bj::value& node, eval_context& ctx,
                     sink& to) {
    return std::all_of(seg.selectors.begin(), seg.selectors.end(),
                       [&](const auto& sel) { return apply(sel, node, ctx, to); });
}

// `..`: the node and its descendants in document order (a node before its
// children), each given the segment's selectors.
bool apply_descendant(const json_path::segment& seg, const bj::value& node, eval_context& ctx,
                      sink& to) {
    std::vector<const bj::value*> pending{&node};
    while (!pending.empty()) {
        const bj::value* at = pending.back();
        pending.pop_back();
        if (!ctx.step() || !apply_selectors(seg, *at, ctx, to)) return false;
        // children pushed last first, so that the first is visited next
        if (const auto* arr = at->if_array()) {
            for (auto i = arr->size(); i > 0; --i) pending.push_back(&(*arr)[i - 1]);
        } else if (const auto* obj = at->if_object()) {
            for (auto i = obj->size(); i > 0; --i) {
                pending.push_back(&(obj->begin() + (i - 1))->value());
            }
        }
    }
    return true;
}

}  // namespace

const bj::value* resolve_singular(const json_path& query, const bj::value& start) {
    const bj::value* at = &start;
    for (const auto& seg : query.segments()) {
        const auto& sel = seg.selectors.front();
        at = sel.how == sel_kind::index ? element_at(*at, sel.index) : member_of(*at, sel.name);
        if (!at) return nullptr;
    }
    return at;
}

void evaluate_query(const json_path& query, const bj::value& current, eval_context& ctx,
                    node_list& out) {
    const bj::value& start = access::relative(query) ? current : ctx.root;
    if (query.is_singular()) {
        if (const auto* found = resolve_singular(query, start)) out.push_back(found);
        return;
    }
    node_list in{&start};
    node_list next;
    for (const auto& seg : query.segments()) {
        next.clear();
        sink to{next, json_path::max_nodes};
        for (const auto* node : in) {
            const bool more = seg.descendant ? apply_descendant(seg, *node, ctx, to)
                                             : apply_selectors(seg, *node, ctx, to);
            if (!more) break;
        }
        in.swap(next);
        if (in.empty()) return;
    }
    out.insert(out.end(), in.begin(), in.end());
}

}  // namespace json_path_detail

const boost::json::value* json_path::find(const boost::json::value& doc) const {
    if (singular_) return json_path_detail::resolve_singular(*this, doc);
    json_path_detail::eval_context ctx{doc};
    json_path_detail::node_list found;
    json_path_detail::evaluate_query(*this, doc, ctx, found);
    return found.empty() ? nullptr : found.front();
}

void json_path::select(const boost::json::value& doc,
                       std::vector<const boost::json::value*>& out) const {
    json_path_detail::eval_context ctx{doc};
    json_path_detail::evaluate_query(*this, doc, ctx, out);
}

}  // namespace swarm::scenario
