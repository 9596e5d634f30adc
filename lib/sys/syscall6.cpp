// SPDX-License-Identifier: MIT
// The real six-argument system-call entry point (see sys/syscall6.hpp).
#include "sys/syscall6.hpp"

#include <unistd.h>

namespace ebpf::sys {

long syscall_entry6(long nr, long a1, long a2, long a3, long a4, long a5, long a6) noexcept {
    return ::syscall(nr, a1, a2, a3, a4, a5, a6);
}

}  // namespace ebpf::sys
