// SPDX-License-Identifier: MIT
#include "sys/epoll.hpp"

#include <sys/syscall.h>
#include <time.h>

#include <cerrno>

#include "sys/bpf.hpp"
#include "sys/syscall.hpp"
#include "sys/syscall6.hpp"

namespace ebpf::sys {

namespace {
constexpr int kCloexec = 02000000;  // EPOLL_CLOEXEC == EFD_CLOEXEC == O_CLOEXEC
constexpr int kNonblock = 04000;    // EFD_NONBLOCK == O_NONBLOCK
constexpr int kCtlAdd = 1, kCtlDel = 2, kCtlMod = 3;

Result<void> ctl(int epfd, int op, int fd, std::uint32_t events, std::uint64_t data, const char* what) noexcept {
    EpollEvent ev{events, data};
    if (syscall_entry(SYS_epoll_ctl, epfd, op, fd, reinterpret_cast<long>(&ev), 0) < 0)
        return Error::from_errno(errno, what);
    return {};
}
}  // namespace

Result<UniqueFd> epoll_create() noexcept {
    const long fd = syscall_entry(SYS_epoll_create1, kCloexec, 0, 0, 0, 0);
    if (fd < 0) return Error::from_errno(errno, "epoll_create1");
    return adopt_fd(static_cast<int>(fd));
}

Result<void> epoll_add(int epfd, int fd, std::uint32_t events, std::uint64_t data) noexcept {
    return ctl(epfd, kCtlAdd, fd, events, data, "epoll_ctl(EPOLL_CTL_ADD)");
}
Result<void> epoll_modify(int epfd, int fd, std::uint32_t events, std::uint64_t data) noexcept {
    return ctl(epfd, kCtlMod, fd, events, data, "epoll_ctl(EPOLL_CTL_MOD)");
}
Result<void> epoll_remove(int epfd, int fd) noexcept {
    return ctl(epfd, kCtlDel, fd, 0, 0, "epoll_ctl(EPOLL_CTL_DEL)");
}

Result<std::size_t> epoll_wait(int epfd, std::span<EpollEvent> out, int timeout_ms) noexcept {
    // A null signal mask (the kernel then ignores the size; passed anyway, so no register is left undefined).
    const long n = syscall_entry6(SYS_epoll_pwait, epfd, reinterpret_cast<long>(out.data()),
                                  static_cast<long>(out.size()), timeout_ms, 0, 8);
    if (n < 0) {
        if (errno == EINTR) return std::size_t{0};
        return Error::from_errno(errno, "epoll_pwait");
    }
    return static_cast<std::size_t>(n);
}

Result<UniqueFd> eventfd_create() noexcept {
    const long fd = syscall_entry(SYS_eventfd2, 0, kCloexec | kNonblock, 0, 0, 0);
    if (fd < 0) return Error::from_errno(errno, "eventfd2");
    return adopt_fd(static_cast<int>(fd));
}

void eventfd_signal(int fd) noexcept {
    const std::uint64_t one = 1;
    (void)syscall_entry(SYS_write, fd, reinterpret_cast<long>(&one), sizeof one, 0, 0);
}

void eventfd_drain(int fd) noexcept {
    std::uint64_t v = 0;
    (void)syscall_entry(SYS_read, fd, reinterpret_cast<long>(&v), sizeof v, 0, 0);
}

std::uint64_t monotonic_ms() noexcept {
    // libc's clock_gettime (the vDSO, no syscall): 32-bit time64 ABIs (musl armhf, i386) have no
    // SYS_clock_gettime, only SYS_clock_gettime64 with a different struct, and libc picks the right one.
    timespec ts{};
    if (::clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000 + static_cast<std::uint64_t>(ts.tv_nsec) / 1000000;
}

}  // namespace ebpf::sys
