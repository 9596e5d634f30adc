// SPDX-License-Identifier: MIT
// tc attachment: a TCX link (6.6+) or a netlink cls_bpf filter, chosen here, by the probe or by the caller.
#include <ebpf/features.hpp>

#include "base/format.hpp"
#include "links/attach.hpp"

namespace ebpf::detail {

Result<Link> attach_tc(FdRef prog, int ifindex, const std::string& ifname, AttachType direction,
                       const TcRequest& request, std::string what) {
    bool tcx = request.path == TcPath::Tcx;
    if (request.path != TcPath::Netlink) {
        // Linux < 6.6 has no TCX: cls_bpf filters on the clsact qdisc are the way there. The probe decides, so an
        // error of BPF_LINK_CREATE on a kernel with TCX is reported as it is, not retried over netlink.
        auto links = link_supported(direction);
        if (!links) return std::move(links).error().context(what);
        if (tcx && !*links)
            return Error(Errc::NotSupported, what + ": this kernel has no TCX links (Linux 6.6; probe link:" +
                                                 std::string(to_string(direction)) + ")");
        tcx = *links;
    }
    const bool positioned = request.position.flags != 0 || request.position.expected_revision != 0;
    if (tcx) {
        if (request.priority || request.handle)
            return Error(Errc::InvalidArgument,
                         what + ": a filter priority or handle applies to netlink cls_bpf filters only; TCX orders "
                                "programs with TcAttachOptions::order");
        return attach_multiprog(prog, ifindex, ifname, direction, request.position, std::move(what) + " (tcx)");
    }
    if (positioned)
        return Error(request.path == TcPath::Auto ? Errc::NotSupported : Errc::InvalidArgument,
                     what + ": ordering and expected revisions need TCX links (Linux 6.6); netlink cls_bpf filters "
                            "are ordered by priority (TcAttachOptions::priority)");
    return attach_cls_bpf(prog, ifindex, ifname, direction, request, std::move(what));
}

}  // namespace ebpf::detail
