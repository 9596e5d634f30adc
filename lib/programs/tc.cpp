// SPDX-License-Identifier: MIT
// Tc view: checks the program and the options, resolves the interface; links/tc.cpp chooses TCX or netlink.
#include <ebpf/programs/tc.hpp>

#include "base/format.hpp"
#include "links/attach.hpp"
#include "programs/net_iface.hpp"

namespace ebpf {

using detail::format;

namespace {

AttachType tc_hook(TcDirection d) { return d == TcDirection::Egress ? AttachType::TcxEgress : AttachType::TcxIngress; }
const char* tc_direction_name(TcDirection d) { return d == TcDirection::Egress ? "egress" : "ingress"; }

}  // namespace

Result<Link> Tc::attach(const NetInterface& interface, TcDirection direction, const TcAttachOptions& options) const {
    std::string what = format("attach tc program '%s' to %s %s", prog_.name().c_str(), interface.describe().c_str(),
                              tc_direction_name(direction));
    if (!prog_.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    if (prog_.type() != ProgramType::SchedCls)
        return Error(Errc::InvalidArgument,
                     format("%s: it is a %.*s program (section '%s'); only sched_cls programs attach to tc hooks "
                            "(act_bpf actions are not attached by this library; test_run() works)",
                            what.c_str(), EBPF_SV(to_string(prog_.type())), prog_.section().c_str()));
    auto pos = detail::multiprog_position(options.order, options.expected_revision);
    if (!pos) return std::move(pos).error().context(what);
    auto iface = detail::resolve_interface(interface);
    if (!iface) return std::move(iface).error().context(what);
    what = format("attach tc program '%s' to %s %s", prog_.name().c_str(), iface->name.c_str(),
                  tc_direction_name(direction));
    detail::TcRequest req;
    req.path = options.mechanism == TcMechanism::Tcx       ? detail::TcPath::Tcx
               : options.mechanism == TcMechanism::Netlink ? detail::TcPath::Netlink
                                                           : detail::TcPath::Auto;
    req.position = *pos;
    req.priority = options.priority;
    req.handle = options.handle;
    req.filter_name = prog_.name();
    return detail::attach_tc(prog_.fd(), iface->ifindex, iface->name, tc_hook(direction), req, std::move(what));
}

Result<Link> Tc::attach(const NetInterface& interface, const TcAttachOptions& options) const {
    const auto t = prog_.expected_attach_type();
    if (t == AttachType::TcxIngress) return attach(interface, TcDirection::Ingress, options);
    if (t == AttachType::TcxEgress) return attach(interface, TcDirection::Egress, options);
    return Error(Errc::InvalidArgument,
                 format("attach tc program '%s' to %s: its section '%s' does not say ingress or egress; use "
                        "SEC(\"tcx/ingress\") / SEC(\"tcx/egress\") or attach(interface, TcDirection::...)",
                        prog_.name().c_str(), interface.describe().c_str(), prog_.section().c_str()));
}

Result<SkbTestResult> Tc::test_run(std::span<const std::byte> packet, const SkbTestRunOptions& options) const {
    return test_run_skb(prog_, packet, options);
}

Result<HookPrograms> query_tcx(const NetInterface& interface, TcDirection direction) {
    return detail::hook_programs(interface, tc_hook(direction),
                                 format("query the tcx %s programs of %s", tc_direction_name(direction),
                                        interface.describe().c_str()));
}

}  // namespace ebpf
