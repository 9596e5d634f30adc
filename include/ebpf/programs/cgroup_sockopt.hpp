// SPDX-License-Identifier: MIT
// CgroupSockopt: programs that see (and may override) getsockopt(2) and setsockopt(2) of a cgroup's sockets.
#pragma once

#include <cstdint>

#include <ebpf/programs/cgroup.hpp>
#include <ebpf/programs/view.hpp>

namespace ebpf {

enum class CgroupSockoptHook : std::uint8_t {
    Get,  // cgroup/getsockopt: after the kernel's getsockopt; may rewrite optval/optlen and retval
    Set,  // cgroup/setsockopt: before the kernel's setsockopt; may rewrite the value, skip the kernel (optlen -1)
          // or refuse (return 0: EPERM)
};

// A typed view of a BPF_PROG_TYPE_CGROUP_SOCKOPT program (sections cgroup/getsockopt, cgroup/setsockopt). It sees
// struct bpf_sockopt (level, optname, optval .. optval_end, optlen, retval) and returns 1 to go on or 0 to refuse.
// The Link is a cgroup bpf_link, or a BPF_PROG_ATTACH registration (see attach_cgroup()).
// Kernel: 5.3; cgroup links 5.7.
// Requires: CAP_NET_ADMIN (or CAP_SYS_ADMIN) and CAP_BPF; cgroup v2.
// Errors: as attach_cgroup(); InvalidArgument for a hook other than the one the program was loaded for.
// Ownership: the view shares the Program; the Link owns the attachment.
// Thread safety: as ProgramView.
class CgroupSockopt : public TypedProgramView<CgroupSockopt> {
public:
    static constexpr const char* kName = "CgroupSockopt";
    static constexpr ProgramType kType = ProgramType::CgroupSockopt;
    static constexpr ProgramKind kKinds[] = {ProgramKind::CgroupSockopt};

    // Attaches at the hook its section names.
    Result<Link> attach(const CgroupDir& cgroup, const CgroupAttachOptions& options = {}) const;
    Result<Link> attach(const CgroupDir& cgroup, CgroupSockoptHook hook, const CgroupAttachOptions& options = {}) const;

private:
    friend class TypedProgramView<CgroupSockopt>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
