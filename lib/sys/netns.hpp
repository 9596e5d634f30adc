// SPDX-License-Identifier: MIT
// Network namespaces for the attach paths: the calling thread's namespace as an fd, a namespace's identity, and
// running a step inside another namespace (BPF_PROG_ATTACH of a flow dissector acts on the caller's namespace).
// Kernel: setns(CLONE_NEWNET) 3.0 (needs CAP_SYS_ADMIN), statx 4.11.
#pragma once

#include <cstdint>
#include <memory>

#include <ebpf/error.hpp>
#include <ebpf/fd.hpp>

namespace ebpf::sys {

// /proc/thread-self/ns/net, opened read-only. Errors: as open_path().
Result<UniqueFd> netns_open_current() noexcept;

// The identity of the namespace open as `fd` (its nsfs inode number): equal for two fds of one namespace.
// Errors: "statx netns fd N: ..." from errno.
Result<std::uint64_t> netns_id(int fd) noexcept;

// Moves the calling thread into the namespace open as `fd` (setns). Errors: "setns(CLONE_NEWNET): ..." from errno.
Result<void> netns_enter(int fd) noexcept;

// Runs steps inside the namespace open as `target` for its lifetime, on the calling thread: enters it on
// construction (unless the thread is already there) and returns to the previous one on destruction.
// Construction fails (ok() false, error() says why) without CAP_SYS_ADMIN or with a bad fd.
class NetnsGuard {
public:
    explicit NetnsGuard(int target) noexcept;
    ~NetnsGuard();
    NetnsGuard(const NetnsGuard&) = delete;
    NetnsGuard& operator=(const NetnsGuard&) = delete;

    bool ok() const noexcept { return !error_; }
    // The failure; call once, only when !ok().
    Error take_error() noexcept { return std::move(*error_); }

private:
    UniqueFd previous_;  // valid while we are in another namespace than the one we came from
    std::unique_ptr<Error> error_;
};

}  // namespace ebpf::sys
