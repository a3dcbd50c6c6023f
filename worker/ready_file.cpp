#include "worker/ready_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace swarm::worker {

result<void> ready_file::set(bool ready) {
    if (path_.empty() || ready == exists_) return {};
    if (!ready) {
        exists_ = false;
        if (std::remove(path_.c_str()) != 0 && errno != ENOENT) {
            return fail("cannot remove " + path_ + ": " + std::strerror(errno));
        }
        return {};
    }
    // The probe must never see a file that is being made: make it under
    // another name in the same directory, then rename (atomic on POSIX).
    const std::string temp = path_ + ".tmp." + std::to_string(getpid());
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail("cannot create " + path_ + ": " + std::strerror(errno));
    ::close(fd);
    if (std::rename(temp.c_str(), path_.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        std::remove(temp.c_str());
        return fail("cannot create " + path_ + ": " + why);
    }
    exists_ = true;
    return {};
}

}  // namespace swarm::worker
