// SPDX-License-Identifier: MIT
// SockOps: a cgroup hook on the TCP events of its sockets (connection setup, RTT, retransmits, state changes).
#pragma once

#include <ebpf/programs/cgroup.hpp>
#include <ebpf/programs/view.hpp>

namespace ebpf {

// A typed view of a BPF_PROG_TYPE_SOCK_OPS program (section sockops). It is called with struct bpf_sock_ops for
// the TCP sockets of the cgroup: op is BPF_SOCK_OPS_TCP_CONNECT_CB, _ACTIVE_ESTABLISHED_CB,
// _PASSIVE_ESTABLISHED_CB, ... (more callbacks after bpf_sock_ops_cb_flags_set()); it may set socket options
// (bpf_setsockopt), put the socket in a sockmap (bpf_sock_map_update / bpf_sock_hash_update) and answer
// timeouts and window sizes through reply.
// The Link is a cgroup bpf_link, or a BPF_PROG_ATTACH registration (see attach_cgroup()).
// Kernel: 4.13; cgroup links 5.7.
// Requires: CAP_NET_ADMIN (or CAP_SYS_ADMIN) and CAP_BPF; cgroup v2.
// Errors: as attach_cgroup(). Ownership: the view shares the Program; the Link owns the attachment.
// Thread safety: as ProgramView.
class SockOps : public TypedProgramView<SockOps> {
public:
    static constexpr const char* kName = "SockOps";
    static constexpr ProgramType kType = ProgramType::SockOps;
    static constexpr ProgramKind kKinds[] = {ProgramKind::SockOps};

    Result<Link> attach(const CgroupDir& cgroup, const CgroupAttachOptions& options = {}) const;

private:
    friend class TypedProgramView<SockOps>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
