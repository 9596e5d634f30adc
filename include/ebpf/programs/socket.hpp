// SPDX-License-Identifier: MIT
// SocketFilter and SkReuseport: programs that go on one socket with setsockopt(2).
#pragma once

#include <span>

#include <ebpf/programs/skb_test_run.hpp>
#include <ebpf/programs/view.hpp>

namespace ebpf {

// A typed view of a BPF_PROG_TYPE_SOCKET_FILTER program (section socket): it sees each packet the socket
// receives (struct __sk_buff, read-only) and returns how many bytes of it to keep (0 drops it; less than the length
// truncates it).
// The Link keeps a duplicate of the socket (so the socket stays open while the Link lives) and removes the
// socket's filter when destroyed (SO_DETACH_BPF). The kernel cannot say which program a socket's filter is: a
// filter that replaced this one meanwhile is removed too.
// Kernel: SO_ATTACH_BPF 3.19. Requires: nothing for a socket the process owns (unprivileged BPF rules apply to
//   loading the program).
// Errors: InvalidArgument (not loaded; not a socket), and the setsockopt failure, naming the program and the fd.
// Ownership: the view shares the Program; the Link owns a duplicate of the socket fd.
// Thread safety: as ProgramView.
class SocketFilter : public TypedProgramView<SocketFilter> {
public:
    static constexpr const char* kName = "SocketFilter";
    static constexpr ProgramType kType = ProgramType::SocketFilter;
    static constexpr ProgramKind kKinds[] = {ProgramKind::SocketFilter};

    Result<Link> attach(FdRef socket) const;
    // Runs the program on `packet` (an Ethernet frame; the program sees it from the network header, as a socket
    // does) with BPF_PROG_TEST_RUN (4.12+): retval is the number of bytes it keeps. See test_run_skb().
    Result<SkbTestResult> test_run(std::span<const std::byte> packet, const SkbTestRunOptions& options = {}) const;

private:
    friend class TypedProgramView<SocketFilter>;
    using TypedProgramView::TypedProgramView;
};

// A typed view of a BPF_PROG_TYPE_SK_REUSEPORT program (sections sk_reuseport, sk_reuseport/migrate): it picks
// which socket of a SO_REUSEPORT group gets each new connection or datagram (bpf_sk_select_reuseport with a
// REUSEPORT_SOCKARRAY, see ReuseportArray) and returns SK_PASS, or SK_DROP to drop it.
// It goes on the reuseport group of `socket` (SO_REUSEPORT set; the group is the sockets bound to the same address
// and port with the same owner); the Link keeps a duplicate of the socket and removes the group's program when
// destroyed (SO_DETACH_REUSEPORT_BPF, 5.3; on older kernels the program stays until the group is gone).
// Kernel: 4.19 (migrate: 5.14). Requires: as SocketFilter.
// Errors: InvalidArgument (not loaded; not a socket; SO_REUSEPORT not set), the setsockopt failure.
// Ownership, Thread safety: as SocketFilter.
class SkReuseport : public TypedProgramView<SkReuseport> {
public:
    static constexpr const char* kName = "SkReuseport";
    static constexpr ProgramType kType = ProgramType::SkReuseport;
    static constexpr ProgramKind kKinds[] = {ProgramKind::SkReuseport};

    Result<Link> attach(FdRef socket) const;

private:
    friend class TypedProgramView<SkReuseport>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
