// SPDX-License-Identifier: MIT
// File and descriptor operations through the syscall seam (openat, read, write, ioctl, getdents64, close), for
// the kernel's own files: /sys, /proc, tracefs, bpffs. Errors name the operation and the path:
// "open /sys/kernel/tracing/uprobe_events: Permission denied (errno 13)".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/error.hpp>
#include <ebpf/fd.hpp>

namespace ebpf::sys {

// openat(AT_FDCWD, path, flags | O_CLOEXEC, mode); the descriptor is >= 3.
// Errors: from errno (NotFound, Permission, ...), message "open <path>: ...".
Result<UniqueFd> open_path(const char* path, int flags, unsigned mode = 0) noexcept;

// One read(2), EINTR retried: the number of bytes read, 0 at end of file. `path` (optional) names the file in errors.
Result<std::size_t> read_fd(int fd, void* buf, std::size_t size, const char* path = nullptr) noexcept;

// write(2) until all of `data` is written (EINTR retried, short writes continued).
Result<void> write_fd(int fd, const void* data, std::size_t size, const char* path = nullptr) noexcept;

// ioctl(fd, request, arg), EINTR retried; the ioctl's non-negative result. `what` names the request in errors.
Result<long> ioctl_fd(int fd, unsigned long request, long arg, std::string_view what) noexcept;

// close(2) through the seam. Linux releases the descriptor even when close reports an error, so there is nothing
// a caller could do about one: UniqueFd ignores it.
void close_fd(int fd) noexcept;

// Opens `path` write-only (plus `extra_flags`, e.g. O_APPEND) and writes `text` with one write(2): kernel control
// files (tracefs *_events, cgroup.procs) take each write as one command.
Result<void> write_path(const char* path, std::string_view text, int extra_flags = 0) noexcept;

// The names in a directory, without "." and "..", in the order the kernel lists them.
Result<std::vector<std::string>> list_dir(const char* path) noexcept;

// Whether `path` exists (faccessat F_OK; false on any error).
bool path_exists(const char* path) noexcept;

}  // namespace ebpf::sys
