#include "common/scenario/alias_expansion.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <sstream>
#include <unordered_map>
#include <vector>

namespace swarm::scenario::detail {
namespace {

// Thrown by the handler to stop reading at the first problem.
struct stop_reading {};

// Counts nodes as if every alias were replaced by a copy of its anchor.
// A node's expanded size is the count when it ends minus the count when it
// started; an alias adds its anchor's size. Checking at each alias keeps every
// size below limit + text nodes, so nothing overflows.
class expansion_counter : public YAML::EventHandler {
  public:
    explicit expansion_counter(std::uint64_t limit) : limit_(limit) {}

    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t anchor) override { leaf(anchor); }
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                  const std::string&) override {
        leaf(anchor);
    }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        ++written_;
        const auto size = sizes_.find(anchor);
        if (size == sizes_.end()) {
            // yaml-cpp names the anchor when its node starts, so an alias inside
            // its own anchor's node reaches here: a cycle no walk could finish.
            problem_ = alias_problem{mark, "an alias inside the node it refers to (a cycle)"};
            throw stop_reading{};
        }
        expanded_ += size->second;
        if (expanded_ - written_ > limit_) {
            problem_ = alias_problem{mark, "aliases expand to more than " + std::to_string(limit_) +
                                               " nodes (nested aliases, a \"billion laughs\"?)"};
            throw stop_reading{};
        }
    }
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        open(anchor);
    }
    void OnSequenceEnd() override { close(); }
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override {
        open(anchor);
    }
    void OnMapEnd() override { close(); }

    const std::optional<alias_problem>& problem() const { return problem_; }

  private:
    struct frame {
        YAML::anchor_t anchor;
        std::uint64_t start;  // expanded_ before this node
    };

    void leaf(YAML::anchor_t anchor) {
        ++written_;
        ++expanded_;
        if (anchor != YAML::NullAnchor) sizes_[anchor] = 1;
    }
    void open(YAML::anchor_t anchor) {
        ++written_;
        frames_.push_back({anchor, expanded_});
        ++expanded_;
    }
    void close() {
        const auto f = frames_.back();
        frames_.pop_back();
        if (f.anchor != YAML::NullAnchor) sizes_[f.anchor] = expanded_ - f.start;
    }

    std::uint64_t limit_;
    std::uint64_t written_ = 0;   // nodes in the text (an alias is one)
    std::uint64_t expanded_ = 0;  // nodes with every alias expanded
    std::vector<frame> frames_;
    std::unordered_map<YAML::anchor_t, std::uint64_t> sizes_;  // expanded size by anchor
    std::optional<alias_problem> problem_;
};

}  // namespace

std::optional<alias_problem> check_alias_expansion(const std::string& text, std::uint64_t limit) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    expansion_counter counter(limit);
    try {
        parser.HandleNextDocument(counter);
    } catch (const stop_reading&) {
    } catch (const YAML::Exception&) {
        // Syntax errors were reported by YAML::Load already.
    }
    return counter.problem();
}

}  // namespace swarm::scenario::detail
