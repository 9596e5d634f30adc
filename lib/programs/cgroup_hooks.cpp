// SPDX-License-Identifier: MIT
// The cgroup hook views (CgroupSock, CgroupSockAddr, CgroupSockopt, CgroupSysctl, CgroupDevice, SockOps): each maps
// its hook to an attach type and goes through attach_cgroup() (lib/programs/cgroup.cpp).
#include <ebpf/programs/cgroup_sock.hpp>
#include <ebpf/programs/cgroup_sockopt.hpp>
#include <ebpf/programs/cgroup_sysctl.hpp>
#include <ebpf/programs/sock_ops.hpp>

#include "base/format.hpp"

namespace ebpf {

namespace {

using A = AttachType;

constexpr A kSockHooks[] = {A::CgroupInetSockCreate, A::CgroupInetSockRelease, A::CgroupInet4PostBind,
                            A::CgroupInet6PostBind};
constexpr A kSockAddrHooks[] = {
    A::CgroupInet4Bind,        A::CgroupInet6Bind,        A::CgroupInet4Connect,    A::CgroupInet6Connect,
    A::CgroupUnixConnect,      A::CgroupUdp4Sendmsg,      A::CgroupUdp6Sendmsg,     A::CgroupUnixSendmsg,
    A::CgroupUdp4Recvmsg,      A::CgroupUdp6Recvmsg,      A::CgroupUnixRecvmsg,     A::CgroupInet4Getpeername,
    A::CgroupInet6Getpeername, A::CgroupUnixGetpeername,  A::CgroupInet4Getsockname, A::CgroupInet6Getsockname,
    A::CgroupUnixGetsockname,
};
static_assert(sizeof kSockAddrHooks / sizeof kSockAddrHooks[0] ==
              static_cast<std::size_t>(CgroupSockAddrHook::GetsocknameUnix) + 1);

// The hook the program's section names (its expected attach type), or why there is none.
Result<AttachType> section_hook(const Program& p, const char* view) {
    if (auto t = p.expected_attach_type()) return *t;
    return Error(Errc::InvalidArgument,
                 detail::format("attach %s program '%s': its section '%s' names no hook; pass one", view,
                                p.name().c_str(), p.section().c_str()));
}

Result<Link> attach_at_section_hook(const Program& p, const char* view, const CgroupDir& cgroup,
                                    const CgroupAttachOptions& options) {
    auto type = section_hook(p, view);
    if (!type) return std::move(type).error();
    return detail::attach_cgroup_view(p, cgroup, *type, options);
}

}  // namespace

Result<Link> CgroupSock::attach(const CgroupDir& cgroup, const CgroupAttachOptions& options) const {
    return attach_at_section_hook(prog_, kName, cgroup, options);
}
Result<Link> CgroupSock::attach(const CgroupDir& cgroup, CgroupSockHook hook,
                                const CgroupAttachOptions& options) const {
    return detail::attach_cgroup_view(prog_, cgroup, kSockHooks[static_cast<std::size_t>(hook)], options);
}

Result<Link> CgroupSockAddr::attach(const CgroupDir& cgroup, const CgroupAttachOptions& options) const {
    return attach_at_section_hook(prog_, kName, cgroup, options);
}
Result<Link> CgroupSockAddr::attach(const CgroupDir& cgroup, CgroupSockAddrHook hook,
                                    const CgroupAttachOptions& options) const {
    return detail::attach_cgroup_view(prog_, cgroup, kSockAddrHooks[static_cast<std::size_t>(hook)], options);
}

Result<Link> CgroupSockopt::attach(const CgroupDir& cgroup, const CgroupAttachOptions& options) const {
    return attach_at_section_hook(prog_, kName, cgroup, options);
}
Result<Link> CgroupSockopt::attach(const CgroupDir& cgroup, CgroupSockoptHook hook,
                                   const CgroupAttachOptions& options) const {
    return detail::attach_cgroup_view(
        prog_, cgroup, hook == CgroupSockoptHook::Get ? A::CgroupGetsockopt : A::CgroupSetsockopt, options);
}

Result<Link> CgroupSysctl::attach(const CgroupDir& cgroup, const CgroupAttachOptions& options) const {
    return detail::attach_cgroup_view(prog_, cgroup, A::CgroupSysctl, options);
}

Result<Link> CgroupDevice::attach(const CgroupDir& cgroup, const CgroupAttachOptions& options) const {
    return detail::attach_cgroup_view(prog_, cgroup, A::CgroupDevice, options);
}

Result<Link> SockOps::attach(const CgroupDir& cgroup, const CgroupAttachOptions& options) const {
    return detail::attach_cgroup_view(prog_, cgroup, A::CgroupSockOps, options);
}

}  // namespace ebpf
