// SPDX-License-Identifier: MIT
// Interim link probe (replaced by the per-family probes): BPF_LINK_CREATE with no program answers EBADF where
// the command exists (5.7+) and EINVAL where it does not.
#include <ebpf/features.hpp>

#include <cerrno>
#include <mutex>
#include <optional>

#include "sys/bpf.hpp"

namespace ebpf {

Result<bool> link_supported(AttachType) {
    static std::mutex mu;
    static std::optional<bool> cached;
    std::lock_guard<std::mutex> lock(mu);
    if (cached) return *cached;
    sys::LinkCreateAttr a{};
    a.prog_fd = 0xffffffffu;
    auto r = sys::link_create(a);
    if (r) return Error(Errc::Syscall, "probe BPF_LINK_CREATE: a link was created from no program");
    const int err = r.error().sys_errno();
    if (err == EPERM) return std::move(r).error().context("probe BPF_LINK_CREATE");
    cached = err == EBADF;
    return *cached;
}

}  // namespace ebpf
