// SPDX-License-Identifier: MIT
// Lsm, LsmCgroup: BPF LSM programs on a security hook, for every task or for the tasks of a cgroup.
#pragma once

#include <cstdint>

#include <ebpf/programs/view.hpp>

namespace ebpf {

struct LsmAttachOptions {
    std::uint64_t cookie = 0;  // bpf_get_attach_cookie(); needs BPF_LINK_CREATE for LSM programs (5.19)
};

// A typed view of an lsm/<hook> program (also lsm.s): it runs at the hook (bpf_lsm_<hook>, fixed at load) for
// every task, and a non-zero return value denies the operation (an -errno). It runs only where "bpf" is among the
// active LSMs (CONFIG_BPF_LSM, and lsm=...,bpf on the command line if CONFIG_LSM leaves it out): elsewhere it
// loads and attaches but never runs. It shares ownership of the Program (see ProgramView).
// The Link is a bpf_link (BPF_LINK_CREATE on 5.19+, BPF_RAW_TRACEPOINT_OPEN before, chosen by the probe
// link_supported(AttachType::LsmMac)), which cannot be force-detached.
// Kernel: 5.7+, BPF trampolines (as fentry). Errors: as Tracing::attach.
// Thread safety: as ProgramView.
class Lsm : public TypedProgramView<Lsm> {
public:
    static constexpr const char* kName = "Lsm";
    static constexpr ProgramType kType = ProgramType::Lsm;
    static constexpr ProgramKind kKinds[] = {ProgramKind::Lsm};

    Result<Link> attach(const LsmAttachOptions& options = {}) const;

private:
    friend class TypedProgramView<Lsm>;
    using TypedProgramView::TypedProgramView;
};

// A typed view of an lsm_cgroup/<hook> program: it runs at the hook only for tasks in the cgroup it is attached to
// (and its descendants), returning 1 to allow and 0 to deny, like cgroup programs. The hooks it can take are the
// ones that know the current task or a socket (socket_bind, socket_post_create, ...). It shares ownership of the
// Program (see ProgramView). The Link is a cgroup bpf_link (BPF_LINK_CREATE), or a BPF_PROG_ATTACH registration
// where cgroup links are refused (probed).
// Kernel: 6.0+, BPF trampolines.
// Errors: InvalidArgument (not loaded), NotFound (no such cgroup), Permission, and the kernel's refusal.
// Thread safety: as ProgramView.
class LsmCgroup : public TypedProgramView<LsmCgroup> {
public:
    static constexpr const char* kName = "LsmCgroup";
    static constexpr ProgramType kType = ProgramType::Lsm;
    static constexpr ProgramKind kKinds[] = {ProgramKind::LsmCgroup};

    // Attaches to the cgroup v2 directory open as `cgroup`.
    Result<Link> attach(FdRef cgroup) const;
    // Same, opening the directory by path (e.g. "/sys/fs/cgroup/my.slice").
    Result<Link> attach(const char* cgroup_path) const;

private:
    friend class TypedProgramView<LsmCgroup>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
