// SPDX-License-Identifier: MIT
// Attach mechanisms, by fd: what the typed program views (lib/programs) build their attach calls on. Each
// returns a Link that owns everything the attachment needs; each fallback is chosen by a cached probe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <string>
#include <vector>

#include <ebpf/link.hpp>

namespace ebpf::detail {

// A program (fd) on a cgroup v2 directory (fd): a bpf_link where the kernel has cgroup links (5.7+, probed),
// else BPF_PROG_ATTACH with `prog_attach_flags` (BPF_F_ALLOW_OVERRIDE / BPF_F_ALLOW_MULTI).
// `what` describes the attachment for errors and Link::description().
Result<Link> attach_cgroup(FdRef prog, FdRef cgroup, AttachType type, std::uint32_t prog_attach_flags,
                           std::string what);

// A raw tracepoint program on tracepoint `name` (BPF_RAW_TRACEPOINT_OPEN, 4.17+; a bpf_link since 5.8; a cookie
// needs 6.10).
Result<Link> attach_raw_tracepoint(FdRef prog, const std::string& name, std::uint64_t cookie, std::string what);

// A program (fd) on a perf event (kprobe/uprobe/tracepoint PMU event, software or hardware counter): a bpf_link
// over the event where the kernel has perf_event links (5.15+, probed; needed for a cookie), else
// PERF_EVENT_IOC_SET_BPF. The event is enabled once the program is on it. The Link owns the event and, after it,
// `extra` resources (e.g. the tracefs probe entry the event was opened on), undone after the event is closed.
Result<Link> attach_perf_event(FdRef prog, UniqueFd event, std::uint64_t cookie, std::string what,
                               std::vector<std::unique_ptr<LinkResource>> extra = {});

// --- Tracing (lib/links/kprobe.cpp, kprobe_multi.cpp, tracing.cpp, iter.cpp) ---

// Where a kprobe goes: a function ("do_unlinkat", or "module:function") plus an offset, or an absolute address.
struct KprobeTarget {
    std::string function;       // empty: `address`
    std::uint64_t offset = 0;   // from the function
    std::uint64_t address = 0;  // with no function
    bool retprobe = false;
    unsigned maxactive = 0;     // kretprobe instances (tracefs only: the PMU has no such parameter)
    std::uint64_t cookie = 0;   // bpf_get_attach_cookie(): needs perf_event links (5.15)
};
// A kprobe program on a kprobe perf event: from the kprobe PMU (4.17+, probed: Feature::KprobePmu), else from a
// tracefs kprobe_events entry that the Link owns (removed after the event is closed). A maxactive asks for
// tracefs (the PMU cannot take one). The program goes on the event as attach_perf_event() does.
// Errors: NotFound naming the function (or module) when /proc/kallsyms has no such symbol; the kernel's refusal.
Result<Link> attach_kprobe(FdRef prog, const KprobeTarget& target, std::string what);

// The kernel function a system call enters through: __<arch>_sys_<name> where the kernel has syscall wrappers
// (Feature::SyscallWrapper, x86_64 4.17+, arm64 4.19+, ...), else __se_sys_<name> or sys_<name> (whichever
// /proc/kallsyms lists; __se_sys_ when it cannot be read).
// Errors: NotSupported on an architecture whose wrapper prefix we do not know; the probe's error.
Result<std::string> syscall_function(std::string_view syscall);

// A kprobe.multi / kretprobe.multi (type TraceKprobeMulti; 5.18) or kprobe.session (TraceKprobeSession; 6.10)
// link over functions given by name or by address (one of the two), with optional cookies (one per function).
// Errors: NotSupported (probe link:<type> = false: no such link, or no CONFIG_FPROBE), InvalidArgument (counts),
// the kernel's refusal (ESRCH/ENOENT: a function ftrace cannot find).
Result<Link> attach_kprobe_multi(FdRef prog, AttachType type, bool retprobe, std::span<const std::string> symbols,
                                 std::span<const std::uint64_t> addresses, std::span<const std::uint64_t> cookies,
                                 std::string what);

// A BTF-attached program (fentry, fexit, fmod_ret, lsm, tp_btf: `type` is its expected attach type) on the target
// it was loaded for: BPF_LINK_CREATE where the kernel attaches these types with it (5.19+, probed:
// link_supported(type)), else BPF_RAW_TRACEPOINT_OPEN with no name (5.5+). A cookie needs the first path (and
// for tp_btf, Feature::RawTpCookie, 6.10).
Result<Link> attach_tracing(FdRef prog, AttachType type, std::uint64_t cookie, std::string what);

// An iterator link (BPF_LINK_CREATE with BPF_TRACE_ITER, 5.8+), with its union bpf_iter_link_info (empty: none).
Result<Link> attach_iter(FdRef prog, std::span<const std::byte> link_info, std::string what);

// --- Cgroups: modes, order and queries (lib/links/cgroup.cpp) ---

// How a program goes on a cgroup hook. A bpf_link always runs with BPF_F_ALLOW_MULTI: another mode, or a program
// to replace (BPF_F_REPLACE), takes BPF_PROG_ATTACH on every kernel.
struct CgroupAttachRequest {
    std::uint32_t mode_flags = 2;       // BPF_F_ALLOW_MULTI (2), BPF_F_ALLOW_OVERRIDE (1) or 0
    std::uint32_t order_flags = 0;      // BPF_F_BEFORE / BPF_F_AFTER / BPF_F_ID / BPF_F_LINK / BPF_F_PREORDER
    std::uint32_t relative = 0;         // fd or id, as order_flags say
    std::uint64_t expected_revision = 0;
    int replace_fd = -1;                // BPF_PROG_ATTACH with BPF_F_REPLACE
};
Result<Link> attach_cgroup(FdRef prog, FdRef cgroup, AttachType type, const CgroupAttachRequest& request,
                           std::string what);

// BPF_PROG_QUERY of a cgroup hook: the hook's flags, revision (6.17+, else 0) and programs with their own flags
// (6.0+, else 0). `effective` asks for BPF_F_QUERY_EFFECTIVE.
struct CgroupQueryAnswer {
    std::uint32_t attach_flags = 0;
    std::uint64_t revision = 0;
    std::vector<std::uint32_t> prog_ids, prog_flags;
};
Result<CgroupQueryAnswer> query_cgroup_hook(FdRef cgroup, AttachType type, bool effective);

// --- Sockets (lib/links/sockmap.cpp, socket.cpp) ---

// A sk_msg or sk_skb program (`type`: SkMsgVerdict, SkSkbStreamParser, SkSkbStreamVerdict, SkSkbVerdict) on a
// sockmap or sockhash (fd): a sockmap bpf_link where the kernel has them (6.10, probed: link_supported(type)), else
// BPF_PROG_ATTACH with the map as the target, undone with BPF_PROG_DETACH (which leaves a program that replaced
// ours alone: the kernel detaches only the program it is given).
Result<Link> attach_sockmap(FdRef prog, FdRef map, AttachType type, std::string what);

// Programs that go on a socket with setsockopt(2).
enum class SocketHook : std::uint8_t {
    Filter,     // SO_ATTACH_BPF / SO_DETACH_BPF (3.19): a socket filter
    Reuseport,  // SO_ATTACH_REUSEPORT_EBPF (4.6) / SO_DETACH_REUSEPORT_BPF (5.3): the socket's reuseport group
};
// Attaches through a duplicate of `socket` that the Link keeps (the socket stays open while the Link lives) and
// detaches through it. Errors: InvalidArgument (not a socket; SO_REUSEPORT not set, for Reuseport),
// the kernel's refusal.
Result<Link> attach_socket(FdRef prog, FdRef socket, SocketHook hook, std::string what);

// --- Routes and devices (lib/links/lwt.cpp, lirc.cpp) ---

// A route whose encapsulation runs lwt programs: LWTUNNEL_ENCAP_BPF with in/out/xmit programs, or seg6local End.BPF
// (seg6local_fd). Programs absent have fd -1; each present one needs its name (LWT_BPF_PROG_NAME).
struct LwtRouteRequest {
    int family = 0;                     // AF_INET or AF_INET6
    std::uint8_t destination[16] = {};  // network byte order
    std::uint8_t prefix_len = 0;
    bool has_gateway = false;
    std::uint8_t gateway[16] = {};
    std::string interface;              // output device, in the calling thread's network namespace
    std::uint32_t table = 254, metric = 0;
    int in_fd = -1, out_fd = -1, xmit_fd = -1, seg6local_fd = -1;
    std::string in_name, out_name, xmit_name, seg6local_name;
    std::uint32_t xmit_headroom = 0;
};
// Creates the route (NLM_F_EXCL) over a netlink socket of the calling thread's namespace, which the Link keeps: it
// deletes the route when destroyed, if the route still carries the programs named in the request (a route gone or
// replaced by someone else is left alone).
Result<Link> attach_lwt_route(const LwtRouteRequest& request, std::string what);

// A lirc_mode2 program on a lirc device (BPF_PROG_ATTACH; 4.18, CONFIG_BPF_LIRC_MODE2), detached with
// BPF_PROG_DETACH. Errors: InvalidArgument when the kernel says EINVAL for the device (not a lirc device).
Result<Link> attach_lirc(FdRef prog, FdRef device, std::string what);

// --- struct_ops (lib/links/struct_ops.cpp) ---

// Registers a struct_ops map whose value (key 0) is `value`: for a map made with BPF_F_LINK (`link`, 6.4), writes
// the value unless the map holds it already (a link map's value is written once, then registered any number of
// times) and creates a struct_ops bpf_link (BPF_LINK_CREATE with the map fd); otherwise the write itself registers
// it, and the Link deletes the element to unregister (it keeps a duplicate of the map fd for that).
Result<Link> attach_struct_ops(FdRef map, std::span<const std::byte> value, bool link, std::string what);
// Points the struct_ops bpf_link `link` at `map` (a BPF_F_LINK map, its value written here if it is not yet).
Result<void> update_struct_ops_link(FdRef link, FdRef map, std::span<const std::byte> value, std::string what);

// ---- Networking (xdp.cpp, tc.cpp, tcx.cpp, tc_netlink.cpp, netfilter.cpp, netns.cpp). Interfaces are ifindexes
// of the calling thread's network namespace; `ifname` names one in errors and descriptions. Netlink attachments
// keep their netlink socket (of that namespace), so the Link undoes them wherever it is destroyed.

// XDP on interface `ifindex` with XDP_FLAGS_*_MODE `mode_flags` (0: the kernel's choice): a bpf_link where the
// kernel has XDP links (5.9+, probed) and no `replace` program is given; else netlink IFLA_XDP, with
// XDP_FLAGS_UPDATE_IF_NOEXIST, or XDP_FLAGS_REPLACE and IFLA_XDP_EXPECTED_FD when `replace` is valid.
// A program already attached gives Errc::Busy naming the interface and the attached program's id.
Result<Link> attach_xdp(FdRef prog, int ifindex, const std::string& ifname, std::uint32_t mode_flags, FdRef replace,
                        std::string what);

// One program of a multi-program hook (BPF_F_BEFORE/AFTER/ID/LINK in `flags` with `relative`, 6.6+).
struct MultiProgPosition {
    std::uint32_t flags = 0;
    std::uint32_t relative = 0;  // fd or id, as flags say
    std::uint64_t expected_revision = 0;
};
// A TCX (AttachType::TcxIngress/TcxEgress, 6.6) or netkit (NetkitPrimary/NetkitPeer, 6.7) bpf_link.
Result<Link> attach_multiprog(FdRef prog, int ifindex, const std::string& ifname, AttachType type,
                              const MultiProgPosition& position, std::string what);
// NotSupported unless the kernel has netkit links (6.7 with CONFIG_NETKIT; probe link_supported(type)).
Result<void> require_netkit(AttachType type);
// The programs (and their links) of a multi-program hook, in order, and its revision (BPF_PROG_QUERY).
struct MultiProgQuery {
    std::uint64_t revision = 0;
    std::vector<std::uint32_t> prog_ids, link_ids;
};
Result<MultiProgQuery> query_multiprog(int ifindex, const std::string& ifname, AttachType type);

// tc: how attach_tc() attaches (Auto: TCX where link_supported(TcxIngress/TcxEgress), else netlink).
enum class TcPath : std::uint8_t { Auto, Tcx, Netlink };
struct TcRequest {
    TcPath path = TcPath::Auto;
    MultiProgPosition position;                 // TCX
    std::uint16_t priority = 0;                 // netlink cls_bpf filter (0: the kernel picks)
    std::uint32_t handle = 0;
    std::string filter_name;                    // TCA_BPF_NAME
};
// A sched_cls program on the ingress (TcxIngress) or egress (TcxEgress) hook: a TCX link, or a cls_bpf filter in
// direct-action mode on the clsact qdisc, which is created when absent (and removed with the last Link using it,
// if no other filter was added to it); a qdisc that was there before is left alone.
Result<Link> attach_tc(FdRef prog, int ifindex, const std::string& ifname, AttachType direction,
                       const TcRequest& request, std::string what);
// The netlink half of attach_tc() (tc_netlink.cpp), whatever the kernel has.
Result<Link> attach_cls_bpf(FdRef prog, int ifindex, const std::string& ifname, AttachType direction,
                            const TcRequest& request, std::string what);

// A netfilter hook (6.4): NFPROTO_* `pf`, NF_INET_* `hooknum`, `priority`, BPF_F_NETFILTER_* `flags`.
Result<Link> attach_netfilter(FdRef prog, std::uint32_t pf, std::uint32_t hooknum, std::int32_t priority,
                              std::uint32_t flags, std::string what);

// A network namespace hook (FlowDissector, SkLookup) of the namespace open as `netns`: a netns bpf_link (5.8+,
// probed); flow dissectors fall back to BPF_PROG_ATTACH from inside the namespace (4.20 .. 5.7).
Result<Link> attach_netns(FdRef prog, FdRef netns, AttachType type, std::string what);

}  // namespace ebpf::detail
