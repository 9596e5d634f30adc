// SPDX-License-Identifier: MIT
// Kernel enumerations (program, attach, map and link types) with the kernel's numeric values.
//
// Kernel: values equal enum bpf_prog_type / bpf_attach_type / bpf_map_type / bpf_link_type in
// include/uapi/linux/bpf.h; lib/sys checks them against the system headers with static_assert.
// Thread safety: the to_string() functions are pure and may be called from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ebpf {

enum class ProgramType : std::uint32_t {
    Unspec = 0,
    SocketFilter = 1,
    Kprobe = 2,
    SchedCls = 3,
    SchedAct = 4,
    Tracepoint = 5,
    Xdp = 6,
    PerfEvent = 7,
    CgroupSkb = 8,
    CgroupSock = 9,
    LwtIn = 10,
    LwtOut = 11,
    LwtXmit = 12,
    SockOps = 13,
    SkSkb = 14,
    CgroupDevice = 15,
    SkMsg = 16,
    RawTracepoint = 17,
    CgroupSockAddr = 18,
    LwtSeg6local = 19,
    LircMode2 = 20,
    SkReuseport = 21,
    FlowDissector = 22,
    CgroupSysctl = 23,
    RawTracepointWritable = 24,
    CgroupSockopt = 25,
    Tracing = 26,
    StructOps = 27,
    Ext = 28,
    Lsm = 29,
    SkLookup = 30,
    Syscall = 31,
    Netfilter = 32,
};

enum class AttachType : std::uint32_t {
    CgroupInetIngress = 0,
    CgroupInetEgress = 1,
    CgroupInetSockCreate = 2,
    CgroupSockOps = 3,
    SkSkbStreamParser = 4,
    SkSkbStreamVerdict = 5,
    CgroupDevice = 6,
    SkMsgVerdict = 7,
    CgroupInet4Bind = 8,
    CgroupInet6Bind = 9,
    CgroupInet4Connect = 10,
    CgroupInet6Connect = 11,
    CgroupInet4PostBind = 12,
    CgroupInet6PostBind = 13,
    CgroupUdp4Sendmsg = 14,
    CgroupUdp6Sendmsg = 15,
    LircMode2 = 16,
    FlowDissector = 17,
    CgroupSysctl = 18,
    CgroupUdp4Recvmsg = 19,
    CgroupUdp6Recvmsg = 20,
    CgroupGetsockopt = 21,
    CgroupSetsockopt = 22,
    TraceRawTp = 23,
    TraceFentry = 24,
    TraceFexit = 25,
    ModifyReturn = 26,
    LsmMac = 27,
    TraceIter = 28,
    CgroupInet4Getpeername = 29,
    CgroupInet6Getpeername = 30,
    CgroupInet4Getsockname = 31,
    CgroupInet6Getsockname = 32,
    XdpDevmap = 33,
    CgroupInetSockRelease = 34,
    XdpCpumap = 35,
    SkLookup = 36,
    Xdp = 37,
    SkSkbVerdict = 38,
    SkReuseportSelect = 39,
    SkReuseportSelectOrMigrate = 40,
    PerfEvent = 41,
    TraceKprobeMulti = 42,
    LsmCgroup = 43,
    StructOps = 44,
    Netfilter = 45,
    TcxIngress = 46,
    TcxEgress = 47,
    TraceUprobeMulti = 48,
    CgroupUnixConnect = 49,
    CgroupUnixSendmsg = 50,
    CgroupUnixRecvmsg = 51,
    CgroupUnixGetpeername = 52,
    CgroupUnixGetsockname = 53,
    NetkitPrimary = 54,
    NetkitPeer = 55,
    TraceKprobeSession = 56,
    TraceUprobeSession = 57,
    TraceFsession = 58,
    TraceFentryMulti = 59,
    TraceFexitMulti = 60,
    TraceFsessionMulti = 61,
};

enum class MapType : std::uint32_t {
    Unspec = 0,
    Hash = 1,
    Array = 2,
    ProgArray = 3,
    PerfEventArray = 4,
    PercpuHash = 5,
    PercpuArray = 6,
    StackTrace = 7,
    CgroupArray = 8,
    LruHash = 9,
    LruPercpuHash = 10,
    LpmTrie = 11,
    ArrayOfMaps = 12,
    HashOfMaps = 13,
    Devmap = 14,
    Sockmap = 15,
    Cpumap = 16,
    Xskmap = 17,
    Sockhash = 18,
    CgroupStorage = 19,
    ReuseportSockarray = 20,
    PercpuCgroupStorage = 21,
    Queue = 22,
    Stack = 23,
    SkStorage = 24,
    DevmapHash = 25,
    StructOps = 26,
    Ringbuf = 27,
    InodeStorage = 28,
    TaskStorage = 29,
    BloomFilter = 30,
    UserRingbuf = 31,
    CgrpStorage = 32,
    Arena = 33,
};

