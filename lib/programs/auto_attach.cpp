// SPDX-License-Identifier: MIT
// The auto-attach table: one row per program kind that can attach from its section alone (or with the target
// the options give). A new program type adds a row here.
#include <ebpf/programs/auto_attach.hpp>
#include <ebpf/programs/cgroup.hpp>
#include <ebpf/programs/freplace.hpp>
#include <ebpf/programs/iter.hpp>
#include <ebpf/programs/kprobe.hpp>
#include <ebpf/programs/kprobe_multi.hpp>
#include <ebpf/programs/ksyscall.hpp>
#include <ebpf/programs/lsm.hpp>
#include <ebpf/programs/raw_tracepoint.hpp>
#include <ebpf/programs/tp_btf.hpp>
#include <ebpf/programs/tracepoint.hpp>
#include <ebpf/programs/tracing.hpp>
#include <ebpf/programs/flow_dissector.hpp>
#include <ebpf/programs/netkit.hpp>
#include <ebpf/programs/sk_lookup.hpp>
#include <ebpf/programs/tc.hpp>
#include <ebpf/programs/xdp.hpp>
#include <ebpf/programs/uprobe.hpp>
#include <ebpf/programs/usdt.hpp>

#include <algorithm>
#include <iterator>

#include "base/format.hpp"
#include "base/try.hpp"

