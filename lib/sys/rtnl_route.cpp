// SPDX-License-Identifier: MIT
// rtnetlink routes with lightweight-tunnel encapsulation: LWTUNNEL_ENCAP_BPF (lwt_in/out/xmit programs) and
// seg6local End.BPF (lwt_seg6local programs). Each program goes in a nested attribute with its fd and a name.
#include <arpa/inet.h>
#include <linux/lwtunnel.h>
#include <linux/rtnetlink.h>
#include <linux/seg6_local.h>
#include <sys/socket.h>

#include <cerrno>

#include "base/format.hpp"
#include "base/try.hpp"
#include "sys/rtnetlink.hpp"

namespace ebpf::sys {

static_assert(sizeof(RtMsg) == sizeof(rtmsg) && offsetof(RtMsg, table) == offsetof(rtmsg, rtm_table) &&
              offsetof(RtMsg, flags) == offsetof(rtmsg, rtm_flags));
static_assert(kRtmNewRoute == RTM_NEWROUTE && kRtmDelRoute == RTM_DELROUTE && kRtmGetRoute == RTM_GETROUTE &&
              kRtTableMain == RT_TABLE_MAIN);

namespace {

std::size_t addr_len(int family) { return family == AF_INET6 ? 16 : 4; }

std::string addr_text(int family, const std::uint8_t* a) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (!::inet_ntop(family, a, buf, sizeof buf)) return "?";
    return buf;
}

// Destination, table, interface and priority: what identifies a route for RTM_DELROUTE too.
void put_route_key(NetlinkRequest& r, const RouteSpec& s) {
    r.put(RTA_DST, s.destination, addr_len(s.family));
    if (s.oif) r.put_u32(RTA_OIF, static_cast<std::uint32_t>(s.oif));
    r.put_u32(RTA_TABLE, s.table);
    if (s.priority) r.put_u32(RTA_PRIORITY, s.priority);
}

RtMsg route_header(const RouteSpec& s) {
    RtMsg h;
    h.family = static_cast<std::uint8_t>(s.family);
    h.dst_len = s.prefix_len;
    h.table = static_cast<std::uint8_t>(s.table < 256 ? s.table : static_cast<std::uint32_t>(RT_TABLE_UNSPEC));
    return h;
}

void put_program(NetlinkRequest& r, std::uint16_t hook, std::uint16_t fd_attr, std::uint16_t name_attr,
                 const RouteBpfProgram& p) {
    if (p.fd < 0) return;
    const auto n = r.begin_nested(hook | kNlaFNested);
    r.put_u32(fd_attr, static_cast<std::uint32_t>(p.fd));
    r.put_string(name_attr, p.name);
    r.end_nested(n);
}

Error route_error(Error e) {
    switch (e.sys_errno()) {
    case EOPNOTSUPP:
    case EAFNOSUPPORT: e.recode(Errc::NotSupported); break;
    case ESRCH: e.recode(Errc::NotFound); break;
    default: break;
    }
    return e;
}

}  // namespace

std::string describe_route(NetlinkSocket& nl, const RouteSpec& s) {
    std::string out = detail::format("%s/%u", addr_text(s.family, s.destination).c_str(), s.prefix_len);
    if (s.has_gateway) out += " via " + addr_text(s.family, s.gateway);
    if (s.oif) out += " dev " + rtnl_describe_link(nl, s.oif);
    if (s.table != kRtTableMain) out += detail::format(" table %u", s.table);
    if (s.priority) out += detail::format(" metric %u", s.priority);
    return out;
}

