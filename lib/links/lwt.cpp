// SPDX-License-Identifier: MIT
// lwt programs on a route: RTM_NEWROUTE with the programs as the route's encapsulation, RTM_DELROUTE to undo (only
// while the route still carries our programs).
#include <cerrno>
#include <cstring>

#include "base/format.hpp"
#include "base/try.hpp"
#include "links/attach.hpp"
#include "sys/rtnetlink.hpp"

namespace ebpf::detail {

namespace {

sys::RouteSpec route_spec_of(const LwtRouteRequest& r, int oif) {
    sys::RouteSpec s;
    s.family = r.family;
    std::memcpy(s.destination, r.destination, sizeof s.destination);
    s.prefix_len = r.prefix_len;
    s.has_gateway = r.has_gateway;
    std::memcpy(s.gateway, r.gateway, sizeof s.gateway);
    s.oif = oif;
    s.table = r.table;
    s.priority = r.metric;
    if (r.seg6local_fd >= 0) {
        s.encap = sys::RouteEncap::Seg6LocalBpf;
        s.seg6local = {r.seg6local_fd, r.seg6local_name};
    } else {
        s.encap = sys::RouteEncap::Bpf;
        s.in = {r.in_fd, r.in_name};
        s.out = {r.out_fd, r.out_name};
        s.xmit = {r.xmit_fd, r.xmit_name};
        s.xmit_headroom = r.xmit_headroom;
    }
    return s;
}

class LwtRouteResource final : public LinkResource {
public:
    LwtRouteResource(sys::NetlinkSocket nl, LwtRouteRequest request, int oif, std::string what)
        : nl_(std::move(nl)), req_(std::move(request)), oif_(oif), what_(std::move(what)) {}

    Result<void> undo() override {
        const sys::RouteSpec spec = route_spec_of(req_, oif_);
        auto mine = still_ours(spec);
        if (!mine) return std::move(mine).error().context("remove the route of " + what_);
        if (!*mine) return {};  // gone, or replaced by a route that is not ours: leave it
        auto r = sys::rtnl_route_del(nl_, spec);
        if (!r && r.error().code() == Errc::NotFound) return {};
        if (!r) return std::move(r).error().context("remove the route of " + what_);
        return {};
    }
    void keep() noexcept override {}
    void describe(LinkInfo& i) const override {
        if (req_.in_fd >= 0 || req_.out_fd >= 0 || req_.xmit_fd >= 0 || req_.seg6local_fd >= 0)
            i.target_name = req_.interface;
    }

private:
    // Whether the route is there with the programs we put on it (the names are unique to this attach).
    Result<bool> still_ours(const sys::RouteSpec& spec) {
        auto routes = sys::rtnl_routes(nl_, spec.family, spec.table);
        if (!routes) return std::move(routes).error();
        const std::size_t alen = spec.family == 10 ? 16 : 4;
        // An IPv6 route made without a metric gets the kernel's default one (IP6_RT_PRIO_USER, 1024).
        const std::uint32_t priority = spec.family == 10 && spec.priority == 0 ? 1024u : spec.priority;
        for (const sys::RouteInfo& i : *routes) {
            if (i.prefix_len != spec.prefix_len || i.oif != spec.oif || i.priority != priority) continue;
            if (std::memcmp(i.destination, spec.destination, alen) != 0) continue;
            if (spec.encap == sys::RouteEncap::Seg6LocalBpf) return i.seg6local_name == req_.seg6local_name;
            return i.in_name == (req_.in_fd >= 0 ? req_.in_name : "") &&
                   i.out_name == (req_.out_fd >= 0 ? req_.out_name : "") &&
                   i.xmit_name == (req_.xmit_fd >= 0 ? req_.xmit_name : "");
        }
        return false;
    }

    sys::NetlinkSocket nl_;
    LwtRouteRequest req_;
    int oif_;
    std::string what_;
};

}  // namespace

Result<Link> attach_lwt_route(const LwtRouteRequest& request, std::string what) {
    auto nl = sys::NetlinkSocket::open();
    if (!nl) return std::move(nl).error().context(what);
    auto oif = sys::rtnl_link_index(*nl, request.interface);
    if (!oif) {
        Error e = std::move(oif).error();
        if (e.code() == Errc::NotFound) e.recode(Errc::NoDevice);
        return std::move(e).context(what);
    }
    const sys::RouteSpec spec = route_spec_of(request, *oif);
    if (auto r = sys::rtnl_route_add(*nl, spec); !r) {
        Error e = std::move(r).error();
        if (e.code() == Errc::NotSupported)
            e.context(request.seg6local_fd >= 0 ? "this kernel has no seg6local End.BPF (CONFIG_IPV6_SEG6_BPF)"
                                                 : "this kernel has no BPF route encapsulation (CONFIG_LWTUNNEL_BPF)");
        return std::move(e).context(what);
    }
    Link::Parts parts;
    parts.resources.push_back(std::make_unique<LwtRouteResource>(std::move(*nl), request, *oif, what));
    parts.description = std::move(what);
    return Link(std::move(parts));
}

}  // namespace ebpf::detail
