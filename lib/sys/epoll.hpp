// SPDX-License-Identifier: MIT
// epoll and eventfd through the syscall seam: the waiting behind the readers and the Poller.
#pragma once

#include <cstdint>
#include <span>

#include <ebpf/error.hpp>
#include <ebpf/fd.hpp>

namespace ebpf::sys {

inline constexpr std::uint32_t kEpollIn = 0x001, kEpollOut = 0x004, kEpollErr = 0x008, kEpollHup = 0x010;
// The epoll token of a reader's wake-up eventfd (ring and perf buffer readers): no ring or CPU index uses it.
inline constexpr std::uint64_t kEpollWakeToken = ~std::uint64_t{0};
inline constexpr std::uint32_t kEpollOneshot = 1u << 30;  // disarmed after one event until EPOLL_CTL_MOD

struct EpollEvent {
    std::uint32_t events;
    std::uint64_t data;
}
#if defined(__x86_64__)
__attribute__((packed))  // struct epoll_event is packed on x86-64 only
#endif
;

Result<UniqueFd> epoll_create() noexcept;                                           // EPOLL_CLOEXEC
Result<void> epoll_add(int epfd, int fd, std::uint32_t events, std::uint64_t data) noexcept;
Result<void> epoll_modify(int epfd, int fd, std::uint32_t events, std::uint64_t data) noexcept;
Result<void> epoll_remove(int epfd, int fd) noexcept;
// Waits up to `timeout_ms` (-1: forever). Returns how many entries of `out` were filled (0: timeout).
// EINTR is reported as 0 events (the caller's loop looks again). Uses epoll_pwait (no epoll_wait on arm64).
Result<std::size_t> epoll_wait(int epfd, std::span<EpollEvent> out, int timeout_ms) noexcept;

Result<UniqueFd> eventfd_create() noexcept;  // EFD_CLOEXEC | EFD_NONBLOCK
void eventfd_signal(int fd) noexcept;        // adds 1 (never blocks: the counter cannot overflow in practice)
void eventfd_drain(int fd) noexcept;         // reads the counter back to 0

// CLOCK_MONOTONIC in milliseconds (the Poller's run() deadline); 0 if the clock cannot be read.
std::uint64_t monotonic_ms() noexcept;

}  // namespace ebpf::sys