namespace ebpf {

using detail::format;

namespace {

using AttachFn = Result<Link> (*)(const Program&, const AutoAttachOptions&);
using BlockerFn = std::optional<std::string> (*)(const Program&, const AutoAttachOptions&);

std::optional<std::string> needs_target(const Program& p, const AutoAttachOptions&) {
    if (!p.attach_target().empty()) return std::nullopt;
    return format("its section '%s' names no target", p.section().c_str());
}

std::optional<std::string> needs_cgroup(const Program& p, const AutoAttachOptions& o) {
    if (o.cgroup.empty()) return std::string("it needs a cgroup (AutoAttachOptions::cgroup, ebpf-tool --cgroup)");
    if (!p.expected_attach_type())
        return format("its section '%s' does not say which cgroup hook", p.section().c_str());
    return std::nullopt;
}

template <class View>
Result<View> view_of(const Program& p) {
    return View::from(p);
}

Result<Link> raw_tp(const Program& p, const AutoAttachOptions&) {
    EBPF_TRY_ASSIGN(const RawTracepoint v, view_of<RawTracepoint>(p));
    return v.attach();
}

Result<Link> tracepoint(const Program& p, const AutoAttachOptions&) {
    EBPF_TRY_ASSIGN(const Tracepoint v, view_of<Tracepoint>(p));
    return v.attach();
}

Result<Link> freplace(const Program& p, const AutoAttachOptions&) {
    EBPF_TRY_ASSIGN(const Freplace v, view_of<Freplace>(p));
    return v.attach();
}

// BTF-attached kinds (fentry, fexit, fmod_ret, tp_btf, lsm, iter) attach to the target they were loaded for: the
// section's, or one set with set_attach_target() (a kernel function or a BPF program's).
std::optional<std::string> needs_btf_target(const Program& p, const AutoAttachOptions&) {
    if (!p.attach_target().empty() || p.def().attach_btf_id != 0) return std::nullopt;
    return format("its section '%s' names no target, and none was set before load", p.section().c_str());
}

std::optional<std::string> never_perf_event(const Program&, const AutoAttachOptions&) {
    return std::string("perf_event programs sample an event that the section cannot name (which counter, how often, "
                       "which CPUs or process); use PerfEvent::attach(source, options)");
}

std::optional<std::string> never_syscall(const Program&, const AutoAttachOptions&) {
    return std::string("syscall programs attach to nothing: they are run on request with Syscall::run(context)");
}

template <class View>
Result<Link> attach_by_section(const Program& p, const AutoAttachOptions&) {
    EBPF_TRY_ASSIGN(const View v, view_of<View>(p));
    return v.attach();
}

Result<Link> cgroup(const Program& p, const AutoAttachOptions& o) {
    return attach_cgroup(p, o.cgroup.c_str(), *p.expected_attach_type());
}

// Cgroup hooks, sockets, routes, devices and struct_ops (docs/cgroups.md, sockets.md, struct-ops.md).
std::optional<std::string> never_struct_ops(const Program&, const AutoAttachOptions&) {
    return std::string("struct_ops programs are registered through their struct_ops variable's map: "
                       "Object::struct_ops(\"<variable>\").attach(), or Object::attach_struct_ops() for all of them");
}
std::optional<std::string> never_sockmap(const Program& p, const AutoAttachOptions&) {
    return format("%.*s programs attach to a sockmap or sockhash that sections cannot name; use %s::attach(map.fd())",
                  EBPF_SV(to_string(p.kind())), p.kind() == ProgramKind::SkMsg ? "SkMsg" : "SkSkb");
}
std::optional<std::string> never_socket(const Program& p, const AutoAttachOptions&) {
    return format("%.*s programs attach to a socket; use %s::attach(socket_fd)", EBPF_SV(to_string(p.kind())),
                  p.kind() == ProgramKind::SocketFilter ? "SocketFilter" : "SkReuseport");
}
std::optional<std::string> never_route(const Program& p, const AutoAttachOptions&) {
    return format("%.*s programs ride on a route that sections cannot name; use attach_lwt(route, programs) or the "
                  "view's attach(route)",
                  EBPF_SV(to_string(p.kind())));
}
std::optional<std::string> never_lirc(const Program&, const AutoAttachOptions&) {
    return std::string("lirc_mode2 programs attach to a lirc device; use LircMode2::attach(\"/dev/lirc0\")");
}

std::optional<std::string> needs_interface(const Program&, const AutoAttachOptions& o) {
    if (o.interface.empty())
        return std::string("it needs a network interface (AutoAttachOptions::interface)");
    return std::nullopt;
}

std::optional<std::string> needs_interface_and_direction(const Program& p, const AutoAttachOptions& o) {
    if (auto why = needs_interface(p, o)) return why;
    if (p.expected_attach_type() != AttachType::TcxIngress && p.expected_attach_type() != AttachType::TcxEgress)
        return format("its section '%s' does not say ingress or egress (use tcx/ingress, tcx/egress; or Tc::attach "
                      "with a TcDirection)",
                      p.section().c_str());
    return std::nullopt;
}

std::optional<std::string> needs_netkit_side(const Program& p, const AutoAttachOptions& o) {
    if (o.interface.empty())
        return std::string("it needs the primary device of a netkit pair (AutoAttachOptions::interface)");
    if (p.expected_attach_type() != AttachType::NetkitPrimary && p.expected_attach_type() != AttachType::NetkitPeer)
        return format("its section '%s' does not say primary or peer", p.section().c_str());
    return std::nullopt;
}

std::optional<std::string> current_netns(const Program&, const AutoAttachOptions&) { return std::nullopt; }

// Rows whose kind is never attached automatically, with why (their attach is never called).
std::optional<std::string> devmap_entry(const Program& p, const AutoAttachOptions&) {
    return format("%.*s programs run from a devmap or cpumap entry (DevMap::set / CpuMap::set); "
                  "they are never attached",
                  EBPF_SV(to_string(p.kind())));
}
std::optional<std::string> netfilter_hook(const Program&, const AutoAttachOptions&) {
    return std::string("netfilter programs need a protocol family, hook and priority that sections do not name; use "
                       "Netfilter::attach(family, hook, priority)");
}
std::optional<std::string> tc_action(const Program&, const AutoAttachOptions&) {
    return std::string("tc action programs (act_bpf) are not attached by this library; Tc::test_run() runs them");
}

Result<Link> xdp(const Program& p, const AutoAttachOptions& o) {
    EBPF_TRY_ASSIGN(const Xdp v, view_of<Xdp>(p));
    return v.attach(o.interface);
}

Result<Link> tc(const Program& p, const AutoAttachOptions& o) {
    EBPF_TRY_ASSIGN(const Tc v, view_of<Tc>(p));
    return v.attach(o.interface);
}

Result<Link> netkit(const Program& p, const AutoAttachOptions& o) {
    EBPF_TRY_ASSIGN(const Netkit v, view_of<Netkit>(p));
    return v.attach(o.interface);
}

// Namespace hooks attach to the calling thread's network namespace.
Result<Link> flow_dissector(const Program& p, const AutoAttachOptions&) {
    EBPF_TRY_ASSIGN(const FlowDissector v, view_of<FlowDissector>(p));
    return v.attach();
}

Result<Link> sk_lookup(const Program& p, const AutoAttachOptions&) {
    EBPF_TRY_ASSIGN(const SkLookup v, view_of<SkLookup>(p));
    return v.attach();
}

Result<Link> uprobe(const Program& p, const AutoAttachOptions&) {
    EBPF_TRY_ASSIGN(const UProbe v, view_of<UProbe>(p));
    return v.attach();
}

Result<Link> uprobe_multi(const Program& p, const AutoAttachOptions&) {
    EBPF_TRY_ASSIGN(const UProbeMulti v, view_of<UProbeMulti>(p));
    return v.attach();
}

Result<Link> usdt(const Program& p, const AutoAttachOptions&) {
    EBPF_TRY_ASSIGN(const Usdt v, view_of<Usdt>(p));
    return v.attach();
}

struct Row {
    ProgramKind kind;
    BlockerFn blocker;
    AttachFn attach;
};

constexpr Row kRows[] = {
    {ProgramKind::Tracepoint, needs_target, tracepoint},
    {ProgramKind::RawTracepoint, needs_target, raw_tp},
    {ProgramKind::RawTracepointWritable, needs_target, raw_tp},
    {ProgramKind::Freplace, needs_target, freplace},
    {ProgramKind::CgroupSkb, needs_cgroup, cgroup},
    {ProgramKind::CgroupSock, needs_cgroup, cgroup},
    {ProgramKind::CgroupSockAddr, needs_cgroup, cgroup},
    {ProgramKind::CgroupSysctl, needs_cgroup, cgroup},
    {ProgramKind::CgroupSockopt, needs_cgroup, cgroup},
    {ProgramKind::CgroupDevice, needs_cgroup, cgroup},
    {ProgramKind::Kprobe, needs_target, attach_by_section<KProbe>},
    {ProgramKind::Kretprobe, needs_target, attach_by_section<KProbe>},
    {ProgramKind::Ksyscall, needs_target, attach_by_section<KSyscall>},
    {ProgramKind::Kretsyscall, needs_target, attach_by_section<KSyscall>},
    {ProgramKind::KprobeMulti, needs_target, attach_by_section<KProbeMulti>},
    {ProgramKind::KretprobeMulti, needs_target, attach_by_section<KProbeMulti>},
    {ProgramKind::KprobeSession, needs_target, attach_by_section<KProbeMulti>},
    {ProgramKind::TpBtf, needs_btf_target, attach_by_section<BtfTracepoint>},
    {ProgramKind::Fentry, needs_btf_target, attach_by_section<Tracing>},
    {ProgramKind::Fexit, needs_btf_target, attach_by_section<Tracing>},
    {ProgramKind::FmodRet, needs_btf_target, attach_by_section<Tracing>},
    {ProgramKind::Lsm, needs_btf_target, attach_by_section<Lsm>},
    {ProgramKind::LsmCgroup, needs_cgroup, cgroup},
    {ProgramKind::Iter, needs_btf_target, attach_by_section<Iter>},
    // Never attached automatically (attach is null): the blocker says why and what to call instead.
    {ProgramKind::PerfEvent, never_perf_event, nullptr},
    {ProgramKind::Syscall, never_syscall, nullptr},
    // Cgroup hooks, sockets, routes, devices and struct_ops.
    {ProgramKind::SockOps, needs_cgroup, cgroup},
    {ProgramKind::StructOps, never_struct_ops, nullptr},
    {ProgramKind::SkMsg, never_sockmap, nullptr},
    {ProgramKind::SkSkb, never_sockmap, nullptr},
    {ProgramKind::SocketFilter, never_socket, nullptr},
    {ProgramKind::SkReuseport, never_socket, nullptr},
    {ProgramKind::LwtIn, never_route, nullptr},
    {ProgramKind::LwtOut, never_route, nullptr},
    {ProgramKind::LwtXmit, never_route, nullptr},
    {ProgramKind::LwtSeg6local, never_route, nullptr},
    {ProgramKind::LircMode2, never_lirc, nullptr},

    {ProgramKind::Xdp, needs_interface, xdp},
    {ProgramKind::XdpDevmap, devmap_entry, nullptr},
    {ProgramKind::XdpCpumap, devmap_entry, nullptr},
    {ProgramKind::Tcx, needs_interface_and_direction, tc},
    {ProgramKind::Tc, needs_interface_and_direction, tc},
    {ProgramKind::TcAction, tc_action, nullptr},
    {ProgramKind::Netkit, needs_netkit_side, netkit},
    {ProgramKind::Netfilter, netfilter_hook, nullptr},
    {ProgramKind::FlowDissector, current_netns, flow_dissector},
    {ProgramKind::SkLookup, current_netns, sk_lookup},
    {ProgramKind::Uprobe, needs_target, uprobe},
    {ProgramKind::Uretprobe, needs_target, uprobe},
    {ProgramKind::UprobeMulti, needs_target, uprobe_multi},
    {ProgramKind::UretprobeMulti, needs_target, uprobe_multi},
    {ProgramKind::UprobeSession, needs_target, uprobe_multi},
    {ProgramKind::Usdt, needs_target, usdt},
};

const Row* row_of(ProgramKind k) {
    const auto* it = std::find_if(std::begin(kRows), std::end(kRows), [&](const Row& r) { return r.kind == k; });
    return it == std::end(kRows) ? nullptr : it;
}

}  // namespace

std::optional<std::string> auto_attach_blocker(const Program& p, const AutoAttachOptions& o) {
    const Row* row = row_of(p.kind());
    if (!row)
        return format("%.*s programs are not attached automatically; use the typed view's attach()",
                      EBPF_SV(to_string(p.kind())));
    return row->blocker(p, o);
}

Result<Link> auto_attach(const Program& p, const AutoAttachOptions& o) {
    const std::string what = format("auto-attach program '%s' (section '%s')", p.name().c_str(), p.section().c_str());
    const Row* row = row_of(p.kind());
    if (!row || !row->attach)
        return Error(Errc::NotSupported, what + ": " + *auto_attach_blocker(p, o));
    // A row without an attach function names a kind that is never attached automatically.
    if (!row->attach) return Error(Errc::NotSupported, what + ": " + *row->blocker(p, o));
    if (auto why = row->blocker(p, o)) return Error(Errc::InvalidArgument, what + ": " + *why);
    return row->attach(p, o);
}

}  // namespace ebpf
