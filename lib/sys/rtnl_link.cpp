// SPDX-License-Identifier: MIT
// rtnetlink link requests: lookup, veth pairs, up/down, namespaces, deletion, IPv4 addresses and XDP (IFLA_XDP).
// <netinet/in.h> before any linux header: <linux/if.h> includes linux/libc-compat.h, which settles at its first
// inclusion whether the kernel or glibc defines in6_addr & co.; in a unity build, sources that follow this one
// include both <arpa/inet.h> and <linux/seg6_local.h> (-> linux/in6.h).
#include <netinet/in.h>

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/socket.h>

#include <cerrno>

#include "base/format.hpp"
#include "base/try.hpp"
#include "sys/rtnetlink.hpp"
#include "sys/uapi.hpp"

namespace ebpf::sys {

static_assert(sizeof(IfInfoMsg) == sizeof(ifinfomsg) && offsetof(IfInfoMsg, index) == offsetof(ifinfomsg, ifi_index) &&
              offsetof(IfInfoMsg, change) == offsetof(ifinfomsg, ifi_change));
static_assert(sizeof(TcMsg) == sizeof(tcmsg) && offsetof(TcMsg, ifindex) == offsetof(tcmsg, tcm_ifindex) &&
              offsetof(TcMsg, handle) == offsetof(tcmsg, tcm_handle) && offsetof(TcMsg, info) == offsetof(tcmsg, tcm_info));
static_assert(sizeof(IfAddrMsg) == sizeof(ifaddrmsg) && offsetof(IfAddrMsg, index) == offsetof(ifaddrmsg, ifa_index));
static_assert(kRtmNewLink == RTM_NEWLINK && kRtmDelLink == RTM_DELLINK && kRtmGetLink == RTM_GETLINK &&
              kRtmSetLink == RTM_SETLINK && kRtmNewAddr == RTM_NEWADDR && kRtmNewQdisc == RTM_NEWQDISC &&
              kRtmDelQdisc == RTM_DELQDISC && kRtmGetQdisc == RTM_GETQDISC && kRtmNewTfilter == RTM_NEWTFILTER &&
              kRtmDelTfilter == RTM_DELTFILTER && kRtmGetTfilter == RTM_GETTFILTER);
static_assert(kXdpFlagsUpdateIfNoexist == XDP_FLAGS_UPDATE_IF_NOEXIST && kXdpFlagsSkbMode == XDP_FLAGS_SKB_MODE &&
              kXdpFlagsDrvMode == XDP_FLAGS_DRV_MODE && kXdpFlagsHwMode == XDP_FLAGS_HW_MODE &&
              kXdpFlagsReplace == XDP_FLAGS_REPLACE);

namespace {

constexpr std::size_t kMaxIfName = IFNAMSIZ - 1;

Result<void> check_name(std::string_view name, const char* what) {
    if (name.empty() || name.size() > kMaxIfName || name.find_first_of("/ \t\n:") != std::string_view::npos)
        return Error(Errc::InvalidArgument,
                     detail::format("%s '%.*s': interface names have 1 to %zu characters, without '/', ':' or spaces",
                                    what, EBPF_SV(name), kMaxIfName));
    return {};
}

LinkInfo parse_link(const NetlinkMessage& m) {
    LinkInfo info;
    const auto h = m.header<IfInfoMsg>();
    if (!h) return info;
    info.ifindex = h->index;
    info.flags = h->flags;
    const NetlinkAttrs attrs = m.attrs(sizeof(IfInfoMsg));
    if (auto name = attrs.find(IFLA_IFNAME)) info.name = std::string(name->as_string());
    if (auto kind = attrs.nested(IFLA_LINKINFO).find(IFLA_INFO_KIND)) info.kind = std::string(kind->as_string());
    return info;
}

// RTM_GETLINK for one link (by index, or by name when index is 0); calls `use` with the answer.
Result<void> get_link(NetlinkSocket& nl, int ifindex, std::string_view name, const NetlinkWhat& what,
                      const NetlinkReplyFn& use) {
    NetlinkRequest r(kRtmGetLink, 0);
    IfInfoMsg h;
    h.index = ifindex;
    r.header(h);
    if (!name.empty()) r.put_string(IFLA_IFNAME, name);
    r.put_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);  // unknown mask bits are ignored by older kernels
    auto res = nl.request(r, what, use);
    if (!res && res.error().sys_errno() == ENODEV) res.error().recode(Errc::NotFound);
    return res;
}

Result<void> set_link_flags(NetlinkSocket& nl, int ifindex, std::uint32_t flags, const char* state) {
    NetlinkRequest r(kRtmNewLink, 0);
    IfInfoMsg h;
    h.index = ifindex;
    h.flags = flags;
    h.change = IFF_UP;
    r.header(h);
    return nl.request(r, [&] {
        return detail::format("netlink RTM_NEWLINK set %s %s", rtnl_describe_link(nl, ifindex).c_str(), state);
    });
}

}  // namespace

