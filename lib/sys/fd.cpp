// SPDX-License-Identifier: MIT
// UniqueFd operations that need the kernel (close, dup, open), through the syscall seam.
#include <ebpf/fd.hpp>

#include <fcntl.h>

#include "sys/bpf.hpp"
#include "sys/file.hpp"

namespace ebpf {

void UniqueFd::reset(int fd) noexcept {
    // close() errors are not actionable here: the descriptor is gone either way on Linux.
    if (fd_ >= 0) sys::close_fd(fd_);
    fd_ = fd;
}

Result<UniqueFd> UniqueFd::dup() const { return sys::dup_fd(fd_); }

Result<UniqueFd> UniqueFd::open(const char* path, int flags) {
    return sys::open_path(path, flags | O_RDONLY);
}

}  // namespace ebpf
