#include "common/scenario/duplicate_keys.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <set>
#include <sstream>
#include <vector>

#include "common/scenario/load_context.hpp"

namespace swarm::scenario::detail {
namespace {

class duplicate_finder : public YAML::EventHandler {
  public:
    explicit duplicate_finder(const duplicate_key_handler& on_duplicate)
        : on_duplicate_(on_duplicate) {}

    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark, nullptr); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark, nullptr); }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  const std::string& value) override {
        node(mark, &value);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {
        frames_.push_back({false, true, {}, node(mark, nullptr), {}, 0});
    }
    void OnSequenceEnd() override { frames_.pop_back(); }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {
        frames_.push_back({true, true, {}, node(mark, nullptr), {}, 0});
    }
    void OnMapEnd() override { frames_.pop_back(); }

  private:
    struct frame {
        bool is_map;
        bool expecting_key;
        std::set<std::string> keys;
        std::string path;
        std::string current_key;
        std::size_t index;
    };

    // Called for every node; returns the node's key path.
    std::string node(const YAML::Mark& mark, const std::string* scalar) {
        if (frames_.empty()) return "";
        auto& f = frames_.back();
        if (!f.is_map) return index_path(f.path, f.index++);
        if (f.expecting_key) {
            f.expecting_key = false;
            f.current_key = scalar ? *scalar : "?";
            if (scalar && !f.keys.insert(*scalar).second) on_duplicate_(mark, f.path, *scalar);
            return f.path;
        }
        f.expecting_key = true;
        return join_path(f.path, f.current_key);
    }

    const duplicate_key_handler& on_duplicate_;
    std::vector<frame> frames_;
};

}  // namespace

void find_duplicate_keys(const std::string& text, const duplicate_key_handler& on_duplicate) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    duplicate_finder finder(on_duplicate);
    try {
        // Only the first document, as YAML::Load reads only that one (and
        // yaml-cpp can loop forever on some trailing garbage).
        parser.HandleNextDocument(finder);
    } catch (const YAML::Exception&) {
        // Syntax errors were reported by YAML::Load already.
    }
}

}  // namespace swarm::scenario::detail
