// SPDX-License-Identifier: MIT
// The one decision between the kernel's BPF_MAP_*_BATCH commands and the per-element fallback.
// (When the feature-probe layer gains a Feature for the batch commands, the probe below becomes has(...).)
#include <cerrno>

#include "maps/batch_support.hpp"
#include "sys/map_batch.hpp"

namespace ebpf::detail {

bool use_kernel_batch(const BatchOptions& options, int first_answer) noexcept {
    if (options.mode == BatchMode::PerElement) return false;
    // The kernel's batches take BPF_F_LOCK alone as element flags (EINVAL for NoExist / Exist): those go element
    // by element, where every flag works.
    constexpr std::uint64_t kLock = static_cast<std::uint64_t>(UpdateFlags::Lock);
    if ((static_cast<std::uint64_t>(options.elem_flags) & ~kLock) != 0) return false;
    // Kernel 5.6 added the four commands together. Probed once: EINVAL means the command is unknown.
    static const bool commands = sys::probe_batch_commands() != EINVAL;
    if (!commands) return false;
    // A map type without the operation (arrays cannot delete, queues have no batches): ENOTSUPP (524, the
    // kernel-internal code that leaks to user space here) or EOPNOTSUPP.
    constexpr int kENOTSUPP = 524;
    return first_answer != kENOTSUPP && first_answer != EOPNOTSUPP;
}

}  // namespace ebpf::detail
