// SPDX-License-Identifier: MIT
// Socket options through the syscall seam: setsockopt/getsockopt, and the options that put BPF programs on a
// socket (SO_ATTACH_BPF, SO_ATTACH_REUSEPORT_EBPF) or take them off. Errors name the option:
// "setsockopt(SO_ATTACH_BPF) on fd 7: Socket operation on non-socket (errno 88)".
#pragma once

#include <cstdint>
#include <string_view>

#include <ebpf/error.hpp>

namespace ebpf::sys {

// setsockopt(fd, level, name, value, size); `what` names the option in errors ("SO_ATTACH_BPF").
Result<void> set_socket_option(int fd, int level, int name, const void* value, std::uint32_t size,
                               std::string_view what) noexcept;
// getsockopt(fd, level, name, value, &size); returns the size the kernel wrote.
Result<std::uint32_t> get_socket_option(int fd, int level, int name, void* value, std::uint32_t size,
                                        std::string_view what) noexcept;

// SO_ATTACH_BPF (3.19): a socket filter program on a socket; it replaces the socket's filter, if any.
Result<void> socket_attach_filter(int socket_fd, int prog_fd) noexcept;
// SO_DETACH_BPF (= SO_DETACH_FILTER): removes the socket's filter, whatever program it is. Errors: NotFound
// (ENOENT) when the socket has none.
Result<void> socket_detach_filter(int socket_fd) noexcept;
// SO_ATTACH_REUSEPORT_EBPF (4.6): an sk_reuseport program for the reuseport group of a socket (SO_REUSEPORT set;
// the group exists once the socket is bound).
Result<void> socket_attach_reuseport(int socket_fd, int prog_fd) noexcept;
// SO_DETACH_REUSEPORT_BPF (5.3). Errors: NotFound (ENOENT) when the group has no program.
Result<void> socket_detach_reuseport(int socket_fd) noexcept;

struct SocketKind {
    int domain = 0;    // SO_DOMAIN: AF_INET, AF_INET6, AF_UNIX, ...
    int type = 0;      // SO_TYPE: SOCK_STREAM, SOCK_DGRAM, ...
    int protocol = 0;  // SO_PROTOCOL
};
// What a socket is (SO_DOMAIN, SO_TYPE, SO_PROTOCOL; 2.6.32). Errors: InvalidArgument (ENOTSOCK) for an fd that is
// not a socket, naming it; the getsockopt failure otherwise.
Result<SocketKind> socket_kind(int fd) noexcept;

}  // namespace ebpf::sys
