/* SPDX-License-Identifier: MIT */
/* Network namespace programs (tests/kernel/netns_prog_test.cpp) and netfilter: a flow dissector for IPv4 that
 * refuses UDP datagrams to a port (BPF_DROP), a tc program that makes the kernel run the flow dissector
 * (bpf_get_hash_recalc) and keeps the resulting hash, an sk_lookup program that steers one port to a socket in a sockmap, and a netfilter
 * program. */
#include "ebpf_test.h"

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>

enum { N_DISSECTED, N_DISSECT_DROP, N_HASHED, N_UNUSED, N_STEERED, N_NF_SEEN, N_MAX };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, N_MAX);
    __type(key, __u32);
    __type(value, __u64);
} ns_counts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_SOCKMAP);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} steer_to SEC(".maps");

volatile __u16 dissect_drop_port; /* host order; 0: none */
volatile __u16 hash_watch_port;   /* host order: tc_rehash keeps the hash of datagrams to this port ... */
volatile __u32 last_hash;         /* ... here */
volatile __u16 steer_port;        /* host order: sk_lookup steers lookups for this local port */
volatile __u32 nf_verdict = 1;    /* NF_ACCEPT; 0 is NF_DROP */

static __always_inline void count(__u32 key)
{
    __u64 *v = bpf_map_lookup_elem(&ns_counts, &key);
    if (v)
        __sync_fetch_and_add(v, 1);
}

/* A header at `off`: straight from the packet when it is in the linear data (always so in test runs, which have
 * no skb for bpf_skb_load_bytes), else copied into `buf`. */
static __always_inline void *header(struct __sk_buff *skb, __u16 off, __u32 size, void *buf)
{
    void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
    if (off > 0xffff - size) /* keeps the variable offset within what the verifier tracks */
        return 0;
    void *p = data + off;
    if (p + size <= end)
        return p;
    if (bpf_skb_load_bytes(skb, off, buf, size))
        return 0;
    return buf;
}

/* IPv4 (UDP ports too); BPF_DROP for anything else. A UDP datagram to dissect_drop_port is refused before any
 * key is filled in, so its hash (from the keys) no longer depends on addresses and ports. */
SEC("flow_dissector")
int dissect_ipv4(struct __sk_buff *skb)
{
    struct bpf_flow_keys *keys = skb->flow_keys;
    struct iphdr ipbuf;
    struct udphdr udpbuf;
    count(N_DISSECTED);
    if (keys->n_proto != bpf_htons(ETH_P_IP))
        return BPF_DROP;
    struct iphdr *ip = header(skb, keys->nhoff, sizeof(*ip), &ipbuf);
    if (!ip || ip->ihl < 5)
        return BPF_DROP;
    __u16 thoff = keys->nhoff + ip->ihl * 4;
    __u8 proto = ip->protocol;
    __be32 saddr = ip->saddr, daddr = ip->daddr;
    __be16 sport = 0, dport = 0;
    if (proto == IPPROTO_UDP) {
        struct udphdr *udp = header(skb, thoff, sizeof(*udp), &udpbuf);
        if (!udp)
            return BPF_DROP;
        sport = udp->source;
        dport = udp->dest;
        if (dissect_drop_port && bpf_ntohs(dport) == dissect_drop_port) {
            count(N_DISSECT_DROP);
            return BPF_DROP;
        }
    }
    keys->addr_proto = ETH_P_IP;
    keys->ipv4_src = saddr;
    keys->ipv4_dst = daddr;
    keys->ip_proto = proto;
    keys->thoff = thoff;
    keys->sport = sport;
    keys->dport = dport;
    return BPF_OK;
}

/* On tc ingress: recomputes the packet's hash, which runs the namespace's flow dissector, and keeps the hash of
 * the last UDP datagram to hash_watch_port. */
SEC("tc")
int tc_rehash(struct __sk_buff *skb)
{
    __u32 hash = bpf_get_hash_recalc(skb);
    count(N_HASHED);
    void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
        return TC_ACT_UNSPEC;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end || ip->ihl != 5 || ip->protocol != IPPROTO_UDP)
        return TC_ACT_UNSPEC;
    struct udphdr *udp = (void *)(ip + 1);
    if ((void *)(udp + 1) > end)
        return TC_ACT_UNSPEC;
    if (hash_watch_port && bpf_ntohs(udp->dest) == hash_watch_port)
        last_hash = hash;
    return TC_ACT_UNSPEC;
}

SEC("sk_lookup")
int steer_port_to_socket(struct bpf_sk_lookup *ctx)
{
    if (!steer_port || ctx->local_port != steer_port)
        return SK_PASS;
    __u32 key = 0;
    struct bpf_sock *sk = bpf_map_lookup_elem(&steer_to, &key);
    if (!sk)
        return SK_PASS;
    long err = bpf_sk_assign(ctx, sk, 0);
    bpf_sk_release(sk);
    if (!err)
        count(N_STEERED);
    return err ? SK_DROP : SK_PASS;
}

SEC("netfilter")
int nf_count(void *ctx)
{
    count(N_NF_SEEN);
    return nf_verdict ? 1 /* NF_ACCEPT */ : 0 /* NF_DROP */;
}

char LICENSE[] SEC("license") = "GPL";
