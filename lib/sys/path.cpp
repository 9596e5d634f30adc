// SPDX-License-Identifier: MIT
// File-system calls on paths through syscall_entry.
#include "sys/path.hpp"

#include <fcntl.h>
#include <sys/syscall.h>

#include <cerrno>

#include "sys/syscall.hpp"

namespace ebpf::sys {

Result<void> unlink_path(const char* path) noexcept {
    if (syscall_entry(SYS_unlinkat, AT_FDCWD, reinterpret_cast<long>(path), 0, 0, 0) != 0)
        return Error::from_errno(errno, "unlink");
    return {};
}

}  // namespace ebpf::sys
