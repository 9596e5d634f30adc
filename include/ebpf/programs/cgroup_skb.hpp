// SPDX-License-Identifier: MIT
// CgroupSkb: programs that see every packet entering or leaving the sockets of a cgroup.
#pragma once

#include <ebpf/programs/cgroup.hpp>
#include <ebpf/programs/view.hpp>

namespace ebpf {

enum class CgroupSkbAttachType { Ingress, Egress };

// A typed view of a BPF_PROG_TYPE_CGROUP_SKB program (sections cgroup_skb/ingress, cgroup_skb/egress,
// cgroup/skb). It shares ownership of the Program (see ProgramView).
// Kernel: 4.10+; bpf_link attachment 5.7+ (older kernels use BPF_PROG_ATTACH).
// Thread safety: as ProgramView.
class CgroupSkb : public TypedProgramView<CgroupSkb> {
public:
    static constexpr const char* kName = "CgroupSkb";
    static constexpr ProgramType kType = ProgramType::CgroupSkb;
    static constexpr ProgramKind kKinds[] = {ProgramKind::CgroupSkb};

    // Attaches to the cgroup v2 directory open as `cgroup`. The Link detaches on destruction.
    // Errors: as attach_cgroup().
    Result<Link> attach(FdRef cgroup, CgroupSkbAttachType type, const CgroupAttachOptions& options = {}) const;
    // Same, opening the cgroup directory by path (e.g. "/sys/fs/cgroup").
    Result<Link> attach(const char* cgroup_path, CgroupSkbAttachType type,
                        const CgroupAttachOptions& options = {}) const;

private:
    friend class TypedProgramView<CgroupSkb>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
