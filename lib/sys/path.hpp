// SPDX-License-Identifier: MIT
// File-system calls on paths (bpffs pins) through the syscall seam.
#pragma once

#include <ebpf/error.hpp>

namespace ebpf::sys {

// unlinkat(AT_FDCWD, path, 0). Errors: "unlink: <strerror>" (NotFound, Permission, ...).
Result<void> unlink_path(const char* path) noexcept;

}  // namespace ebpf::sys
