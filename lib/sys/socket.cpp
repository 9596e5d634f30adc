// SPDX-License-Identifier: MIT
// Socket options through syscall_entry(): setsockopt/getsockopt (socketcall(2) where a 32-bit target has no
// direct socket system calls), and the BPF socket options.
#include "sys/socket.hpp"

#include <sys/socket.h>
#include <sys/syscall.h>

#include <cerrno>

#include "base/format.hpp"
#include "sys/syscall.hpp"
#include "sys/uapi.hpp"

namespace ebpf::sys {

namespace {

#if defined(SYS_setsockopt)
long sockopt_set_raw(long fd, long level, long name, const void* value, long len) noexcept {
    return syscall_entry(SYS_setsockopt, fd, level, name, reinterpret_cast<long>(value), len);
}
long sockopt_get_raw(long fd, long level, long name, void* value, socklen_t* len) noexcept {
    return syscall_entry(SYS_getsockopt, fd, level, name, reinterpret_cast<long>(value), reinterpret_cast<long>(len));
}
#elif defined(SYS_socketcall)
long sockopt_socketcall(long op, unsigned long a0, unsigned long a1, unsigned long a2, unsigned long a3,
                        unsigned long a4) noexcept {
    unsigned long a[5] = {a0, a1, a2, a3, a4};
    return syscall_entry(SYS_socketcall, op, reinterpret_cast<long>(a), 0, 0, 0);
}
long sockopt_set_raw(long fd, long level, long name, const void* value, long len) noexcept {
    return sockopt_socketcall(14, fd, level, name, reinterpret_cast<unsigned long>(value), len);  // SYS_SETSOCKOPT
}
long sockopt_get_raw(long fd, long level, long name, void* value, socklen_t* len) noexcept {
    return sockopt_socketcall(15, fd, level, name, reinterpret_cast<unsigned long>(value),
                              reinterpret_cast<unsigned long>(len));  // SYS_GETSOCKOPT
}
#else
#error "no setsockopt system call on this target"
#endif

// SO_DETACH_REUSEPORT_BPF is newer than some C libraries' headers; the architectures with their own socket option
// numbers (alpha, mips, parisc, sparc) are not targets of this library, so the generic number stands in there.
#if defined(SO_DETACH_REUSEPORT_BPF)
constexpr int kDetachReuseport = SO_DETACH_REUSEPORT_BPF;
#else
constexpr int kDetachReuseport = uapi::kSoDetachReuseportBpf;
#endif

Error sockopt_error(int err, const char* call, std::string_view what, int fd) {
    Error e = Error::from_errno(err, detail::format("%s(%.*s) on fd %d", call, EBPF_SV(what), fd));
    if (err == ENOTSOCK || err == EBADF) e.recode(Errc::InvalidArgument);
    return e;
}

}  // namespace

Result<void> set_socket_option(int fd, int level, int name, const void* value, std::uint32_t size,
                               std::string_view what) noexcept {
    if (sockopt_set_raw(fd, level, name, value, static_cast<long>(size)) != 0)
        return sockopt_error(errno, "setsockopt", what, fd);
    return {};
}

Result<std::uint32_t> get_socket_option(int fd, int level, int name, void* value, std::uint32_t size,
                                        std::string_view what) noexcept {
    socklen_t len = size;
    if (sockopt_get_raw(fd, level, name, value, &len) != 0) return sockopt_error(errno, "getsockopt", what, fd);
    return static_cast<std::uint32_t>(len);
}

Result<void> socket_attach_filter(int socket_fd, int prog_fd) noexcept {
    return set_socket_option(socket_fd, SOL_SOCKET, SO_ATTACH_BPF, &prog_fd, sizeof prog_fd, "SO_ATTACH_BPF");
}

Result<void> socket_detach_filter(int socket_fd) noexcept {
    const int unused = 0;
    return set_socket_option(socket_fd, SOL_SOCKET, SO_DETACH_BPF, &unused, sizeof unused, "SO_DETACH_BPF");
}

Result<void> socket_attach_reuseport(int socket_fd, int prog_fd) noexcept {
    return set_socket_option(socket_fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &prog_fd, sizeof prog_fd,
                             "SO_ATTACH_REUSEPORT_EBPF");
}

Result<void> socket_detach_reuseport(int socket_fd) noexcept {
    const int unused = 0;
    return set_socket_option(socket_fd, SOL_SOCKET, kDetachReuseport, &unused, sizeof unused,
                             "SO_DETACH_REUSEPORT_BPF");
}

Result<SocketKind> socket_kind(int fd) noexcept {
    SocketKind k;
    auto get = [&](int name, int& out, const char* what) -> Result<void> {
        auto r = get_socket_option(fd, SOL_SOCKET, name, &out, sizeof out, what);
        if (!r) return std::move(r).error();
        return {};
    };
    if (auto r = get(SO_TYPE, k.type, "SO_TYPE"); !r) {
        if (r.error().sys_errno() == ENOTSOCK)
            return Error(Errc::InvalidArgument, detail::format("fd %d is not a socket", fd));
        return std::move(r).error();
    }
    if (auto r = get(SO_DOMAIN, k.domain, "SO_DOMAIN"); !r) return std::move(r).error();
    if (auto r = get(SO_PROTOCOL, k.protocol, "SO_PROTOCOL"); !r) return std::move(r).error();
    return k;
}

}  // namespace ebpf::sys
