// SPDX-License-Identifier: MIT
// The context structs networking programs see, as BPF_PROG_TEST_RUN takes and returns them (ctx_in / ctx_out,
// and data_out for the flow dissector): struct __sk_buff, struct xdp_md, struct bpf_flow_keys and struct
// bpf_sk_lookup, with the kernel's layout. net_ctx_check.cpp compares them with the system's <linux/bpf.h>.
#pragma once

#include <cstdint>

namespace ebpf::sys {

struct SkBuffRaw {  // struct __sk_buff
    std::uint32_t len, pkt_type, mark, queue_mapping, protocol, vlan_present, vlan_tci, vlan_proto, priority,
        ingress_ifindex, ifindex, tc_index;
    std::uint32_t cb[5];
    std::uint32_t hash, tc_classid, data, data_end, napi_id;
    std::uint32_t family, remote_ip4, local_ip4;
    std::uint32_t remote_ip6[4], local_ip6[4];
    std::uint32_t remote_port, local_port, data_meta;
    alignas(8) std::uint64_t flow_keys;  // a pointer in the program's view
    std::uint64_t tstamp;
    std::uint32_t wire_len, gso_segs;
    std::uint64_t sk;
    std::uint32_t gso_size;
    std::uint8_t tstamp_type;  // 5.18
    std::uint8_t pad[3];
    std::uint64_t hwtstamp;  // 5.16
};
static_assert(sizeof(SkBuffRaw) == 192);

struct XdpMdRaw {  // struct xdp_md
    std::uint32_t data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex;
};

struct FlowKeysRaw {  // struct bpf_flow_keys
    std::uint16_t nhoff, thoff, addr_proto;
    std::uint8_t is_frag, is_first_frag, is_encap, ip_proto;
    std::uint16_t n_proto, sport, dport;  // network byte order
    union {
        struct {
            std::uint32_t ipv4_src, ipv4_dst;
        } v4;
        struct {
            std::uint32_t ipv6_src[4], ipv6_dst[4];
        } v6;
    };
    std::uint32_t flags, flow_label;
};
static_assert(sizeof(FlowKeysRaw) == 56);

struct SkLookupRaw {  // struct bpf_sk_lookup
    std::uint64_t cookie;  // out: the selected socket's cookie (a bpf_sock pointer in the program's view)
    std::uint32_t family, protocol, remote_ip4;
    std::uint32_t remote_ip6[4];
    std::uint16_t remote_port;  // network byte order
    std::uint16_t pad;
    std::uint32_t local_ip4;
    std::uint32_t local_ip6[4];
    std::uint32_t local_port;       // host byte order
    std::uint32_t ingress_ifindex;  // 5.17
};
static_assert(sizeof(SkLookupRaw) == 72);

}  // namespace ebpf::sys
