// SPDX-License-Identifier: MIT
// The section table, in libbpf's order (first match wins, so order matters: "sk_reuseport/migrate" before
// "sk_reuseport", "xdp.frags/devmap" before "xdp.frags").
#include "object/sections.hpp"

namespace ebpf::detail {

namespace {

using P = ProgramType;
using A = AttachType;
using K = ProgramKind;
constexpr std::uint32_t kAttachableOpt = kSecAttachable | kSecExpAttachOpt;

constexpr SectionDef kDefs[] = {
    {"socket", P::SocketFilter, K::SocketFilter, std::nullopt, kSecNone},
    {"sk_reuseport/migrate", P::SkReuseport, K::SkReuseport, A::SkReuseportSelectOrMigrate, kSecAttachable},
    {"sk_reuseport", P::SkReuseport, K::SkReuseport, A::SkReuseportSelect, kSecAttachable},
    {"kprobe+", P::Kprobe, K::Kprobe, std::nullopt, kSecNone},
    {"uprobe+", P::Kprobe, K::Uprobe, std::nullopt, kSecNone},
    {"uprobe.s+", P::Kprobe, K::Uprobe, std::nullopt, kSecSleepable},
    {"kretprobe+", P::Kprobe, K::Kretprobe, std::nullopt, kSecNone},
    {"uretprobe+", P::Kprobe, K::Uretprobe, std::nullopt, kSecNone},
    {"uretprobe.s+", P::Kprobe, K::Uretprobe, std::nullopt, kSecSleepable},
    {"kprobe.multi+", P::Kprobe, K::KprobeMulti, A::TraceKprobeMulti, kSecNone},
    {"kretprobe.multi+", P::Kprobe, K::KretprobeMulti, A::TraceKprobeMulti, kSecNone},
    {"kprobe.session+", P::Kprobe, K::KprobeSession, A::TraceKprobeSession, kSecNone},
    {"uprobe.multi+", P::Kprobe, K::UprobeMulti, A::TraceUprobeMulti, kSecNone},
    {"uretprobe.multi+", P::Kprobe, K::UretprobeMulti, A::TraceUprobeMulti, kSecNone},
    {"uprobe.session+", P::Kprobe, K::UprobeSession, A::TraceUprobeSession, kSecNone},
    {"uprobe.multi.s+", P::Kprobe, K::UprobeMulti, A::TraceUprobeMulti, kSecSleepable},
    {"uretprobe.multi.s+", P::Kprobe, K::UretprobeMulti, A::TraceUprobeMulti, kSecSleepable},
    {"uprobe.session.s+", P::Kprobe, K::UprobeSession, A::TraceUprobeSession, kSecSleepable},
    {"ksyscall+", P::Kprobe, K::Ksyscall, std::nullopt, kSecNone},
    {"kretsyscall+", P::Kprobe, K::Kretsyscall, std::nullopt, kSecNone},
    {"usdt+", P::Kprobe, K::Usdt, std::nullopt, kSecUsdt},
    {"usdt.s+", P::Kprobe, K::Usdt, std::nullopt, kSecUsdt | kSecSleepable},
    {"tc/ingress", P::SchedCls, K::Tcx, A::TcxIngress, kSecNone},
    {"tc/egress", P::SchedCls, K::Tcx, A::TcxEgress, kSecNone},
    {"tcx/ingress", P::SchedCls, K::Tcx, A::TcxIngress, kSecNone},
    {"tcx/egress", P::SchedCls, K::Tcx, A::TcxEgress, kSecNone},
    {"tc", P::SchedCls, K::Tc, std::nullopt, kSecNone},
    {"classifier", P::SchedCls, K::Tc, std::nullopt, kSecNone},
    {"action", P::SchedAct, K::TcAction, std::nullopt, kSecNone},
    {"netkit/primary", P::SchedCls, K::Netkit, A::NetkitPrimary, kSecNone},
    {"netkit/peer", P::SchedCls, K::Netkit, A::NetkitPeer, kSecNone},
    {"tracepoint+", P::Tracepoint, K::Tracepoint, std::nullopt, kSecNone},
    {"tp+", P::Tracepoint, K::Tracepoint, std::nullopt, kSecNone},
    {"tracepoint.s+", P::Tracepoint, K::Tracepoint, std::nullopt, kSecSleepable},
    {"tp.s+", P::Tracepoint, K::Tracepoint, std::nullopt, kSecSleepable},
    {"raw_tracepoint+", P::RawTracepoint, K::RawTracepoint, std::nullopt, kSecNone},
    {"raw_tp+", P::RawTracepoint, K::RawTracepoint, std::nullopt, kSecNone},
    {"raw_tracepoint.s+", P::RawTracepoint, K::RawTracepoint, std::nullopt, kSecSleepable},
    {"raw_tp.s+", P::RawTracepoint, K::RawTracepoint, std::nullopt, kSecSleepable},
    {"raw_tracepoint.w+", P::RawTracepointWritable, K::RawTracepointWritable, std::nullopt, kSecNone},
    {"raw_tp.w+", P::RawTracepointWritable, K::RawTracepointWritable, std::nullopt, kSecNone},
    {"tp_btf+", P::Tracing, K::TpBtf, A::TraceRawTp, kSecAttachBtf},
    {"tp_btf.s+", P::Tracing, K::TpBtf, A::TraceRawTp, kSecAttachBtf | kSecSleepable},
    {"fentry+", P::Tracing, K::Fentry, A::TraceFentry, kSecAttachBtf},
    {"fmod_ret+", P::Tracing, K::FmodRet, A::ModifyReturn, kSecAttachBtf},
    {"fexit+", P::Tracing, K::Fexit, A::TraceFexit, kSecAttachBtf},
    {"fentry.s+", P::Tracing, K::Fentry, A::TraceFentry, kSecAttachBtf | kSecSleepable},
    {"fmod_ret.s+", P::Tracing, K::FmodRet, A::ModifyReturn, kSecAttachBtf | kSecSleepable},
    {"fexit.s+", P::Tracing, K::Fexit, A::TraceFexit, kSecAttachBtf | kSecSleepable},
    {"fsession+", P::Tracing, K::Fsession, A::TraceFsession, kSecAttachBtf},
    {"fsession.s+", P::Tracing, K::Fsession, A::TraceFsession, kSecAttachBtf | kSecSleepable},
    {"fsession.multi+", P::Tracing, K::FsessionMulti, A::TraceFsessionMulti, kSecNone},
    {"fsession.multi.s+", P::Tracing, K::FsessionMulti, A::TraceFsessionMulti, kSecSleepable},
    {"fentry.multi+", P::Tracing, K::FentryMulti, A::TraceFentryMulti, kSecNone},
    {"fexit.multi+", P::Tracing, K::FexitMulti, A::TraceFexitMulti, kSecNone},
    {"fentry.multi.s+", P::Tracing, K::FentryMulti, A::TraceFentryMulti, kSecSleepable},
    {"fexit.multi.s+", P::Tracing, K::FexitMulti, A::TraceFexitMulti, kSecSleepable},
    {"freplace+", P::Ext, K::Freplace, std::nullopt, kSecAttachBtf},
    {"lsm+", P::Lsm, K::Lsm, A::LsmMac, kSecAttachBtf},
    {"lsm.s+", P::Lsm, K::Lsm, A::LsmMac, kSecAttachBtf | kSecSleepable},
    {"lsm_cgroup+", P::Lsm, K::LsmCgroup, A::LsmCgroup, kSecAttachBtf},
    {"iter+", P::Tracing, K::Iter, A::TraceIter, kSecAttachBtf},
    {"iter.s+", P::Tracing, K::Iter, A::TraceIter, kSecAttachBtf | kSecSleepable},
    {"syscall", P::Syscall, K::Syscall, std::nullopt, kSecSleepable},
    {"xdp.frags/devmap", P::Xdp, K::XdpDevmap, A::XdpDevmap, kSecXdpFrags},
    {"xdp/devmap", P::Xdp, K::XdpDevmap, A::XdpDevmap, kSecAttachable},
    {"xdp.frags/cpumap", P::Xdp, K::XdpCpumap, A::XdpCpumap, kSecXdpFrags},
    {"xdp/cpumap", P::Xdp, K::XdpCpumap, A::XdpCpumap, kSecAttachable},
    {"xdp.frags", P::Xdp, K::Xdp, A::Xdp, kSecXdpFrags},
    {"xdp", P::Xdp, K::Xdp, A::Xdp, kAttachableOpt},
    {"perf_event", P::PerfEvent, K::PerfEvent, std::nullopt, kSecNone},
    {"lwt_in", P::LwtIn, K::LwtIn, std::nullopt, kSecNone},
    {"lwt_out", P::LwtOut, K::LwtOut, std::nullopt, kSecNone},
    {"lwt_xmit", P::LwtXmit, K::LwtXmit, std::nullopt, kSecNone},
    {"lwt_seg6local", P::LwtSeg6local, K::LwtSeg6local, std::nullopt, kSecNone},
    {"sockops", P::SockOps, K::SockOps, A::CgroupSockOps, kAttachableOpt},
    {"sk_skb/stream_parser", P::SkSkb, K::SkSkb, A::SkSkbStreamParser, kAttachableOpt},
    {"sk_skb/stream_verdict", P::SkSkb, K::SkSkb, A::SkSkbStreamVerdict, kAttachableOpt},
    {"sk_skb/verdict", P::SkSkb, K::SkSkb, A::SkSkbVerdict, kAttachableOpt},
    {"sk_skb", P::SkSkb, K::SkSkb, std::nullopt, kSecNone},
    {"sk_msg", P::SkMsg, K::SkMsg, A::SkMsgVerdict, kAttachableOpt},
    {"lirc_mode2", P::LircMode2, K::LircMode2, A::LircMode2, kAttachableOpt},
    {"flow_dissector", P::FlowDissector, K::FlowDissector, A::FlowDissector, kAttachableOpt},
    {"cgroup_skb/ingress", P::CgroupSkb, K::CgroupSkb, A::CgroupInetIngress, kAttachableOpt},
    {"cgroup_skb/egress", P::CgroupSkb, K::CgroupSkb, A::CgroupInetEgress, kAttachableOpt},
    {"cgroup/skb", P::CgroupSkb, K::CgroupSkb, std::nullopt, kSecNone},
    {"cgroup/sock_create", P::CgroupSock, K::CgroupSock, A::CgroupInetSockCreate, kSecAttachable},
    {"cgroup/sock_release", P::CgroupSock, K::CgroupSock, A::CgroupInetSockRelease, kSecAttachable},
    {"cgroup/sock", P::CgroupSock, K::CgroupSock, A::CgroupInetSockCreate, kAttachableOpt},
    {"cgroup/post_bind4", P::CgroupSock, K::CgroupSock, A::CgroupInet4PostBind, kSecAttachable},
    {"cgroup/post_bind6", P::CgroupSock, K::CgroupSock, A::CgroupInet6PostBind, kSecAttachable},
    {"cgroup/bind4", P::CgroupSockAddr, K::CgroupSockAddr, A::CgroupInet4Bind, kSecAttachable},
    {"cgroup/bind6", P::CgroupSockAddr, K::CgroupSockAddr, A::CgroupInet6Bind, kSecAttachable},
    {"cgroup/connect4", P::CgroupSockAddr, K::CgroupSockAddr, A::CgroupInet4Connect, kSecAttachable},
    {"cgroup/connect6", P::CgroupSockAddr, K::CgroupSockAddr, A::CgroupInet6Connect, kSecAttachable},
    {"cgroup/connect_unix", P::CgroupSockAddr, K::CgroupSockAddr, A::CgroupUnixConnect, kSecAttachable},
    {"cgroup/sendmsg4", P::CgroupSockAddr, K::CgroupSockAddr, A::CgroupUdp4Sendmsg, kSecAttachable},
    {"cgroup/sendmsg6", P::CgroupSockAddr, K::CgroupSockAddr, A::CgroupUdp6Sendmsg, kSecAttachable},
    {"cgroup/sendmsg_unix", P::CgroupSockAddr, K::CgroupSockAddr, A::CgroupUnixSendmsg, kSecAttachable},
    {"cgroup/recvmsg4", P::CgroupSockAddr, K::CgroupSockAddr, A::CgroupUdp4Recvmsg, kSecAttachable},
    {"cgroup/recvmsg6", P::CgroupSockAddr, K::CgroupSockAddr, A::CgroupUdp6Recvmsg, kSecAttachable},
    {"cgroup/recvmsg_unix", P::CgroupSockAddr, K::CgroupSockAddr, A::CgroupUnixRecvmsg, kSecAttachable},
    {"cgroup/getpeername4", P::CgroupSockAddr, K::CgroupSockAddr, A::CgroupInet4Getpeername, kSecAttachable},
    {"cgroup/getpeername6", P::CgroupSockAddr, K::CgroupSockAddr, A::CgroupInet6Getpeername, kSecAttachable},
    {"cgroup/getpeername_unix", P::CgroupSockAddr, K::CgroupSockAddr, A::CgroupUnixGetpeername, kSecAttachable},
    {"cgroup/getsockname4", P::CgroupSockAddr, K::CgroupSockAddr, A::CgroupInet4Getsockname, kSecAttachable},
    {"cgroup/getsockname6", P::CgroupSockAddr, K::CgroupSockAddr, A::CgroupInet6Getsockname, kSecAttachable},
    {"cgroup/getsockname_unix", P::CgroupSockAddr, K::CgroupSockAddr, A::CgroupUnixGetsockname, kSecAttachable},
    {"cgroup/sysctl", P::CgroupSysctl, K::CgroupSysctl, A::CgroupSysctl, kSecAttachable},
    {"cgroup/getsockopt", P::CgroupSockopt, K::CgroupSockopt, A::CgroupGetsockopt, kSecAttachable},
    {"cgroup/setsockopt", P::CgroupSockopt, K::CgroupSockopt, A::CgroupSetsockopt, kSecAttachable},
    {"cgroup/dev", P::CgroupDevice, K::CgroupDevice, A::CgroupDevice, kAttachableOpt},
    {"struct_ops+", P::StructOps, K::StructOps, std::nullopt, kSecNone},
    {"struct_ops.s+", P::StructOps, K::StructOps, std::nullopt, kSecSleepable},
    {"sk_lookup", P::SkLookup, K::SkLookup, A::SkLookup, kSecAttachable},
    {"netfilter", P::Netfilter, K::Netfilter, A::Netfilter, kSecNone},
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
