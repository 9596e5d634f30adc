// SPDX-License-Identifier: MIT
// rtnetlink requests the attach paths need: links (veth pairs, up/down, lookup, namespaces, XDP), IPv4 addresses,
// qdiscs (clsact) and tc filters (cls_bpf). Each takes an open NetlinkSocket (netlink.hpp); errors read
//   netlink RTM_NEWQDISC clsact on veth0 (ifindex 5): File exists (errno 17): kernel says "..."
// Layout structs mirror the kernel's (checked against <linux/rtnetlink.h> in rtnl_link.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/error.hpp>

#include "sys/netlink.hpp"

namespace ebpf::sys {

struct IfInfoMsg {  // struct ifinfomsg
    std::uint8_t family = 0, pad = 0;
    std::uint16_t type = 0;
    std::int32_t index = 0;
    std::uint32_t flags = 0, change = 0;
};
struct TcMsg {  // struct tcmsg
    std::uint8_t family = 0, pad1 = 0;
    std::uint16_t pad2 = 0;
    std::int32_t ifindex = 0;
    std::uint32_t handle = 0, parent = 0, info = 0;
};
struct IfAddrMsg {  // struct ifaddrmsg
    std::uint8_t family = 0, prefixlen = 0, flags = 0, scope = 0;
    std::uint32_t index = 0;
};

// rtnetlink message types (linux/rtnetlink.h, stable).
inline constexpr std::uint16_t kRtmNewLink = 16, kRtmDelLink = 17, kRtmGetLink = 18, kRtmSetLink = 19,
                               kRtmNewAddr = 20, kRtmNewQdisc = 36, kRtmDelQdisc = 37, kRtmGetQdisc = 38,
                               kRtmNewTfilter = 44, kRtmDelTfilter = 45, kRtmGetTfilter = 46;
// tc handles: clsact's own handle and its two hook points (TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_{IN,E}GRESS)).
inline constexpr std::uint32_t kTcHClsact = 0xFFFFFFF1u, kTcHClsactHandle = 0xFFFF0000u,
                               kTcHClsactIngress = 0xFFFFFFF2u, kTcHClsactEgress = 0xFFFFFFF3u;
inline constexpr std::uint16_t kEthPAll = 0x0003;  // ETH_P_ALL, host byte order

// ---- links ----

struct LinkInfo {
    int ifindex = 0;
    std::string name;
    std::uint32_t flags = 0;  // IFF_*
    std::string kind;         // IFLA_INFO_KIND ("veth", ...); empty for physical devices
};

// The ifindex of the link called `name` in the socket's network namespace. Errors: NotFound ("no link named x").
Result<int> rtnl_link_index(NetlinkSocket& nl, std::string_view name) noexcept;
Result<LinkInfo> rtnl_link_get(NetlinkSocket& nl, int ifindex) noexcept;
Result<std::vector<LinkInfo>> rtnl_links(NetlinkSocket& nl) noexcept;

struct VethOptions {
    std::string_view name = {}, peer = {};  // at most 15 characters each
    int peer_netns_fd = -1;       // create the peer in this network namespace (IFLA_NET_NS_FD); -1: the socket's
};
// Creates a veth pair (NLM_F_CREATE | NLM_F_EXCL). Errors: Exists, NotSupported (no veth driver).
Result<void> rtnl_link_add_veth(NetlinkSocket& nl, const VethOptions& options) noexcept;

struct NetkitOptions {  // netkit devices (6.7): a primary and a peer, programmable with BPF_NETKIT_* links
    std::string_view name = {}, peer = {};
    int peer_netns_fd = -1;
    std::uint32_t mode = 1;              // kNetkitL3 (default) or kNetkitL2 (uapi.hpp)
    std::int32_t policy = 0;             // the primary's verdict without programs: kTcxPass or kTcxDrop
    std::int32_t peer_policy = 0;        // the same for the peer
};
// Creates a netkit pair. Errors: NotSupported before 6.7 or without CONFIG_NETKIT ("Unknown device type").
Result<void> rtnl_link_add_netkit(NetlinkSocket& nl, const NetkitOptions& options) noexcept;

Result<void> rtnl_link_set_up(NetlinkSocket& nl, int ifindex) noexcept;
Result<void> rtnl_link_set_down(NetlinkSocket& nl, int ifindex) noexcept;
// Moves a link into another network namespace (IFLA_NET_NS_FD).
Result<void> rtnl_link_set_netns(NetlinkSocket& nl, int ifindex, int netns_fd) noexcept;
// Deletes a link (for veth, both ends).
Result<void> rtnl_link_del(NetlinkSocket& nl, int ifindex) noexcept;
// Adds an IPv4 address (network byte order) with a prefix length to a link.
Result<void> rtnl_addr_add_ipv4(NetlinkSocket& nl, int ifindex, std::uint32_t address_be, unsigned prefix_len) noexcept;

// ---- XDP over netlink (IFLA_XDP; the fallback for kernels before XDP links, 5.9) ----

struct XdpSetOptions {
    std::uint32_t flags = 0;  // XDP_FLAGS_*: UPDATE_IF_NOEXIST 1, SKB_MODE 2, DRV_MODE 4, HW_MODE 8, REPLACE 16
    int expected_fd = -1;     // with XDP_FLAGS_REPLACE (5.7): replace only this program
};
inline constexpr std::uint32_t kXdpFlagsUpdateIfNoexist = 1, kXdpFlagsSkbMode = 2, kXdpFlagsDrvMode = 4,
                               kXdpFlagsHwMode = 8, kXdpFlagsReplace = 16;
// Attaches prog_fd to the link; prog_fd -1 detaches.
Result<void> rtnl_xdp_set(NetlinkSocket& nl, int ifindex, int prog_fd, const XdpSetOptions& options = {}) noexcept;

struct XdpState {
    std::uint8_t attached = 0;  // XDP_ATTACHED_NONE 0, DRV 1, SKB 2, HW 3, MULTI 4
    std::uint32_t prog_id = 0, drv_prog_id = 0, skb_prog_id = 0, hw_prog_id = 0;
};
Result<XdpState> rtnl_xdp_query(NetlinkSocket& nl, int ifindex) noexcept;

// ---- qdiscs ----

struct QdiscInfo {
    int ifindex = 0;
    std::uint32_t handle = 0, parent = 0;
    std::string kind;
};
// Adds / deletes the clsact qdisc that cls_bpf filters hang from (4.5). Errors: Exists when already there.
Result<void> rtnl_qdisc_add_clsact(NetlinkSocket& nl, int ifindex) noexcept;
Result<void> rtnl_qdisc_del_clsact(NetlinkSocket& nl, int ifindex) noexcept;
// The qdiscs of one link (a dump filtered here, as kernels before 5.0 do not filter dumps).
Result<std::vector<QdiscInfo>> rtnl_qdiscs(NetlinkSocket& nl, int ifindex) noexcept;

// ---- tc filters (cls_bpf) ----

// Identifies a filter: where it hangs and its (priority, handle, protocol).
struct TcFilterId {
    std::uint32_t parent = kTcHClsactIngress;
    std::uint16_t priority = 0;        // 0 when adding: the kernel picks one
    std::uint32_t handle = 0;          // 0 when adding: the kernel picks one
    std::uint16_t protocol = kEthPAll; // host byte order
};

struct BpfFilterOptions {
    TcFilterId id = {};
    int prog_fd = -1;
    std::string_view name = {};   // TCA_BPF_NAME, shown by `tc filter show`
    bool direct_action = true;    // TCA_BPF_FLAG_ACT_DIRECT: the program's return value is the tc action
    bool replace = false;         // NLM_F_REPLACE instead of NLM_F_EXCL (needs the full id)
    std::uint32_t gen_flags = 0;  // TCA_CLS_FLAGS_SKIP_HW 1, SKIP_SW 2
};
// Adds a cls_bpf filter and returns its id as the kernel completed it (NLM_F_ECHO).
Result<TcFilterId> rtnl_filter_add_bpf(NetlinkSocket& nl, int ifindex, const BpfFilterOptions& options) noexcept;
Result<void> rtnl_filter_del(NetlinkSocket& nl, int ifindex, const TcFilterId& id) noexcept;

struct TcFilterInfo {
    TcFilterId id;
    std::string kind;      // "bpf", ...
    std::string bpf_name;  // TCA_BPF_NAME
    std::uint32_t bpf_prog_id = 0;  // TCA_BPF_ID (4.13)
    bool direct_action = false;
};
// The filters on one hook point (parent) of a link.
Result<std::vector<TcFilterInfo>> rtnl_filters(NetlinkSocket& nl, int ifindex, std::uint32_t parent) noexcept;

// "veth0 (ifindex 5)" when the name can be looked up, else "ifindex 5": for error messages.
std::string rtnl_describe_link(NetlinkSocket& nl, int ifindex);

}  // namespace ebpf::sys
