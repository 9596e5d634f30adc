// SPDX-License-Identifier: MIT
// SkLookup: programs that choose the socket an incoming connection or datagram is delivered to, before the
// kernel's own socket lookup (steering many addresses or ports to one socket).
#pragma once

#include <array>
#include <cstdint>

#include <ebpf/fd.hpp>
#include <ebpf/programs/view.hpp>

namespace ebpf {

// What the program is asked about in a test run (struct bpf_sk_lookup's inputs).
struct SkLookupInput {
    std::uint32_t family = 2;    // AF_INET (2) or AF_INET6 (10)
    std::uint32_t protocol = 6;  // IPPROTO_TCP (6) or IPPROTO_UDP (17)
    std::array<std::uint8_t, 16> remote_ip{};  // network byte order; IPv4 in the first 4 bytes
    std::array<std::uint8_t, 16> local_ip{};
    std::uint16_t remote_port = 0;  // host byte order
    std::uint16_t local_port = 0;
};

struct SkLookupTestRunOptions {
    std::uint32_t repeat = 0;  // runs; 0 and 1 both run once
};

struct SkLookupTestResult {
    std::uint32_t verdict = 0;          // SK_PASS (1) or SK_DROP (0)
    std::uint64_t socket_cookie = 0;    // the socket the program selected (bpf_sk_assign), 0 if none (SO_COOKIE)
    std::uint32_t duration_ns = 0;
};

// A typed view of a BPF_PROG_TYPE_SK_LOOKUP program (section sk_lookup). It shares ownership of the Program.
// Several sk_lookup programs may share a namespace; they run in attach order.
// Kernel: 5.9+ (netns bpf_link only).
// Requires: CAP_NET_ADMIN and CAP_BPF (or CAP_SYS_ADMIN) to attach.
// Ownership: the view shares the Program; the Link owns the bpf_link.
// Thread safety: as ProgramView.
class SkLookup : public TypedProgramView<SkLookup> {
public:
    static constexpr const char* kName = "SkLookup";
    static constexpr ProgramType kType = ProgramType::SkLookup;
    static constexpr ProgramKind kKinds[] = {ProgramKind::SkLookup};

    // Attaches to the network namespace open as `netns`.
    // Errors: InvalidArgument (not loaded), NotSupported (before 5.9), ResourceLimit (64 programs already),
    //   Permission, and the kernel's refusal.
    Result<Link> attach(FdRef netns) const;
    // Attaches to the calling thread's network namespace.
    Result<Link> attach() const;

    // Runs the program on a lookup (BPF_PROG_TEST_RUN, 5.14+). Errors: InvalidArgument, NotSupported.
    Result<SkLookupTestResult> test_run(const SkLookupInput& input, const SkLookupTestRunOptions& options = {}) const;

private:
    friend class TypedProgramView<SkLookup>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
