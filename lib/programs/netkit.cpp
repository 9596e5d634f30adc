// SPDX-License-Identifier: MIT
// Netkit view: the primary or peer hook of a netkit pair, through links/tcx.cpp (the same multi-program API).
#include <ebpf/programs/netkit.hpp>

#include "base/format.hpp"
#include "links/attach.hpp"
#include "programs/net_iface.hpp"

namespace ebpf {

using detail::format;

namespace {

AttachType netkit_hook(NetkitAttachType t) {
    return t == NetkitAttachType::Peer ? AttachType::NetkitPeer : AttachType::NetkitPrimary;
}
const char* netkit_side(NetkitAttachType t) { return t == NetkitAttachType::Peer ? "peer" : "primary"; }

}  // namespace

Result<Link> Netkit::attach(const NetInterface& primary, NetkitAttachType type, const NetkitAttachOptions& options) const {
    std::string what = format("attach netkit program '%s' to the %s hook of %s", prog_.name().c_str(),
                              netkit_side(type), primary.describe().c_str());
    if (!prog_.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    // Linux < 6.7, or a kernel without CONFIG_NETKIT: said before looking for the device.
    if (auto r = detail::require_netkit(netkit_hook(type)); !r) return std::move(r).error().context(what);
    auto pos = detail::multiprog_position(options.order, options.expected_revision);
    if (!pos) return std::move(pos).error().context(what);
    auto iface = detail::resolve_interface(primary);
    if (!iface) return std::move(iface).error().context(what);
    what = format("attach netkit program '%s' to the %s hook of %s", prog_.name().c_str(), netkit_side(type),
                  iface->name.c_str());
    return detail::attach_multiprog(prog_.fd(), iface->ifindex, iface->name, netkit_hook(type), *pos, std::move(what));
}

Result<Link> Netkit::attach(const NetInterface& primary, const NetkitAttachOptions& options) const {
    const auto t = prog_.expected_attach_type();
    if (t == AttachType::NetkitPrimary) return attach(primary, NetkitAttachType::Primary, options);
    if (t == AttachType::NetkitPeer) return attach(primary, NetkitAttachType::Peer, options);
    return Error(Errc::InvalidArgument,
                 format("attach netkit program '%s' to %s: its section '%s' does not say primary or peer; use "
                        "SEC(\"netkit/primary\") / SEC(\"netkit/peer\") or attach(primary, NetkitAttachType::...)",
                        prog_.name().c_str(), primary.describe().c_str(), prog_.section().c_str()));
}

Result<SkbTestResult> Netkit::test_run(std::span<const std::byte> packet, const SkbTestRunOptions& options) const {
    return test_run_skb(prog_, packet, options);
}

Result<HookPrograms> query_netkit(const NetInterface& primary, NetkitAttachType type) {
    return detail::hook_programs(primary, netkit_hook(type),
                                 format("query the netkit %s programs of %s", netkit_side(type),
                                        primary.describe().c_str()));
}

}  // namespace ebpf