Result<void> rtnl_route_add(NetlinkSocket& nl, const RouteSpec& s) noexcept {
    if (s.family != AF_INET && s.family != AF_INET6)
        return Error(Errc::InvalidArgument, detail::format("route: address family %d (AF_INET or AF_INET6)", s.family));
    if (s.prefix_len > addr_len(s.family) * 8)
        return Error(Errc::InvalidArgument, detail::format("route: prefix length %u", s.prefix_len));
    NetlinkRequest r(kRtmNewRoute, kNlmFCreate | kNlmFExcl);
    RtMsg h = route_header(s);
    h.protocol = RTPROT_BOOT;
    h.scope = (s.has_gateway || s.family == AF_INET6) ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
    h.type = RTN_UNICAST;
    r.header(h);
    put_route_key(r, s);
    if (s.has_gateway) r.put(RTA_GATEWAY, s.gateway, addr_len(s.family));
    if (s.encap == RouteEncap::Bpf) {
        r.put_u16(RTA_ENCAP_TYPE, LWTUNNEL_ENCAP_BPF);
        const auto e = r.begin_nested(RTA_ENCAP | kNlaFNested);
        put_program(r, LWT_BPF_IN, LWT_BPF_PROG_FD, LWT_BPF_PROG_NAME, s.in);
        put_program(r, LWT_BPF_OUT, LWT_BPF_PROG_FD, LWT_BPF_PROG_NAME, s.out);
        put_program(r, LWT_BPF_XMIT, LWT_BPF_PROG_FD, LWT_BPF_PROG_NAME, s.xmit);
        if (s.xmit_headroom) r.put_u32(LWT_BPF_XMIT_HEADROOM, s.xmit_headroom);
        r.end_nested(e);
    } else if (s.encap == RouteEncap::Seg6LocalBpf) {
        r.put_u16(RTA_ENCAP_TYPE, LWTUNNEL_ENCAP_SEG6_LOCAL);
        const auto e = r.begin_nested(RTA_ENCAP | kNlaFNested);
        r.put_u32(SEG6_LOCAL_ACTION, SEG6_LOCAL_ACTION_END_BPF);
        put_program(r, SEG6_LOCAL_BPF, SEG6_LOCAL_BPF_PROG, SEG6_LOCAL_BPF_PROG_NAME, s.seg6local);
        r.end_nested(e);
    }
    auto res = nl.request(r, [&] { return "netlink RTM_NEWROUTE " + describe_route(nl, s); });
    if (!res) return route_error(std::move(res).error());
    return {};
}

Result<void> rtnl_route_del(NetlinkSocket& nl, const RouteSpec& s) noexcept {
    NetlinkRequest r(kRtmDelRoute, 0);
    RtMsg h = route_header(s);
    h.scope = RT_SCOPE_NOWHERE;
    r.header(h);
    put_route_key(r, s);
    auto res = nl.request(r, [&] { return "netlink RTM_DELROUTE " + describe_route(nl, s); });
    if (!res) return route_error(std::move(res).error());
    return {};
}

Result<std::vector<RouteInfo>> rtnl_routes(NetlinkSocket& nl, int family, std::uint32_t table) noexcept {
    NetlinkRequest r(kRtmGetRoute, 0);
    RtMsg h;
    h.family = static_cast<std::uint8_t>(family);
    r.header(h);
    std::vector<RouteInfo> out;
    EBPF_TRY(nl.dump(r, detail::format("netlink RTM_GETROUTE dump (family %d)", family),
                     [&](const NetlinkMessage& m) -> Result<void> {
                         const auto rt = m.header<RtMsg>();
                         if (m.type != RTM_NEWROUTE || !rt || rt->family != family) return {};
                         const NetlinkAttrs attrs = m.attrs(sizeof(RtMsg));
                         RouteInfo i;
                         i.family = rt->family;
                         i.prefix_len = rt->dst_len;
                         i.table = rt->table;
                         if (auto t = attrs.find(RTA_TABLE)) i.table = t->as<std::uint32_t>().value_or(i.table);
                         if (i.table != table) return {};
                         if (auto d = attrs.find(RTA_DST); d && d->data.size() <= sizeof i.destination)
                             std::memcpy(i.destination, d->data.data(), d->data.size());
                         if (auto o = attrs.find(RTA_OIF)) i.oif = o->as<std::int32_t>().value_or(0);
                         if (auto p = attrs.find(RTA_PRIORITY)) i.priority = p->as<std::uint32_t>().value_or(0);
                         if (auto e = attrs.find(RTA_ENCAP_TYPE)) i.encap_type = e->as<std::uint16_t>().value_or(0);
                         const NetlinkAttrs encap = attrs.nested(RTA_ENCAP);
                         auto name_in = [&](std::uint16_t hook, std::uint16_t name_attr) {
                             auto n = encap.nested(hook).find(name_attr);
                             return n ? std::string(n->as_string()) : std::string();
                         };
                         if (i.encap_type == LWTUNNEL_ENCAP_BPF) {
                             i.in_name = name_in(LWT_BPF_IN, LWT_BPF_PROG_NAME);
                             i.out_name = name_in(LWT_BPF_OUT, LWT_BPF_PROG_NAME);
                             i.xmit_name = name_in(LWT_BPF_XMIT, LWT_BPF_PROG_NAME);
                         } else if (i.encap_type == LWTUNNEL_ENCAP_SEG6_LOCAL) {
                             i.seg6local_name = name_in(SEG6_LOCAL_BPF, SEG6_LOCAL_BPF_PROG_NAME);
                         }
                         out.push_back(std::move(i));
                         return {};
                     }));
    return out;
}

}  // namespace ebpf::sys
