// SPDX-License-Identifier: MIT
// FlowDissector: a program that replaces the kernel's flow dissector (the packet parser behind skb hashes, RPS,
// flower filters ...) for one network namespace.
#pragma once

#include <cstdint>
#include <span>

#include <ebpf/fd.hpp>
#include <ebpf/programs/view.hpp>

namespace ebpf {

// struct bpf_flow_keys: what the program fills in. Ports, n_proto and addresses are in network byte order.
struct FlowKeys {
    std::uint16_t nhoff = 0, thoff = 0, addr_proto = 0;
    std::uint8_t is_frag = 0, is_first_frag = 0, is_encap = 0, ip_proto = 0;
    std::uint16_t n_proto = 0, sport = 0, dport = 0;
    std::uint32_t src[4] = {}, dst[4] = {};  // IPv4: src[0], dst[0]
    std::uint32_t flags = 0, flow_label = 0;
};

struct FlowDissectorTestRunOptions {
    std::uint32_t flags = 0;   // BPF_FLOW_DISSECTOR_F_* the program sees in keys->flags (5.4+)
    std::uint32_t repeat = 0;  // runs; 0 and 1 both run once
};

struct FlowDissectorTestResult {
    // The program's verdict: BPF_OK (0), BPF_DROP (2), BPF_FLOW_DISSECTOR_CONTINUE (129, 6.1+). Kernels before
    // 6.1 report only whether it was BPF_OK: anything else reads BPF_DROP there.
    std::uint32_t retval = 0;
    FlowKeys keys;
    std::uint32_t duration_ns = 0;
};

// A typed view of a BPF_PROG_TYPE_FLOW_DISSECTOR program (section flow_dissector). It shares ownership of the
// Program. One flow dissector per namespace; one in the initial namespace overrides every other namespace's.
// Kernel: 4.20+; a netns bpf_link 5.8+, BPF_PROG_ATTACH before (probe link_supported(AttachType::FlowDissector)).
// Requires: CAP_NET_ADMIN and CAP_BPF (or CAP_SYS_ADMIN); the BPF_PROG_ATTACH path into another namespace
//   also CAP_SYS_ADMIN (setns).
// Ownership: the view shares the Program; the Link owns the bpf_link, or (BPF_PROG_ATTACH) an fd of the
//   namespace and of the program, to remove it from there.
// Thread safety: as ProgramView. The BPF_PROG_ATTACH path moves the calling thread into the target namespace
//   for the attach (and the Link for the removal), and back.
class FlowDissector : public TypedProgramView<FlowDissector> {
public:
    static constexpr const char* kName = "FlowDissector";
    static constexpr ProgramType kType = ProgramType::FlowDissector;
    static constexpr ProgramKind kKinds[] = {ProgramKind::FlowDissector};

    // Attaches to the network namespace open as `netns` (e.g. /proc/<pid>/ns/net, /run/netns/<name>).
    // Without bpf_links (< 5.8) the program is attached with BPF_PROG_ATTACH from inside that namespace (the
    // thread enters it for the call, which needs CAP_SYS_ADMIN), and removed only while it is still ours.
    // Errors: InvalidArgument (not loaded), Busy (the namespace, or the initial one, has a flow dissector),
    //   Permission, and the kernel's refusal.
    Result<Link> attach(FdRef netns) const;
    // Attaches to the calling thread's network namespace.
    Result<Link> attach() const;

    // Runs the program on `packet` (an Ethernet frame) with BPF_PROG_TEST_RUN (5.0+): the keys it filled in.
    Result<FlowDissectorTestResult> test_run(std::span<const std::byte> packet,
                                             const FlowDissectorTestRunOptions& options = {}) const;

private:
    friend class TypedProgramView<FlowDissector>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
