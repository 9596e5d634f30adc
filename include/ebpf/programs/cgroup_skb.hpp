// SPDX-License-Identifier: MIT
// CgroupSkb: programs that see every packet entering or leaving the sockets of a cgroup.
#pragma once

#include <ebpf/programs/cgroup.hpp>

namespace ebpf {

enum class CgroupSkbAttachType { Ingress, Egress };

// A typed view of a BPF_PROG_TYPE_CGROUP_SKB program (sections cgroup_skb/ingress, cgroup_skb/egress,
// cgroup/skb). It borrows the Program, which must outlive it.
// Kernel: 4.10+; bpf_link attachment 5.7+ (older kernels use BPF_PROG_ATTACH).
class CgroupSkb {
public:
    static constexpr ProgramType kType = ProgramType::CgroupSkb;
    static Result<CgroupSkb> from(Program& p);

    Result<void> load() { return prog_->load(); }
    // Attaches to the cgroup v2 directory open as `cgroup`. The Link detaches on destruction.
    Result<Link> attach(FdRef cgroup, CgroupSkbAttachType type, const CgroupAttachOptions& options = {}) const;
    // Same, opening the cgroup directory by path (e.g. "/sys/fs/cgroup").
    Result<Link> attach(const char* cgroup_path, CgroupSkbAttachType type,
                        const CgroupAttachOptions& options = {}) const;

    Program& program() const noexcept { return *prog_; }

private:
    explicit CgroupSkb(Program& p) : prog_(&p) {}
    Program* prog_;
};

}  // namespace ebpf