std::string rtnl_describe_link(NetlinkSocket& nl, int ifindex) {
    std::string name;
    (void)get_link(nl, ifindex, {}, "describe link", [&](const NetlinkMessage& m) -> Result<void> {
        if (m.type == RTM_NEWLINK) name = parse_link(m).name;
        return {};
    });
    return name.empty() ? detail::format("ifindex %d", ifindex) : detail::format("%s (ifindex %d)", name.c_str(), ifindex);
}

Result<int> rtnl_link_index(NetlinkSocket& nl, std::string_view name) noexcept {
    EBPF_TRY(check_name(name, "link"));
    int index = 0;
    EBPF_TRY(get_link(nl, 0, name, detail::format("netlink RTM_GETLINK %.*s", EBPF_SV(name)),
                      [&](const NetlinkMessage& m) -> Result<void> {
                          if (m.type == RTM_NEWLINK) index = parse_link(m).ifindex;
                          return {};
                      }));
    if (index <= 0) return Error(Errc::NotFound, detail::format("no link named %.*s", EBPF_SV(name)));
    return index;
}

Result<LinkInfo> rtnl_link_get(NetlinkSocket& nl, int ifindex) noexcept {
    LinkInfo info;
    EBPF_TRY(get_link(nl, ifindex, {}, detail::format("netlink RTM_GETLINK ifindex %d", ifindex),
                      [&](const NetlinkMessage& m) -> Result<void> {
                          if (m.type == RTM_NEWLINK) info = parse_link(m);
                          return {};
                      }));
    if (info.ifindex != ifindex) return Error(Errc::NotFound, detail::format("no link with ifindex %d", ifindex));
    return info;
}

Result<std::vector<LinkInfo>> rtnl_links(NetlinkSocket& nl) noexcept {
    NetlinkRequest r(kRtmGetLink, 0);
    r.header(IfInfoMsg{});
    r.put_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    std::vector<LinkInfo> out;
    EBPF_TRY(nl.dump(r, "netlink RTM_GETLINK dump", [&](const NetlinkMessage& m) -> Result<void> {
        if (m.type == RTM_NEWLINK) out.push_back(parse_link(m));
        return {};
    }));
    return out;
}

Result<void> rtnl_link_add_veth(NetlinkSocket& nl, const VethOptions& o) noexcept {
    EBPF_TRY(check_name(o.name, "veth"));
    EBPF_TRY(check_name(o.peer, "veth peer"));
    NetlinkRequest r(kRtmNewLink, kNlmFCreate | kNlmFExcl);
    r.header(IfInfoMsg{});
    r.put_string(IFLA_IFNAME, o.name);
    const auto linkinfo = r.begin_nested(IFLA_LINKINFO);
    r.put_string(IFLA_INFO_KIND, "veth");
    const auto data = r.begin_nested(IFLA_INFO_DATA);
    const auto peer = r.begin_nested(VETH_INFO_PEER);
    r.header(IfInfoMsg{});  // the peer's own struct ifinfomsg, then its attributes
    r.put_string(IFLA_IFNAME, o.peer);
    if (o.peer_netns_fd >= 0) r.put_u32(IFLA_NET_NS_FD, static_cast<std::uint32_t>(o.peer_netns_fd));
    r.end_nested(peer);
    r.end_nested(data);
    r.end_nested(linkinfo);
    auto res = nl.request(r, detail::format("netlink RTM_NEWLINK veth %.*s peer %.*s", EBPF_SV(o.name), EBPF_SV(o.peer)));
    if (!res && res.error().sys_errno() == EOPNOTSUPP) res.error().recode(Errc::NotSupported);
    return res;
}

Result<void> rtnl_link_add_netkit(NetlinkSocket& nl, const NetkitOptions& o) noexcept {
    EBPF_TRY(check_name(o.name, "netkit"));
    EBPF_TRY(check_name(o.peer, "netkit peer"));
    NetlinkRequest r(kRtmNewLink, kNlmFCreate | kNlmFExcl);
    r.header(IfInfoMsg{});
    r.put_string(IFLA_IFNAME, o.name);
    const auto linkinfo = r.begin_nested(IFLA_LINKINFO);
    r.put_string(IFLA_INFO_KIND, "netkit");
    const auto data = r.begin_nested(IFLA_INFO_DATA);
    const auto peer = r.begin_nested(uapi::kIflaNetkitPeerInfo);
    r.header(IfInfoMsg{});
    r.put_string(IFLA_IFNAME, o.peer);
    if (o.peer_netns_fd >= 0) r.put_u32(IFLA_NET_NS_FD, static_cast<std::uint32_t>(o.peer_netns_fd));
    r.end_nested(peer);
    r.put_u32(uapi::kIflaNetkitMode, o.mode);
    r.put_u32(uapi::kIflaNetkitPolicy, static_cast<std::uint32_t>(o.policy));
    r.put_u32(uapi::kIflaNetkitPeerPolicy, static_cast<std::uint32_t>(o.peer_policy));
    r.end_nested(data);
    r.end_nested(linkinfo);
    auto res = nl.request(r, detail::format("netlink RTM_NEWLINK netkit %.*s peer %.*s", EBPF_SV(o.name), EBPF_SV(o.peer)));
    if (!res && res.error().sys_errno() == EOPNOTSUPP) res.error().recode(Errc::NotSupported);
    return res;
}

