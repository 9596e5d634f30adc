// SPDX-License-Identifier: MIT
// The section table, in libbpf's order (first match wins, so order matters: "sk_reuseport/migrate" before
// "sk_reuseport", "xdp.frags/devmap" before "xdp.frags").
#include "object/sections.hpp"

namespace ebpf::detail {

namespace {

using P = ProgramType;
using A = AttachType;
constexpr std::uint32_t kAttachableOpt = kSecAttachable | kSecExpAttachOpt;

constexpr SectionDef kDefs[] = {
    {"socket", P::SocketFilter, std::nullopt, kSecNone},
    {"sk_reuseport/migrate", P::SkReuseport, A::SkReuseportSelectOrMigrate, kSecAttachable},
    {"sk_reuseport", P::SkReuseport, A::SkReuseportSelect, kSecAttachable},
    {"kprobe+", P::Kprobe, std::nullopt, kSecNone},
    {"uprobe+", P::Kprobe, std::nullopt, kSecNone},
    {"uprobe.s+", P::Kprobe, std::nullopt, kSecSleepable},
    {"kretprobe+", P::Kprobe, std::nullopt, kSecNone},
    {"uretprobe+", P::Kprobe, std::nullopt, kSecNone},
    {"uretprobe.s+", P::Kprobe, std::nullopt, kSecSleepable},
    {"kprobe.multi+", P::Kprobe, A::TraceKprobeMulti, kSecNone},
    {"kretprobe.multi+", P::Kprobe, A::TraceKprobeMulti, kSecNone},
    {"kprobe.session+", P::Kprobe, A::TraceKprobeSession, kSecNone},
    {"uprobe.multi+", P::Kprobe, A::TraceUprobeMulti, kSecNone},
    {"uretprobe.multi+", P::Kprobe, A::TraceUprobeMulti, kSecNone},
    {"uprobe.session+", P::Kprobe, A::TraceUprobeSession, kSecNone},
    {"uprobe.multi.s+", P::Kprobe, A::TraceUprobeMulti, kSecSleepable},
    {"uretprobe.multi.s+", P::Kprobe, A::TraceUprobeMulti, kSecSleepable},
    {"uprobe.session.s+", P::Kprobe, A::TraceUprobeSession, kSecSleepable},
    {"ksyscall+", P::Kprobe, std::nullopt, kSecNone},
    {"kretsyscall+", P::Kprobe, std::nullopt, kSecNone},
    {"usdt+", P::Kprobe, std::nullopt, kSecUsdt},
    {"usdt.s+", P::Kprobe, std::nullopt, kSecUsdt | kSecSleepable},
    {"tc/ingress", P::SchedCls, A::TcxIngress, kSecNone},
    {"tc/egress", P::SchedCls, A::TcxEgress, kSecNone},
    {"tcx/ingress", P::SchedCls, A::TcxIngress, kSecNone},
    {"tcx/egress", P::SchedCls, A::TcxEgress, kSecNone},
    {"tc", P::SchedCls, std::nullopt, kSecNone},
    {"classifier", P::SchedCls, std::nullopt, kSecNone},
    {"action", P::SchedAct, std::nullopt, kSecNone},
    {"netkit/primary", P::SchedCls, A::NetkitPrimary, kSecNone},
    {"netkit/peer", P::SchedCls, A::NetkitPeer, kSecNone},
    {"tracepoint+", P::Tracepoint, std::nullopt, kSecNone},
    {"tp+", P::Tracepoint, std::nullopt, kSecNone},
    {"tracepoint.s+", P::Tracepoint, std::nullopt, kSecSleepable},
    {"tp.s+", P::Tracepoint, std::nullopt, kSecSleepable},
    {"raw_tracepoint+", P::RawTracepoint, std::nullopt, kSecNone},
    {"raw_tp+", P::RawTracepoint, std::nullopt, kSecNone},
    {"raw_tracepoint.s+", P::RawTracepoint, std::nullopt, kSecSleepable},
    {"raw_tp.s+", P::RawTracepoint, std::nullopt, kSecSleepable},
    {"raw_tracepoint.w+", P::RawTracepointWritable, std::nullopt, kSecNone},
    {"raw_tp.w+", P::RawTracepointWritable, std::nullopt, kSecNone},
    {"tp_btf+", P::Tracing, A::TraceRawTp, kSecAttachBtf},
    {"tp_btf.s+", P::Tracing, A::TraceRawTp, kSecAttachBtf | kSecSleepable},
    {"fentry+", P::Tracing, A::TraceFentry, kSecAttachBtf},
    {"fmod_ret+", P::Tracing, A::ModifyReturn, kSecAttachBtf},
    {"fexit+", P::Tracing, A::TraceFexit, kSecAttachBtf},
    {"fentry.s+", P::Tracing, A::TraceFentry, kSecAttachBtf | kSecSleepable},
    {"fmod_ret.s+", P::Tracing, A::ModifyReturn, kSecAttachBtf | kSecSleepable},
    {"fexit.s+", P::Tracing, A::TraceFexit, kSecAttachBtf | kSecSleepable},
    {"fsession+", P::Tracing, A::TraceFsession, kSecAttachBtf},
    {"fsession.s+", P::Tracing, A::TraceFsession, kSecAttachBtf | kSecSleepable},
    {"fsession.multi+", P::Tracing, A::TraceFsessionMulti, kSecNone},
    {"fsession.multi.s+", P::Tracing, A::TraceFsessionMulti, kSecSleepable},
    {"fentry.multi+", P::Tracing, A::TraceFentryMulti, kSecNone},
    {"fexit.multi+", P::Tracing, A::TraceFexitMulti, kSecNone},
    {"fentry.multi.s+", P::Tracing, A::TraceFentryMulti, kSecSleepable},
    {"fexit.multi.s+", P::Tracing, A::TraceFexitMulti, kSecSleepable},
    {"freplace+", P::Ext, std::nullopt, kSecAttachBtf},
    {"lsm+", P::Lsm, A::LsmMac, kSecAttachBtf},
    {"lsm.s+", P::Lsm, A::LsmMac, kSecAttachBtf | kSecSleepable},
    {"lsm_cgroup+", P::Lsm, A::LsmCgroup, kSecAttachBtf},
    {"iter+", P::Tracing, A::TraceIter, kSecAttachBtf},
    {"iter.s+", P::Tracing, A::TraceIter, kSecAttachBtf | kSecSleepable},
    {"syscall", P::Syscall, std::nullopt, kSecSleepable},
    {"xdp.frags/devmap", P::Xdp, A::XdpDevmap, kSecXdpFrags},
    {"xdp/devmap", P::Xdp, A::XdpDevmap, kSecAttachable},
    {"xdp.frags/cpumap", P::Xdp, A::XdpCpumap, kSecXdpFrags},
    {"xdp/cpumap", P::Xdp, A::XdpCpumap, kSecAttachable},
    {"xdp.frags", P::Xdp, A::Xdp, kSecXdpFrags},
    {"xdp", P::Xdp, A::Xdp, kAttachableOpt},
    {"perf_event", P::PerfEvent, std::nullopt, kSecNone},
    {"lwt_in", P::LwtIn, std::nullopt, kSecNone},
    {"lwt_out", P::LwtOut, std::nullopt, kSecNone},
    {"lwt_xmit", P::LwtXmit, std::nullopt, kSecNone},
    {"lwt_seg6local", P::LwtSeg6local, std::nullopt, kSecNone},
    {"sockops", P::SockOps, A::CgroupSockOps, kAttachableOpt},
    {"sk_skb/stream_parser", P::SkSkb, A::SkSkbStreamParser, kAttachableOpt},
    {"sk_skb/stream_verdict", P::SkSkb, A::SkSkbStreamVerdict, kAttachableOpt},
    {"sk_skb/verdict", P::SkSkb, A::SkSkbVerdict, kAttachableOpt},
    {"sk_skb", P::SkSkb, std::nullopt, kSecNone},
    {"sk_msg", P::SkMsg, A::SkMsgVerdict, kAttachableOpt},
    {"lirc_mode2", P::LircMode2, A::LircMode2, kAttachableOpt},
    {"flow_dissector", P::FlowDissector, A::FlowDissector, kAttachableOpt},
    {"cgroup_skb/ingress", P::CgroupSkb, A::CgroupInetIngress, kAttachableOpt},
    {"cgroup_skb/egress", P::CgroupSkb, A::CgroupInetEgress, kAttachableOpt},
    {"cgroup/skb", P::CgroupSkb, std::nullopt, kSecNone},
    {"cgroup/sock_create", P::CgroupSock, A::CgroupInetSockCreate, kSecAttachable},
    {"cgroup/sock_release", P::CgroupSock, A::CgroupInetSockRelease, kSecAttachable},
    {"cgroup/sock", P::CgroupSock, A::CgroupInetSockCreate, kAttachableOpt},
    {"cgroup/post_bind4", P::CgroupSock, A::CgroupInet4PostBind, kSecAttachable},
    {"cgroup/post_bind6", P::CgroupSock, A::CgroupInet6PostBind, kSecAttachable},
    {"cgroup/bind4", P::CgroupSockAddr, A::CgroupInet4Bind, kSecAttachable},
    {"cgroup/bind6", P::CgroupSockAddr, A::CgroupInet6Bind, kSecAttachable},
    {"cgroup/connect4", P::CgroupSockAddr, A::CgroupInet4Connect, kSecAttachable},
    {"cgroup/connect6", P::CgroupSockAddr, A::CgroupInet6Connect, kSecAttachable},
    {"cgroup/connect_unix", P::CgroupSockAddr, A::CgroupUnixConnect, kSecAttachable},
    {"cgroup/sendmsg4", P::CgroupSockAddr, A::CgroupUdp4Sendmsg, kSecAttachable},
    {"cgroup/sendmsg6", P::CgroupSockAddr, A::CgroupUdp6Sendmsg, kSecAttachable},
    {"cgroup/sendmsg_unix", P::CgroupSockAddr, A::CgroupUnixSendmsg, kSecAttachable},
    {"cgroup/recvmsg4", P::CgroupSockAddr, A::CgroupUdp4Recvmsg, kSecAttachable},
    {"cgroup/recvmsg6", P::CgroupSockAddr, A::CgroupUdp6Recvmsg, kSecAttachable},
    {"cgroup/recvmsg_unix", P::CgroupSockAddr, A::CgroupUnixRecvmsg, kSecAttachable},
    {"cgroup/getpeername4", P::CgroupSockAddr, A::CgroupInet4Getpeername, kSecAttachable},
    {"cgroup/getpeername6", P::CgroupSockAddr, A::CgroupInet6Getpeername, kSecAttachable},
    {"cgroup/getpeername_unix", P::CgroupSockAddr, A::CgroupUnixGetpeername, kSecAttachable},
    {"cgroup/getsockname4", P::CgroupSockAddr, A::CgroupInet4Getsockname, kSecAttachable},
    {"cgroup/getsockname6", P::CgroupSockAddr, A::CgroupInet6Getsockname, kSecAttachable},
    {"cgroup/getsockname_unix", P::CgroupSockAddr, A::CgroupUnixGetsockname, kSecAttachable},
    {"cgroup/sysctl", P::CgroupSysctl, A::CgroupSysctl, kSecAttachable},
    {"cgroup/getsockopt", P::CgroupSockopt, A::CgroupGetsockopt, kSecAttachable},
    {"cgroup/setsockopt", P::CgroupSockopt, A::CgroupSetsockopt, kSecAttachable},
    {"cgroup/dev", P::CgroupDevice, A::CgroupDevice, kAttachableOpt},
    {"struct_ops+", P::StructOps, std::nullopt, kSecNone},
    {"struct_ops.s+", P::StructOps, std::nullopt, kSecSleepable},
    {"sk_lookup", P::SkLookup, A::SkLookup, kSecAttachable},
    {"netfilter", P::Netfilter, A::Netfilter, kSecNone},
};

}  // namespace

std::span<const SectionDef> section_defs() noexcept { return kDefs; }

std::optional<SectionMatch> match_section(std::string_view name) noexcept {
    for (const SectionDef& d : kDefs) {
        std::string_view pat = d.pattern;
        const char last = pat.back();
        if (last == '/') {
            if (name.substr(0, pat.size()) == pat) return SectionMatch{&d, name.substr(pat.size())};
        } else if (last == '+') {
            pat.remove_suffix(1);
            if (name.substr(0, pat.size()) != pat) continue;
            if (name.size() == pat.size()) return SectionMatch{&d, {}};
            if (name[pat.size()] == '/') return SectionMatch{&d, name.substr(pat.size() + 1)};
        } else if (name == pat) {
            return SectionMatch{&d, {}};
        }
    }
    return std::nullopt;
}

}  // namespace ebpf::detail
