// SPDX-License-Identifier: MIT
// Netfilter: programs on a netfilter hook (the hooks iptables and nftables use), attached with a bpf_link.
#pragma once

#include <cstdint>

#include <ebpf/programs/view.hpp>

namespace ebpf {

enum class NetfilterFamily : std::uint8_t { Ipv4 = 2, Ipv6 = 10 };  // NFPROTO_IPV4, NFPROTO_IPV6

enum class NetfilterHook : std::uint8_t {  // NF_INET_*
    PreRouting = 0,
    LocalIn = 1,
    Forward = 2,
    LocalOut = 3,
    PostRouting = 4,
};

struct NetfilterAttachOptions {
    // Let the kernel reassemble IP fragments before the program runs (BPF_F_NETFILTER_IP_DEFRAG, 6.6; loads
    // nf_defrag_ipv4/ipv6). The priority must then be above NF_IP_PRI_CONNTRACK_DEFRAG (-400).
    bool defrag = false;
};

// A typed view of a BPF_PROG_TYPE_NETFILTER program (section netfilter). Programs return NF_DROP (0) or
// NF_ACCEPT (1). It shares ownership of the Program (see ProgramView).
// Kernel: 6.4+ with CONFIG_NETFILTER_BPF_LINK; the hook is the calling thread's network namespace's.
// Requires: CAP_NET_ADMIN and CAP_BPF (or CAP_SYS_ADMIN) to attach.
// Ownership: the view shares the Program; the Link owns the bpf_link.
// Thread safety: as ProgramView.
class Netfilter : public TypedProgramView<Netfilter> {
public:
    static constexpr const char* kName = "Netfilter";
    static constexpr ProgramType kType = ProgramType::Netfilter;
    static constexpr ProgramKind kKinds[] = {ProgramKind::Netfilter};

    // Attaches to `hook` of `family` at `priority` (lower runs first; iptables' filter table is 0, conntrack
    // -200; INT32_MIN and INT32_MAX are reserved) in the calling thread's network namespace.
    // Errors: InvalidArgument (not loaded; a reserved priority; defrag with a priority at or below -400),
    //   NotSupported (no netfilter links; defrag without nf_defrag support), and the kernel's refusal.
    Result<Link> attach(NetfilterFamily family, NetfilterHook hook, std::int32_t priority,
                        const NetfilterAttachOptions& options = {}) const;

private:
    friend class TypedProgramView<Netfilter>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
