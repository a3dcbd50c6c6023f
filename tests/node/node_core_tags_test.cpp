// The worker compiles a bundle with the --tags/--exclude-tags of its run
// options, at load and again when a new test recompiles it (another host):
// the classes its engine gets are the ones the master's own compile kept.
#include <gmock/gmock.h>

#include <memory>

#include "tests/node/fake_engine.hpp"
#include "tests/support/log_capture.hpp"
#include "worker/node_core.hpp"

namespace swarm::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using clock = worker::node_core::clock;

const char* const two_classes = R"y(host: http://127.0.0.1:9
users:
  Checkout:
    tasks: {pay: {get: /pay, tags: [checkout]}}
  Browse:
    tasks: {index: {get: /, tags: [browse]}, both: {get: /b, tags: [browse, checkout]}}
)y";

class node_core_tags_test : public ::testing::Test {
  protected:
    node_core_tags_test() {
        worker::node_core_options options;
        options.master = "tcp://master:5557";
        auto make_engine = [this](const worker::engine_options& eo) {
            auto s = std::make_shared<fake_engine_state>();
            s->options = eo;
            engine_ = s;
            return std::unique_ptr<worker::user_engine>(std::make_unique<fake_engine>(s));
        };
        auto usage = [] { return worker::process_metrics::usage{1, 1 << 20}; };
        core_ = std::make_unique<worker::node_core>(options, make_engine, usage,
                                                    log_.logger("swarm worker"), now_);
    }

    void deliver(const proto::message& m) {
        core_->on_message(m, now_);
        for (auto& e : core_->take_effects()) {
            if (auto* msg = std::get_if<proto::message>(&e)) sent_.push_back(std::move(*msg));
        }
    }
    void join(std::vector<std::string> include, std::vector<std::string> exclude = {}) {
        proto::scenario_bundle b;
        b.bundle = scenario::bundle{"tags.yaml", two_classes, {}};
        b.hash = b.bundle.hash();
        b.options.include_tags = std::move(include);
        b.options.exclude_tags = std::move(exclude);
        deliver(proto::welcome{0});
        deliver(b);
    }
    template <class T>
    std::vector<T> sent() const {
        std::vector<T> out;
        for (const auto& m : sent_) {
            if (const auto* t = std::get_if<T>(&m)) out.push_back(*t);
        }
        return out;
    }

    clock::time_point now_{std::chrono::hours(1)};
    log_capture log_;
    std::shared_ptr<fake_engine_state> engine_;
    std::unique_ptr<worker::node_core> core_;
    std::vector<proto::message> sent_;
};

TEST_F(node_core_tags_test, the_bundle_compiles_with_its_tags_at_load_and_for_a_new_test) {
    join({}, {"browse"});
    ASSERT_EQ(sent<proto::ready>().size(), 1u);
    ASSERT_TRUE(engine_);
    EXPECT_THAT(engine_->classes, ElementsAre("Checkout"));  // Browse has no task left
    // A new test with a host override: recompiled, with the same filter.
    deliver(proto::spawn{1, {{"Checkout", 2}}, 10, "http://127.0.0.1:2"});
    EXPECT_EQ(engine_->count("load"), 2);
    EXPECT_THAT(engine_->classes, ElementsAre("Checkout"));
    EXPECT_TRUE(sent<proto::compile_failed>().empty());
}

TEST_F(node_core_tags_test, include_tags_keep_both_classes_that_have_one) {
    join({"checkout"});
    ASSERT_EQ(sent<proto::ready>().size(), 1u);
    EXPECT_THAT(engine_->classes, ElementsAre("Checkout", "Browse"));
}

TEST_F(node_core_tags_test, tags_that_leave_no_task_answer_compile_failed) {
    join({"nope"});
    ASSERT_EQ(sent<proto::compile_failed>().size(), 1u);
    EXPECT_THAT(sent<proto::compile_failed>()[0].errors,
                ElementsAre(HasSubstr("users: no task left after --tags/--exclude-tags")));
    EXPECT_TRUE(sent<proto::ready>().empty());
}

}  // namespace
}  // namespace swarm::test