Result<void> rtnl_link_set_up(NetlinkSocket& nl, int ifindex) noexcept { return set_link_flags(nl, ifindex, IFF_UP, "up"); }
Result<void> rtnl_link_set_down(NetlinkSocket& nl, int ifindex) noexcept { return set_link_flags(nl, ifindex, 0, "down"); }

Result<void> rtnl_link_set_netns(NetlinkSocket& nl, int ifindex, int netns_fd) noexcept {
    NetlinkRequest r(kRtmNewLink, 0);
    IfInfoMsg h;
    h.index = ifindex;
    r.header(h);
    r.put_u32(IFLA_NET_NS_FD, static_cast<std::uint32_t>(netns_fd));
    return nl.request(r, [&] {
        return detail::format("netlink RTM_NEWLINK move %s to the network namespace of fd %d",
                              rtnl_describe_link(nl, ifindex).c_str(), netns_fd);
    });
}

Result<void> rtnl_link_del(NetlinkSocket& nl, int ifindex) noexcept {
    NetlinkRequest r(kRtmDelLink, 0);
    IfInfoMsg h;
    h.index = ifindex;
    r.header(h);
    auto res = nl.request(r, [&] {
        return detail::format("netlink RTM_DELLINK %s", rtnl_describe_link(nl, ifindex).c_str());
    });
    if (!res && res.error().sys_errno() == ENODEV) res.error().recode(Errc::NotFound);
    return res;
}

Result<void> rtnl_addr_add_ipv4(NetlinkSocket& nl, int ifindex, std::uint32_t address_be, unsigned prefix_len) noexcept {
    if (prefix_len > 32) return Error(Errc::InvalidArgument, detail::format("IPv4 prefix length %u", prefix_len));
    NetlinkRequest r(kRtmNewAddr, kNlmFCreate | kNlmFExcl);
    IfAddrMsg h;
    h.family = AF_INET;
    h.prefixlen = static_cast<std::uint8_t>(prefix_len);
    h.index = static_cast<std::uint32_t>(ifindex);
    r.header(h);
    r.put_u32(IFA_LOCAL, address_be);
    r.put_u32(IFA_ADDRESS, address_be);
    const auto* b = reinterpret_cast<const unsigned char*>(&address_be);
    return nl.request(r, [&] {
        return detail::format("netlink RTM_NEWADDR %u.%u.%u.%u/%u on %s", b[0], b[1], b[2], b[3], prefix_len,
                              rtnl_describe_link(nl, ifindex).c_str());
    });
}

Result<void> rtnl_xdp_set(NetlinkSocket& nl, int ifindex, int prog_fd, const XdpSetOptions& o) noexcept {
    NetlinkRequest r(kRtmSetLink, 0);
    IfInfoMsg h;
    h.index = ifindex;
    r.header(h);
    const auto xdp = r.begin_nested(IFLA_XDP | kNlaFNested);
    r.put_s32(IFLA_XDP_FD, prog_fd);
    if (o.flags) r.put_u32(IFLA_XDP_FLAGS, o.flags);
    if (o.flags & kXdpFlagsReplace) r.put_s32(IFLA_XDP_EXPECTED_FD, o.expected_fd);
    r.end_nested(xdp);
    return nl.request(r, [&] {
        const std::string link = rtnl_describe_link(nl, ifindex);
        return prog_fd >= 0 ? detail::format("netlink RTM_SETLINK IFLA_XDP prog fd %d on %s", prog_fd, link.c_str())
                            : detail::format("netlink RTM_SETLINK IFLA_XDP detach on %s", link.c_str());
    });
}

Result<XdpState> rtnl_xdp_query(NetlinkSocket& nl, int ifindex) noexcept {
    XdpState st;
    bool seen = false;
    EBPF_TRY(get_link(nl, ifindex, {}, detail::format("netlink RTM_GETLINK IFLA_XDP ifindex %d", ifindex),
                      [&](const NetlinkMessage& m) -> Result<void> {
                          if (m.type != RTM_NEWLINK) return {};
                          seen = true;
                          const NetlinkAttrs xdp = m.attrs(sizeof(IfInfoMsg)).nested(IFLA_XDP);
                          auto u32_of = [&](std::uint16_t t) {
                              auto a = xdp.find(t);
                              return a ? a->as<std::uint32_t>().value_or(0) : 0u;
                          };
                          if (auto a = xdp.find(IFLA_XDP_ATTACHED)) st.attached = a->as<std::uint8_t>().value_or(0);
                          st.prog_id = u32_of(IFLA_XDP_PROG_ID);
                          st.drv_prog_id = u32_of(IFLA_XDP_DRV_PROG_ID);
                          st.skb_prog_id = u32_of(IFLA_XDP_SKB_PROG_ID);
                          st.hw_prog_id = u32_of(IFLA_XDP_HW_PROG_ID);
                          return {};
                      }));
    if (!seen) return Error(Errc::NotFound, detail::format("no link with ifindex %d", ifindex));
    return st;
}

}  // namespace ebpf::sys
