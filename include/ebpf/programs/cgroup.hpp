// SPDX-License-Identifier: MIT
// Attaching programs to cgroups (shared by the cgroup program types).
#pragma once

#include <ebpf/link.hpp>
#include <ebpf/program.hpp>

namespace ebpf {

// Kernel: BPF_F_ALLOW_OVERRIDE / BPF_F_ALLOW_MULTI, used only by the BPF_PROG_ATTACH fallback (kernels < 5.7);
// bpf_link attachments always behave like AllowMultiple.
enum class CgroupAttachMode { Single, AllowOverride, AllowMultiple };

struct CgroupAttachOptions {
    CgroupAttachMode mode = CgroupAttachMode::AllowMultiple;
};

// Attaches a loaded program to a cgroup (a cgroup v2 directory fd) with a bpf_link, falling back to
// BPF_PROG_ATTACH on kernels without cgroup links (< 5.7). Errors: InvalidArgument (not loaded / wrong attach
// type), Permission, NotFound.
Result<Link> attach_cgroup(const Program& prog, FdRef cgroup, AttachType type, const CgroupAttachOptions& options = {});

}  // namespace ebpf
