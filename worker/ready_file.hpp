#pragma once
// `swarm worker --ready-file PATH`: an empty file that exists exactly while
// the worker is welcomed by a master and has compiled its scenario — the
// worker's Kubernetes readiness probe (`test -f PATH`). Created atomically
// (written under a temporary name, then renamed), so a probe never sees a
// half-made file; removed when the master is lost and when the worker exits.
//
// Owned by the node's driver (worker/node.cpp), which logs what set() reports;
// an empty path turns it off.

#include <string>

#include "common/result.hpp"

namespace swarm::worker {

class ready_file {
  public:
    explicit ready_file(std::string path) : path_(std::move(path)) {}
    // Removes the file; the owner calls set(false) first to hear of a failure.
    ~ready_file() { (void)set(false); }
    ready_file(const ready_file&) = delete;
    ready_file& operator=(const ready_file&) = delete;

    // Creates (true) or removes (false) the file when that changes its state;
    // the error says what went wrong ("cannot create PATH: ...").
    result<void> set(bool ready);

  private:
    std::string path_;
    bool exists_ = false;  // as this object made it
};

}  // namespace swarm::worker
