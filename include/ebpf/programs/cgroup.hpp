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

// Attaches a loaded program to a cgroup v2 directory (open as `cgroup`) with a bpf_link, or with
// BPF_PROG_ATTACH on kernels without cgroup links (< 5.7; decided by a probe, see features.hpp).
// Errors: InvalidArgument (not loaded; loaded for another attach type), Permission, NotFound, and the kernel's
//   refusal, naming the program, the cgroup and the attach type.
// Thread safety: may be called concurrently for different programs and cgroups.
Result<Link> attach_cgroup(const Program& prog, FdRef cgroup, AttachType type, const CgroupAttachOptions& options = {});
// Same, opening the cgroup directory by path (e.g. "/sys/fs/cgroup/my.slice").
Result<Link> attach_cgroup(const Program& prog, const char* cgroup_path, AttachType type,
                           const CgroupAttachOptions& options = {});

}  // namespace ebpf
