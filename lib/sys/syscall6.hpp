// SPDX-License-Identifier: MIT
// The six-argument sibling of syscall_entry(), for the calls that need a sixth argument (mmap's offset).
// Like syscall_entry() it is kept alone in its file (sys/syscall6.cpp, linked only into the product library) so a
// test binary can link its own (tests/support/fault_syscall.cpp).
#pragma once

namespace ebpf::sys {

// Same contract as syscall(2): returns the result, or -1 with errno set.
long syscall_entry6(long nr, long a1, long a2, long a3, long a4, long a5, long a6) noexcept;

}  // namespace ebpf::sys
