// SPDX-License-Identifier: MIT
// UniqueFd operations that need the kernel (close, dup, open).
#include <ebpf/fd.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "base/format.hpp"
#include "sys/bpf.hpp"

namespace ebpf {

void UniqueFd::reset(int fd) noexcept {
    // close() errors are not actionable here: the descriptor is gone either way on Linux.
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

Result<UniqueFd> UniqueFd::dup() const { return sys::dup_fd(fd_); }

Result<UniqueFd> UniqueFd::open(const char* path, int flags) {
    const int fd = ::open(path, flags | O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        Error e = Error::from_errno(errno, "open");
        return std::move(e).context(path);
    }
    return sys::adopt_fd(fd);
}

}  // namespace ebpf