enum class LinkType : std::uint32_t {
    Unspec = 0,
    RawTracepoint = 1,
    Tracing = 2,
    Cgroup = 3,
    Iter = 4,
    Netns = 5,
    Xdp = 6,
    PerfEvent = 7,
    KprobeMulti = 8,
    StructOps = 9,
    Netfilter = 10,
    Tcx = 11,
    UprobeMulti = 12,
    Netkit = 13,
    Sockmap = 14,
};

// What a program is, as its section says: the libbpf section family it came from, with the ret / multi /
// session variants as kinds of their own (sleepable is a flag: Program::sleepable()). Several kinds share one
// ProgramType: kprobe, kretprobe, uprobe, uretprobe, usdt and ksyscall are all BPF_PROG_TYPE_KPROBE; fentry,
// fexit, fmod_ret, tp_btf and iter are all BPF_PROG_TYPE_TRACING. Typed program views check the kind.
// Unknown: a program without a known section (opened from a pin or an id, or prepared by hand).
enum class ProgramKind : std::uint8_t {
    Unknown,
    SocketFilter,    // socket
    SkReuseport,     // sk_reuseport, sk_reuseport/migrate
    Kprobe,          // kprobe/<function>[+offset]
    Kretprobe,       // kretprobe/<function>
    KprobeMulti,     // kprobe.multi/<pattern>
    KretprobeMulti,  // kretprobe.multi/<pattern>
    KprobeSession,   // kprobe.session/<pattern>
    Ksyscall,        // ksyscall/<syscall>
    Kretsyscall,     // kretsyscall/<syscall>
    Uprobe,          // uprobe[.s]/<binary>:<function>
    Uretprobe,       // uretprobe[.s]/<binary>:<function>
    UprobeMulti,     // uprobe.multi[.s]/<binary>:<pattern>
    UretprobeMulti,  // uretprobe.multi[.s]/<binary>:<pattern>
    UprobeSession,   // uprobe.session[.s]/<binary>:<pattern>
    Usdt,            // usdt[.s]/<binary>:<provider>:<name>
    Tracepoint,      // tp/<category>/<name>, tracepoint/...
    RawTracepoint,   // raw_tp/<name>, raw_tracepoint/...
    RawTracepointWritable,  // raw_tp.w/<name>
    TpBtf,           // tp_btf/<name>
    Fentry,          // fentry/<function>
    Fexit,           // fexit/<function>
    FmodRet,         // fmod_ret/<function>
    Fsession,        // fsession/<function>
    FentryMulti,     // fentry.multi/<pattern>
    FexitMulti,      // fexit.multi/<pattern>
    FsessionMulti,   // fsession.multi/<pattern>
    Freplace,        // freplace/<function of the target program>
    Lsm,             // lsm/<hook>
    LsmCgroup,       // lsm_cgroup/<hook>
    Iter,            // iter/<target>
    Syscall,         // syscall
    PerfEvent,       // perf_event
    Xdp,             // xdp, xdp.frags
    XdpDevmap,       // xdp/devmap
    XdpCpumap,       // xdp/cpumap
    Tc,              // tc, classifier (netlink cls_bpf, or TCX by the attach call)
    TcAction,        // action
    Tcx,             // tcx/ingress, tcx/egress, tc/ingress, tc/egress
    Netkit,          // netkit/primary, netkit/peer
    LwtIn,           // lwt_in
    LwtOut,          // lwt_out
    LwtXmit,         // lwt_xmit
    LwtSeg6local,    // lwt_seg6local
    SockOps,         // sockops
    SkSkb,           // sk_skb, sk_skb/stream_parser, sk_skb/stream_verdict, sk_skb/verdict
    SkMsg,           // sk_msg
    LircMode2,       // lirc_mode2
    FlowDissector,   // flow_dissector
    CgroupSkb,       // cgroup_skb/ingress, cgroup_skb/egress, cgroup/skb
    CgroupSock,      // cgroup/sock_create, sock_release, post_bind4/6, cgroup/sock
    CgroupSockAddr,  // cgroup/bind4, connect6, sendmsg_unix, ...
    CgroupSysctl,    // cgroup/sysctl
    CgroupSockopt,   // cgroup/getsockopt, cgroup/setsockopt
    CgroupDevice,    // cgroup/dev
    StructOps,       // struct_ops[.s]/<member>
    SkLookup,        // sk_lookup
    Netfilter,       // netfilter
};

// Lower-case kernel names without prefix: "cgroup_skb", "cgroup_inet_ingress", "hash", "perf_event" ...
// Unknown values give "unknown".
std::string_view to_string(ProgramType t) noexcept;
std::string_view to_string(AttachType t) noexcept;
std::string_view to_string(MapType t) noexcept;
std::string_view to_string(LinkType t) noexcept;
// The section family of a kind: "kprobe", "kretprobe.multi", "tp_btf", "cgroup_skb", ... ("unknown").
std::string_view to_string(ProgramKind k) noexcept;
std::optional<MapType> map_type_from_string(std::string_view name) noexcept;

}  // namespace ebpf
