// SPDX-License-Identifier: MIT
// Netkit: programs on a netkit device pair (6.7), the BPF-programmable veth replacement for containers: one hook
// for the primary device (in the host namespace) and one for its peer (in the container), both reached through
// the primary.
#pragma once

#include <cstdint>

#include <ebpf/programs/net.hpp>
#include <ebpf/programs/tc.hpp>
#include <ebpf/programs/view.hpp>

namespace ebpf {

// Which side's traffic the program sees: what the primary device transmits (Primary), or what the peer transmits
// (Peer). Both are attached through the primary device.
enum class NetkitAttachType : std::uint8_t { Primary, Peer };

struct NetkitAttachOptions {
    LinkOrder order{};                     // the position among the hook's programs (default: last)
    std::uint64_t expected_revision = 0;   // attach only at this revision of the hook (0: any; query_netkit())
};

// A typed view of a BPF_PROG_TYPE_SCHED_CLS program for netkit (sections netkit/primary, netkit/peer; tc and tcx
// programs are accepted too: they share the type and return codes). It shares ownership of the Program.
// Programs return TcVerdict values (NETKIT_NEXT -1, PASS 0, DROP 2, REDIRECT 7).
// Kernel: 6.7+ with CONFIG_NETKIT (probe link_supported(AttachType::NetkitPrimary)); the Link owns a bpf_link.
// Requires: CAP_NET_ADMIN and CAP_BPF (or CAP_SYS_ADMIN) to attach.
// Ownership: the view shares the Program; the Link owns the bpf_link.
// Thread safety: as ProgramView.
class Netkit : public TypedProgramView<Netkit> {
public:
    static constexpr const char* kName = "Netkit";
    static constexpr ProgramType kType = ProgramType::SchedCls;
    static constexpr ProgramKind kKinds[] = {ProgramKind::Netkit, ProgramKind::Tcx, ProgramKind::Tc};

    // Attaches to the netkit pair whose primary device is `primary`.
    // Errors: NoDevice (no such interface; it is not a netkit device), InvalidArgument (not loaded; `primary` is
    //   the peer of its pair), NotFound (the relative program or link is not on this hook), Exists (already
    //   attached there), Busy (stale expected_revision), NotSupported (no netkit in this kernel).
    Result<Link> attach(const NetInterface& primary, NetkitAttachType type, const NetkitAttachOptions& options = {}) const;
    // Attaches to the side its section names (netkit/primary, netkit/peer).
    // Errors: InvalidArgument when the section names none; as above.
    Result<Link> attach(const NetInterface& primary, const NetkitAttachOptions& options = {}) const;

    // Runs the program on `packet` (an Ethernet frame); see test_run_skb().
    Result<SkbTestResult> test_run(std::span<const std::byte> packet, const SkbTestRunOptions& options = {}) const;

private:
    friend class TypedProgramView<Netkit>;
    using TypedProgramView::TypedProgramView;
};

// The programs on one hook of a netkit pair, in the order they run (BPF_PROG_QUERY).
// Errors: NoDevice, NotSupported, Permission.
Result<HookPrograms> query_netkit(const NetInterface& primary, NetkitAttachType type);

}  // namespace ebpf
