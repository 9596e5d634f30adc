// SPDX-License-Identifier: MIT
// Netfilter attachment: BPF_LINK_CREATE with BPF_NETFILTER (6.4+) in the calling thread's network namespace.
#include <cerrno>

#include "base/format.hpp"
#include "links/attach.hpp"
#include "sys/bpf.hpp"

namespace ebpf::detail {

Result<Link> attach_netfilter(FdRef prog, std::uint32_t pf, std::uint32_t hooknum, std::int32_t priority,
                              std::uint32_t flags, std::string what) {
    sys::LinkCreateAttr a{};
    a.prog_fd = static_cast<std::uint32_t>(prog.get());
    a.attach_type = static_cast<std::uint32_t>(AttachType::Netfilter);
    a.netfilter.pf = pf;
    a.netfilter.hooknum = hooknum;
    a.netfilter.priority = priority;
    a.netfilter.flags = flags;
    auto fd = sys::link_create(a);
    if (!fd) {
        // net/netfilter/nf_bpf_link.c says what is wrong with its errno.
        Error e = std::move(fd).error();
        switch (e.sys_errno()) {
        case EAFNOSUPPORT:
            e.recode(Errc::InvalidArgument);
            e.context(format("protocol family %u has no netfilter hooks for BPF (IPv4 and IPv6 do)", pf));
            break;
        case EPROTO:
            e.recode(Errc::InvalidArgument);
            e.context(format("no netfilter hook %u", hooknum));
            break;
        case ERANGE:
            e.recode(Errc::InvalidArgument);
            e.context(format("priority %d is reserved (INT32_MIN, INT32_MAX), or at or below the defragmentation "
                             "hook (-400) with defrag",
                             priority));
            break;
        case EOPNOTSUPP:
            e.context(flags ? "this kernel cannot defragment for BPF netfilter links (BPF_F_NETFILTER_IP_DEFRAG, "
                              "6.6, and nf_defrag_ipv4/ipv6)"
                            : "this kernel has no BPF netfilter links (CONFIG_NETFILTER_BPF_LINK, 6.4)");
            break;
        case EINVAL:
            e.context("(BPF netfilter links need Linux 6.4; a program loaded as another type is refused too)");
            break;
        default: break;
        }
        return std::move(e).context(what);
    }
    Link::Parts parts;
    parts.bpf_link = std::move(*fd);
    parts.description = std::move(what);
    return Link(std::move(parts));
}

}  // namespace ebpf::detail
