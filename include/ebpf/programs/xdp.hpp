// SPDX-License-Identifier: MIT
// Xdp: programs that see every frame a network interface receives, before the kernel allocates anything for it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <ebpf/programs/net.hpp>
#include <ebpf/programs/view.hpp>

namespace ebpf {

// Where the program runs. Default lets the kernel choose: native when the driver has XDP, generic otherwise.
enum class XdpMode : std::uint8_t {
    Default,
    Generic,  // XDP_FLAGS_SKB_MODE: in the network stack, for any interface (slower)
    Native,   // XDP_FLAGS_DRV_MODE: in the driver (EOPNOTSUPP from drivers without XDP)
    Offload,  // XDP_FLAGS_HW_MODE: on the NIC; the program must be loaded for the device (bind_device)
};

struct XdpAttachOptions {
    XdpMode mode = XdpMode::Default;
    // Atomically replaces this program, which must be the one attached in this mode now (netlink
    // XDP_FLAGS_REPLACE with IFLA_XDP_EXPECTED_FD, 5.7+). Programs attached with a bpf_link cannot be taken over
    // this way: swap those with Link::update(). A replace always takes the netlink path; the Link then removes
    // the new program on destruction and does not bring the old one back.
    const Program* replace = nullptr;
};

// XDP verdicts (enum xdp_action).
enum class XdpAction : std::uint32_t { Aborted = 0, Drop = 1, Pass = 2, Tx = 3, Redirect = 4 };

struct XdpTestRunOptions {
    // Bytes placed before the packet as XDP metadata (bpf_xdp_adjust_meta()); at most 32, a multiple of 4.
    std::span<const std::byte> metadata{};
    // The xdp_md the program sees (5.15+; zero sends no context, so older kernels accept the run).
    std::uint32_t ingress_ifindex = 0;  // an interface of the calling thread's network namespace
    std::uint32_t rx_queue_index = 0;   // needs ingress_ifindex
    // Runs; 0 and 1 both run once; duration_ns is the average. The kernel does not reset the frame between
    // runs: what a program changes (adjust_head/tail, writes) accumulates, and the result is the last run's.
    std::uint32_t repeat = 0;
};

struct XdpTestResult {
    XdpAction action = XdpAction::Aborted;
    std::vector<std::byte> packet;    // the frame as the program left it (bpf_xdp_adjust_head/tail included)
    std::vector<std::byte> metadata;  // the metadata as the program left it (when any was given or made)
    std::uint32_t duration_ns = 0;
};

struct XdpDeviceBinding {
    bool offload = false;  // false: dev-bound (BPF_F_XDP_DEV_BOUND_ONLY); true: offloaded to the NIC
};

// A typed view of a BPF_PROG_TYPE_XDP program (sections xdp, xdp.frags, and the devmap/cpumap entry programs
// xdp/devmap, xdp/cpumap, xdp.frags/devmap, xdp.frags/cpumap). It shares ownership of the Program (see
// ProgramView). xdp/devmap and xdp/cpumap programs are loaded with their expected attach type and put into map
// slots (DevMap::set / CpuMap::set, <ebpf/maps/xdp_maps.hpp>); they are never attached to an interface.
// Kernel: XDP 4.8+; bpf_link attachment 5.9+ (older kernels use netlink IFLA_XDP, chosen by the probe
//   link_supported(AttachType::Xdp)); devmap/cpumap entry programs 5.8/5.9; frags 5.18; dev-bound 6.3.
// Requires: CAP_NET_ADMIN and CAP_BPF (or CAP_SYS_ADMIN) to attach.
// Ownership: the view shares the Program; the Link owns the attachment (a bpf_link, or the netlink attachment
//   with its own netlink socket and a reference to the program) and removes it when destroyed.
// Thread safety: as ProgramView.
class Xdp : public TypedProgramView<Xdp> {
public:
    static constexpr const char* kName = "Xdp";
    static constexpr ProgramType kType = ProgramType::Xdp;
    static constexpr ProgramKind kKinds[] = {ProgramKind::Xdp, ProgramKind::XdpDevmap, ProgramKind::XdpCpumap};

    // Attaches to a network interface. The Link detaches on destruction: a bpf_link is closed; a netlink
    // attachment is removed only while our program is still the one attached (another program attached since
    // then is left alone).
    // Errors: NoDevice (no such interface, naming it), Busy (the interface already has an XDP program: the error
    //   names the interface and the attached program's id; pass `replace` to swap it), NotSupported (a mode the
    //   driver lacks, offload without a device-bound program), InvalidArgument (not loaded; a devmap/cpumap
    //   program; a replace target that is not loaded), the kernel's refusal with its extended-ack message.
    Result<Link> attach(const NetInterface& interface, const XdpAttachOptions& options = {}) const;

    // Loads the program for one device (prog_ifindex) before load(): dev-bound programs (6.3+) may call the
    // device's metadata kfuncs and attach only to that device; with `offload` the NIC runs the program.
    // Errors: NoDevice, InvalidArgument (already loaded).
    Result<void> bind_device(const NetInterface& interface, const XdpDeviceBinding& binding = {});

    // Runs the program on `packet` (an Ethernet frame) with BPF_PROG_TEST_RUN (4.12+): the verdict, the frame as
    // the program left it, and the average run time. xdp/devmap and xdp/cpumap programs cannot be test-run.
    // Errors: InvalidArgument (not loaded; bad metadata; a context the kernel refuses), NotSupported.
    Result<XdpTestResult> test_run(std::span<const std::byte> packet, const XdpTestRunOptions& options = {}) const;

private:
    friend class TypedProgramView<Xdp>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
