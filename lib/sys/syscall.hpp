// SPDX-License-Identifier: MIT
// The single entry point through which the library makes raw system calls (bpf, perf_event_open, ioctl).
// Tests replace it at link time (see lib/meson.build) to inject failures into every step of a load or attach.
#pragma once

namespace ebpf::sys {

// Same contract as syscall(2): returns the result, or -1 with errno set.
long syscall_entry(long nr, long a1, long a2, long a3, long a4, long a5) noexcept;

}  // namespace ebpf::sys
