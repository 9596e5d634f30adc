// SPDX-License-Identifier: MIT
// The real system-call entry point, kept alone in its file so a test binary can link its own instead.
#include "sys/syscall.hpp"

#include <unistd.h>

namespace ebpf::sys {

long syscall_entry(long nr, long a1, long a2, long a3, long a4, long a5) noexcept {
    return ::syscall(nr, a1, a2, a3, a4, a5);
}

}  // namespace ebpf::sys
