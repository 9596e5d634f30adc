// SPDX-License-Identifier: MIT
// File operations on raw system calls through syscall_entry(), so fault injection covers every /sys, /proc and
// tracefs access. openat (not open): aarch64 and riscv64 have no open(2).
#include "sys/file.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "base/format.hpp"
#include "sys/bpf.hpp"
#include "sys/syscall.hpp"

namespace ebpf::sys {

namespace {

Error op_error(int err, const char* op, const char* path) {
    if (path) return Error::from_errno(err, detail::format("%s %s", op, path));
    return Error::from_errno(err, op);
}

// struct linux_dirent64 (stable since 2.4): d_ino, d_off, d_reclen, d_type, then the NUL-terminated name.
constexpr std::size_t kDirentNameOffset = 19;

}  // namespace

Result<UniqueFd> open_path(const char* path, int flags, unsigned mode) noexcept {
    flags |= O_CLOEXEC;
#if defined(O_LARGEFILE)
    // libc's open() adds it on 32-bit targets; the raw syscall does not, and large files would fail with EOVERFLOW.
    flags |= O_LARGEFILE;
#endif
    long fd;
    do {
        fd = syscall_entry(SYS_openat, AT_FDCWD, reinterpret_cast<long>(path), flags, static_cast<long>(mode), 0);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return op_error(errno, "open", path);
    return adopt_fd(static_cast<int>(fd));
}

Result<std::size_t> read_fd(int fd, void* buf, std::size_t size, const char* path) noexcept {
    long n;
    do {
        n = syscall_entry(SYS_read, fd, reinterpret_cast<long>(buf), static_cast<long>(size), 0, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return op_error(errno, "read", path);
    return static_cast<std::size_t>(n);
}

Result<void> write_fd(int fd, const void* data, std::size_t size, const char* path) noexcept {
    const auto* p = static_cast<const char*>(data);
    while (size > 0) {
        const long n = syscall_entry(SYS_write, fd, reinterpret_cast<long>(p), static_cast<long>(size), 0, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return op_error(errno, "write", path);
        }
        if (n == 0) return Error(Errc::Io, path ? detail::format("write %s: wrote nothing", path) : "write: wrote nothing");
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    return {};
}

Result<long> ioctl_fd(int fd, unsigned long request, long arg, std::string_view what) noexcept {
    long r;
    do {
        r = syscall_entry(SYS_ioctl, fd, static_cast<long>(request), arg, 0, 0);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return Error::from_errno(errno, what);
    return r;
}

void close_fd(int fd) noexcept {
    // Never retried on EINTR: on Linux the descriptor is already gone and might have been reused by another thread.
    if (fd >= 0) syscall_entry(SYS_close, fd, 0, 0, 0, 0);
}

Result<void> write_path(const char* path, std::string_view text, int extra_flags) noexcept {
    auto fd = open_path(path, O_WRONLY | extra_flags);
    if (!fd) return std::move(fd).error();
    const long n = [&] {
        long r;
        do {
            r = syscall_entry(SYS_write, fd->get(), reinterpret_cast<long>(text.data()), static_cast<long>(text.size()), 0, 0);
        } while (r < 0 && errno == EINTR);
        return r;
    }();
    if (n < 0) return op_error(errno, "write", path);
    if (static_cast<std::size_t>(n) != text.size())
        return Error(Errc::Io, detail::format("write %s: the kernel took %ld of %zu bytes", path, n, text.size()));
    return {};
}

Result<std::vector<std::string>> list_dir(const char* path) noexcept {
    auto fd = open_path(path, O_RDONLY | O_DIRECTORY);
    if (!fd) return std::move(fd).error();
    std::vector<std::string> names;
    alignas(8) char buf[8192];
    for (;;) {
        long n;
        do {
            n = syscall_entry(SYS_getdents64, fd->get(), reinterpret_cast<long>(buf), sizeof buf, 0, 0);
        } while (n < 0 && errno == EINTR);
        if (n < 0) return op_error(errno, "getdents64", path);
        if (n == 0) break;
        for (long off = 0; off < n;) {
            std::uint16_t reclen;
            std::memcpy(&reclen, buf + off + 16, sizeof reclen);
            if (reclen <= kDirentNameOffset || off + reclen > n)
                return Error(Errc::Io, detail::format("getdents64 %s: malformed directory entry", path));
            const char* name = buf + off + kDirentNameOffset;
            const std::string_view s(name, ::strnlen(name, reclen - kDirentNameOffset));
            if (s != "." && s != "..") names.emplace_back(s);
            off += reclen;
        }
    }
    return names;
}

bool path_exists(const char* path) noexcept {
    return syscall_entry(SYS_faccessat, AT_FDCWD, reinterpret_cast<long>(path), F_OK, 0, 0) == 0;
}

}  // namespace ebpf::sys
