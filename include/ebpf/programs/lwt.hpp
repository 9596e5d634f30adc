// SPDX-License-Identifier: MIT
// Lightweight-tunnel programs (lwt_in, lwt_out, lwt_xmit, lwt_seg6local): programs that a route runs on the packets
// it carries, set as the route's encapsulation over rtnetlink.
#pragma once

#include <cstdint>
#include <string>

#include <ebpf/programs/view.hpp>

namespace ebpf {

// The route an lwt program rides on. The attach creates it (RTM_NEWROUTE with NLM_F_EXCL) in the calling thread's
// network namespace; the Link deletes it.
struct LwtRoute {
    // "10.1.0.0/24", "fd00:1::/64", or one address ("10.1.0.5": /32, "fd00::5": /128).
    std::string destination{};
    // The output interface ("veth0"); required (lwt encapsulation needs a device route).
    std::string interface{};
    // Optional next hop ("10.1.0.1"), of the destination's family.
    std::string gateway{};
    std::uint32_t table = 254;  // RT_TABLE_MAIN
    std::uint32_t metric = 0;   // RTA_PRIORITY
};

// Programs for one route: LWTUNNEL_ENCAP_BPF takes up to one program per hook (at least one).
struct LwtPrograms {
    const Program* in = nullptr;    // lwt_in: packets the route delivers locally (input path)
    const Program* out = nullptr;   // lwt_out: locally generated packets, before the output path
    const Program* xmit = nullptr;  // lwt_xmit: packets about to be transmitted (may push headers, redirect)
    std::uint32_t xmit_headroom = 0;  // LWT_BPF_XMIT_HEADROOM: room for headers the xmit program pushes (<= 256)
};

// Creates `route` with the programs as its encapsulation (LWTUNNEL_ENCAP_BPF). Each program is named in the route
// "<program name>#<program id>" (LWT_BPF_PROG_NAME, shown by `ip route`).
// Ownership: the Link owns the route and a netlink socket of the namespace it was made in: it deletes the route when
// destroyed, unless the route is gone or was replaced by one with other programs (then it is left alone).
// Kernel: 4.10 with CONFIG_LWTUNNEL_BPF.
// Requires: CAP_NET_ADMIN (in the namespace's user namespace) and CAP_BPF.
// Errors: InvalidArgument (no program, a program not loaded or of the wrong kind, a malformed destination or
//   gateway, headroom > 256), NoDevice (no such interface), Exists (a route to that destination is there),
//   NotSupported (no CONFIG_LWTUNNEL_BPF), and the kernel's extended-ack message; each naming the route.
// Thread safety: any thread; the route is made in the namespace of the calling thread.
Result<Link> attach_lwt(const LwtRoute& route, const LwtPrograms& programs);

// Typed views of the four lwt program types. Each attaches alone on a route of its own (attach_lwt() puts several
// on one route). They share ownership of their Program (see ProgramView).
// Kernel, Requires, Errors, Thread safety: as attach_lwt(); lwt_seg6local as LwtSeg6local says.
class LwtIn : public TypedProgramView<LwtIn> {
public:
    static constexpr const char* kName = "LwtIn";
    static constexpr ProgramType kType = ProgramType::LwtIn;
    static constexpr ProgramKind kKinds[] = {ProgramKind::LwtIn};
    Result<Link> attach(const LwtRoute& route) const;

private:
    friend class TypedProgramView<LwtIn>;
    using TypedProgramView::TypedProgramView;
};

class LwtOut : public TypedProgramView<LwtOut> {
public:
    static constexpr const char* kName = "LwtOut";
    static constexpr ProgramType kType = ProgramType::LwtOut;
    static constexpr ProgramKind kKinds[] = {ProgramKind::LwtOut};
    Result<Link> attach(const LwtRoute& route) const;

private:
    friend class TypedProgramView<LwtOut>;
    using TypedProgramView::TypedProgramView;
};

class LwtXmit : public TypedProgramView<LwtXmit> {
public:
    static constexpr const char* kName = "LwtXmit";
    static constexpr ProgramType kType = ProgramType::LwtXmit;
    static constexpr ProgramKind kKinds[] = {ProgramKind::LwtXmit};
    Result<Link> attach(const LwtRoute& route, std::uint32_t headroom = 0) const;

private:
    friend class TypedProgramView<LwtXmit>;
    using TypedProgramView::TypedProgramView;
};

// lwt_seg6local: the End.BPF action of an SRv6 local SID. The route is an IPv6 SID ("fc00::100/128") on an
// interface, with encap seg6local action End.BPF; the program sees the packets whose active segment is that SID
// (with their segment routing header) and returns BPF_OK, BPF_DROP or BPF_REDIRECT.
// Kernel: 4.18 with CONFIG_IPV6_SEG6_BPF; SRv6 packets are only processed on interfaces with seg6_enabled.
class LwtSeg6local : public TypedProgramView<LwtSeg6local> {
public:
    static constexpr const char* kName = "LwtSeg6local";
    static constexpr ProgramType kType = ProgramType::LwtSeg6local;
    static constexpr ProgramKind kKinds[] = {ProgramKind::LwtSeg6local};
    Result<Link> attach(const LwtRoute& route) const;

private:
    friend class TypedProgramView<LwtSeg6local>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
