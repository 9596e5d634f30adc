// SPDX-License-Identifier: MIT
// Tc: programs on the traffic-control hooks of a network interface (ingress, egress), on a TCX link (6.6) or as
// a cls_bpf filter in direct-action mode on the clsact qdisc (netlink, any kernel since 4.5).
#pragma once

#include <cstdint>
#include <vector>

#include <ebpf/programs/net.hpp>
#include <ebpf/programs/skb_test_run.hpp>
#include <ebpf/programs/view.hpp>

namespace ebpf {

enum class TcDirection : std::uint8_t { Ingress, Egress };

// How the program is attached. Auto: a TCX link where the kernel has them (probe link_supported(TcxIngress /
// TcxEgress), 6.6), else a netlink cls_bpf filter.
enum class TcMechanism : std::uint8_t { Auto, Tcx, Netlink };

struct TcAttachOptions {
    TcMechanism mechanism = TcMechanism::Auto;
    // TCX only: the position among the hook's programs, and the hook's revision the attach expects (0: any;
    // see query_tcx()). The netlink path refuses anything but the defaults.
    LinkOrder order{};
    std::uint64_t expected_revision = 0;
    // Netlink only: the filter's priority and handle (0: the kernel picks). TCX refuses non-zero values.
    std::uint16_t priority = 0;
    std::uint32_t handle = 0;
};

// Return codes of tc programs (TC_ACT_*; TCX's TCX_NEXT/PASS/DROP/REDIRECT are -1/0/2/7).
enum class TcVerdict : std::int32_t {
    Unspec = -1,  // TC_ACT_UNSPEC; TCX_NEXT: run the next program
    Ok = 0,       // TC_ACT_OK; TCX_PASS
    Reclassify = 1,
    Shot = 2,  // TC_ACT_SHOT; TCX_DROP
    Pipe = 3,
    Stolen = 4,
    Queued = 5,
    Repeat = 6,
    Redirect = 7,
};

// One program on a multi-program hook (BPF_PROG_QUERY of TCX or netkit, 6.6+), in the order they run.
struct AttachedProgram {
    std::uint32_t program_id = 0;
    std::uint32_t link_id = 0;  // 0 for programs attached without a link
};
struct HookPrograms {
    std::uint64_t revision = 0;  // for expected_revision
    std::vector<AttachedProgram> programs;
};

// A typed view of a BPF_PROG_TYPE_SCHED_CLS program (sections tc, classifier, tc/ingress, tc/egress,
// tcx/ingress, tcx/egress) or a BPF_PROG_TYPE_SCHED_ACT program (section action: test runs only; act_bpf actions
// are not attached by this library). It shares ownership of the Program (see ProgramView).
// The Link owns a TCX bpf_link, or the cls_bpf filter plus, when the attach created it, the clsact qdisc: the
// filter is removed while it still holds our program; the qdisc is removed with the last Link that uses it, and
// only if no other filter was added to it meanwhile. A clsact qdisc that existed before is never removed.
// Kernel: cls_bpf direct-action 4.5+; TCX 6.6+.
// Requires: CAP_NET_ADMIN and CAP_BPF (or CAP_SYS_ADMIN) to attach.
// Ownership: the view shares the Program; the Link owns the TCX bpf_link, or the netlink filter (with its own
//   netlink socket) and a share of the clsact qdisc it created.
// Thread safety: as ProgramView; attaching to one interface from several threads is safe (the process keeps
//   one count of Links per clsact qdisc it created, under a lock).
class Tc : public TypedProgramView<Tc> {
public:
    static constexpr const char* kName = "Tc";
    static constexpr ProgramType kType = ProgramType::SchedCls;
    static constexpr ProgramKind kKinds[] = {ProgramKind::Tc, ProgramKind::Tcx, ProgramKind::TcAction};

    // Attaches to the ingress or egress hook of a network interface.
    // Errors: NoDevice (no such interface, naming it), InvalidArgument (not loaded; an action program; options of
    //   the other mechanism; a relative program that is not loaded), NotFound (the relative program or link is not
    //   on this hook), Exists (the program is already on this TCX hook; a netlink filter with this priority and
    //   handle exists), Busy (the hook's revision is not options.expected_revision: errno ESTALE), NotSupported
    //   (TcMechanism::Tcx before 6.6; no clsact qdisc or cls_bpf in the kernel), and the kernel's refusal with its
    //   extended-ack message.
    Result<Link> attach(const NetInterface& interface, TcDirection direction, const TcAttachOptions& options = {}) const;
    // Attaches in the direction its section names (tc/ingress, tcx/egress, ...).
    // Errors: InvalidArgument when the section names none (tc, classifier); as above.
    Result<Link> attach(const NetInterface& interface, const TcAttachOptions& options = {}) const;

    // Runs the program on `packet` (an Ethernet frame); retval is a TcVerdict. See test_run_skb().
    Result<SkbTestResult> test_run(std::span<const std::byte> packet, const SkbTestRunOptions& options = {}) const;

private:
    friend class TypedProgramView<Tc>;
    using TypedProgramView::TypedProgramView;
};

// The programs on an interface's TCX hook, in the order they run (BPF_PROG_QUERY, 6.6+).
// Errors: NoDevice, NotSupported (no TCX), Permission.
Result<HookPrograms> query_tcx(const NetInterface& interface, TcDirection direction);

}  // namespace ebpf
