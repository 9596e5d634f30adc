/* SPDX-License-Identifier: MIT */
/* Packet parsing in the three classic networking hooks: XDP (bounds-checked direct access to Ethernet, IPv4/IPv6
 * and UDP/TCP headers), a tc classifier (the same parse on __sk_buff, marking and dropping), and a socket filter
 * (bpf_skb_load_bytes_relative, which works at any header position). Each drops UDP datagrams to `drop_port` and
 * counts what it saw by protocol. */
#include "ebpf_test.h"

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>

const volatile __u16 drop_port = 9; /* UDP "discard" */

enum { C_IPV4, C_IPV6, C_UDP, C_TCP, C_DROPPED, C_OTHER, C_MAX };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, C_MAX);
    __type(key, __u32);
    __type(value, __u64);
} xdp_counts SEC(".maps"), tc_counts SEC(".maps"), socket_counts SEC(".maps");

static __always_inline void bump(void *map, __u32 key)
{
    __u64 *v = bpf_map_lookup_elem(map, &key);
    if (v)
        __sync_fetch_and_add(v, 1);
}

struct parsed {
    __u8 proto;   /* IPPROTO_UDP, IPPROTO_TCP, or 0 */
    __u16 dport;  /* host order */
};

/* Parses [data, end) starting at the Ethernet header; counts into `map`. */
static __always_inline struct parsed parse(void *data, void *end, void *map)
{
    struct parsed out = {};
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end)
        return out;
    void *l4;
    __u8 proto;
    if (eth->h_proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = (void *)(eth + 1);
        if ((void *)(ip + 1) > end || ip->ihl < 5)
            return out;
        bump(map, C_IPV4);
        proto = ip->protocol;
        l4 = (void *)ip + ip->ihl * 4;
    } else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = (void *)(eth + 1);
        if ((void *)(ip6 + 1) > end)
            return out;
        bump(map, C_IPV6);
        proto = ip6->nexthdr;
        l4 = ip6 + 1;
    } else {
        bump(map, C_OTHER);
        return out;
    }
    if (proto == IPPROTO_UDP) {
        struct udphdr *udp = l4;
        if ((void *)(udp + 1) > end)
            return out;
        bump(map, C_UDP);
        out.proto = proto;
        out.dport = bpf_ntohs(udp->dest);
    } else if (proto == IPPROTO_TCP) {
        struct tcphdr *tcp = l4;
        if ((void *)(tcp + 1) > end)
            return out;
        bump(map, C_TCP);
        out.proto = proto;
        out.dport = bpf_ntohs(tcp->dest);
    }
    return out;
}

SEC("xdp")
int xdp_parse(struct xdp_md *ctx)
{
    struct parsed p = parse((void *)(long)ctx->data, (void *)(long)ctx->data_end, &xdp_counts);
    if (p.proto == IPPROTO_UDP && p.dport == drop_port) {
        bump(&xdp_counts, C_DROPPED);
        return XDP_DROP;
    }
    return XDP_PASS;
}

SEC("tc")
int tc_classify(struct __sk_buff *skb)
{
    struct parsed p = parse((void *)(long)skb->data, (void *)(long)skb->data_end, &tc_counts);
    if (p.proto == IPPROTO_UDP && p.dport == drop_port) {
        bump(&tc_counts, C_DROPPED);
        return TC_ACT_SHOT;
    }
    if (p.proto == IPPROTO_TCP)
        skb->mark = 0xcafe;
    return TC_ACT_OK;
}

/* Socket filters see the packet with data at the transport header (UDP sockets) or at the Ethernet header
 * (BPF_PROG_TEST_RUN), so headers are read relative to the network header. Returns the bytes to keep: 0 drops. */
SEC("socket")
int socket_drop_port(struct __sk_buff *skb)
{
    __u8 vihl;
    if (bpf_skb_load_bytes_relative(skb, 0, &vihl, 1, BPF_HDR_START_NET) < 0)
        return skb->len;
    if ((vihl >> 4) != 4) {
        bump(&socket_counts, C_OTHER);
        return skb->len;
    }
    bump(&socket_counts, C_IPV4);
    struct iphdr ip;
    if (bpf_skb_load_bytes_relative(skb, 0, &ip, sizeof(ip), BPF_HDR_START_NET) < 0 || ip.protocol != IPPROTO_UDP)
        return skb->len;
    bump(&socket_counts, C_UDP);
    struct udphdr udp;
    if (bpf_skb_load_bytes_relative(skb, (ip.ihl & 0xf) * 4, &udp, sizeof(udp), BPF_HDR_START_NET) < 0)
        return skb->len;
    if (bpf_ntohs(udp.dest) == drop_port) {
        bump(&socket_counts, C_DROPPED);
        return 0;
    }
    return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
