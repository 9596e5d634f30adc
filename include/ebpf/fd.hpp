// SPDX-License-Identifier: MIT
// UniqueFd (an owned file descriptor) and FdRef (a borrowed one).
#pragma once

#include <ebpf/error.hpp>

namespace ebpf {

class FdRef;

// UniqueFd owns one file descriptor and closes it on destruction.
// Ownership: move-only; release() gives the fd up, reset() closes and replaces it.
// Thread safety: one UniqueFd is not synchronised; distinct ones are independent.
// Kernel: the BPF UAPI treats fd 0 as "none", so fds created by ebpf-cxx are always >= 3 and close-on-exec.
class UniqueFd {
public:
    constexpr UniqueFd() noexcept = default;
    explicit constexpr UniqueFd(int fd) noexcept : fd_(fd) {}
    UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
    UniqueFd& operator=(UniqueFd&& o) noexcept {
        if (this != &o) reset(o.release());
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }

    int get() const noexcept { return fd_; }
    bool valid() const noexcept { return fd_ >= 0; }
    explicit operator bool() const noexcept { return valid(); }
    [[nodiscard]] int release() noexcept {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset(int fd = -1) noexcept;
    // A second descriptor for the same open file (F_DUPFD_CLOEXEC, >= 3).
    Result<UniqueFd> dup() const;

    // Opens a path read-only with O_CLOEXEC (e.g. a cgroup directory or a network namespace file).
    // Errors: NotFound, Permission, Io.
    static Result<UniqueFd> open(const char* path, int flags = 0);

private:
    int fd_ = -1;
};

// FdRef borrows a descriptor for the duration of a call; it never closes it.
class FdRef {
public:
    constexpr FdRef(int fd) noexcept : fd_(fd) {}                 // NOLINT: borrowing a raw fd is the point
    FdRef(const UniqueFd& fd) noexcept : fd_(fd.get()) {}         // NOLINT
    constexpr int get() const noexcept { return fd_; }
    constexpr bool valid() const noexcept { return fd_ >= 0; }

private:
    int fd_;
};

}  // namespace ebpf
