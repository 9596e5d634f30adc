// SPDX-License-Identifier: MIT
// CgroupSock and CgroupSockAddr: programs that run when the sockets of a cgroup are created, released, bound,
// connected, or send to / receive from / name an address.
#pragma once

#include <cstdint>

#include <ebpf/programs/cgroup.hpp>
#include <ebpf/programs/view.hpp>

namespace ebpf {

// The hooks of BPF_PROG_TYPE_CGROUP_SOCK programs.
enum class CgroupSockHook : std::uint8_t {
    Create,     // cgroup/sock_create (cgroup/sock): socket(2) of AF_INET/AF_INET6; return 0 to refuse (EPERM)
    Release,    // cgroup/sock_release (5.9): the socket is closed
    PostBind4,  // cgroup/post_bind4: after bind(2) of AF_INET; return 0 to undo the bind (EPERM)
    PostBind6,  // cgroup/post_bind6
};

// A typed view of a BPF_PROG_TYPE_CGROUP_SOCK program (sections cgroup/sock_create, cgroup/sock_release,
// cgroup/post_bind4, cgroup/post_bind6, cgroup/sock). The program reads and may set some fields of struct bpf_sock
// (bound device, mark, priority at creation) and returns 1 to allow, 0 to refuse.
// The Link is a cgroup bpf_link, or a BPF_PROG_ATTACH registration (see attach_cgroup()).
// Kernel: 4.10 (create), 4.17 (post_bind), 5.9 (release); cgroup links 5.7.
// Requires: CAP_NET_ADMIN (or CAP_SYS_ADMIN) and CAP_BPF; cgroup v2.
// Errors: as attach_cgroup(); InvalidArgument when the section names no hook and none is given, or a hook
//   other than the one the program was loaded for.
// Ownership: the view shares the Program; the Link owns the attachment.
// Thread safety: as ProgramView.
class CgroupSock : public TypedProgramView<CgroupSock> {
public:
    static constexpr const char* kName = "CgroupSock";
    static constexpr ProgramType kType = ProgramType::CgroupSock;
    static constexpr ProgramKind kKinds[] = {ProgramKind::CgroupSock};

    // Attaches at the hook its section names.
    Result<Link> attach(const CgroupDir& cgroup, const CgroupAttachOptions& options = {}) const;
    Result<Link> attach(const CgroupDir& cgroup, CgroupSockHook hook, const CgroupAttachOptions& options = {}) const;

private:
    friend class TypedProgramView<CgroupSock>;
    using TypedProgramView::TypedProgramView;
};

// The hooks of BPF_PROG_TYPE_CGROUP_SOCK_ADDR programs: bind(2), connect(2), sendmsg(2)/recvmsg(2) of UDP (and
// unix datagram) sockets, getpeername(2) and getsockname(2); IPv4, IPv6 and (6.7+) unix sockets.
enum class CgroupSockAddrHook : std::uint8_t {
    Bind4, Bind6,                                        // 4.17: may rewrite the address or refuse (EPERM)
    Connect4, Connect6, ConnectUnix,                     // 4.17 / 6.7: may rewrite the destination
    Sendmsg4, Sendmsg6, SendmsgUnix,                     // 4.18 / 6.7: UDP and unix datagrams
    Recvmsg4, Recvmsg6, RecvmsgUnix,                     // 5.2 / 6.7: rewrite the source address reported
    Getpeername4, Getpeername6, GetpeernameUnix,         // 5.8 / 6.7
    Getsockname4, Getsockname6, GetsocknameUnix,         // 5.8 / 6.7
};

// A typed view of a BPF_PROG_TYPE_CGROUP_SOCK_ADDR program (sections cgroup/bind4, cgroup/connect6,
// cgroup/sendmsg_unix, ...). It sees struct bpf_sock_addr (user_ip4, user_port, ...), may rewrite it, and returns 1
// to allow or 0 to refuse (the system call fails with EPERM; recvmsg and get*name programs must return 1).
// The Link is a cgroup bpf_link, or a BPF_PROG_ATTACH registration (see attach_cgroup()).
// Kernel: see CgroupSockAddrHook; cgroup links 5.7. Requires, Errors, Ownership, Thread safety: as CgroupSock.
class CgroupSockAddr : public TypedProgramView<CgroupSockAddr> {
public:
    static constexpr const char* kName = "CgroupSockAddr";
    static constexpr ProgramType kType = ProgramType::CgroupSockAddr;
    static constexpr ProgramKind kKinds[] = {ProgramKind::CgroupSockAddr};

    // Attaches at the hook its section names.
    Result<Link> attach(const CgroupDir& cgroup, const CgroupAttachOptions& options = {}) const;
    Result<Link> attach(const CgroupDir& cgroup, CgroupSockAddrHook hook,
                        const CgroupAttachOptions& options = {}) const;

private:
    friend class TypedProgramView<CgroupSockAddr>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
