/* SPDX-License-Identifier: MIT */
/* Socket programs over loopback (tests/kernel/sockets_test.cpp): sock_ops counting established connections, sk_msg
 * and sk_skb redirecting data between sockets of a sockmap, a socket filter dropping or truncating datagrams, and
 * an sk_reuseport program choosing the socket of a reuseport group. */
#include "ebpf_test.h"

#include <bpf/bpf_endian.h>

enum {
    S_ACTIVE_ESTABLISHED,
    S_PASSIVE_ESTABLISHED,
    S_MSG,
    S_PARSER,
    S_STREAM_VERDICT,
    S_VERDICT,
    S_FILTER,
    S_REUSEPORT,
    S_MAX,
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, S_MAX);
    __type(key, __u32);
    __type(value, __u64);
} sock_counts SEC(".maps");

/* sk_msg redirects into msg_map; the stream parser/verdict pair into stream_map; sk_skb/verdict into verdict_map. */
struct {
    __uint(type, BPF_MAP_TYPE_SOCKMAP);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} msg_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_SOCKMAP);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} stream_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_SOCKHASH);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} verdict_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} reuseport_map SEC(".maps");

__u32 redirect_key = 1;     /* where sk_msg / sk_skb send the data */
__u32 filter_mode = 0;      /* socket filter: 0 pass, 1 drop, 2 keep the UDP header and 4 bytes of payload */
__u32 reuseport_slot = 0;   /* the reuseport_map slot sk_reuseport selects */
__u16 sockops_port = 0;     /* host order: sock_ops counts only connections to this local or remote port */

static __always_inline void bump(__u32 slot)
{
    __u64 *v = bpf_map_lookup_elem(&sock_counts, &slot);
    if (v)
        __sync_fetch_and_add(v, 1);
}

SEC("sockops")
int count_established(struct bpf_sock_ops *ops)
{
    /* local_port is in host order, remote_port in network order (upper 16 bits on older kernels: take both). */
    __u32 local = ops->local_port, remote = bpf_ntohl(ops->remote_port);
    if (sockops_port && local != sockops_port && (remote & 0xffff) != sockops_port && (remote >> 16) != sockops_port)
        return 1;
    if (ops->op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB)
        bump(S_ACTIVE_ESTABLISHED);
    else if (ops->op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
        bump(S_PASSIVE_ESTABLISHED);
    return 1;
}

SEC("sk_msg")
int msg_redirect(struct sk_msg_md *msg)
{
    bump(S_MSG);
    return bpf_msg_redirect_map(msg, &msg_map, redirect_key, BPF_F_INGRESS);
}

SEC("sk_skb/stream_parser")
int stream_parser(struct __sk_buff *skb)
{
    bump(S_PARSER);
    return skb->len;
}

SEC("sk_skb/stream_verdict")
int stream_verdict(struct __sk_buff *skb)
{
    bump(S_STREAM_VERDICT);
    return bpf_sk_redirect_map(skb, &stream_map, redirect_key, BPF_F_INGRESS);
}

SEC("sk_skb/verdict")
int skb_verdict(struct __sk_buff *skb)
{
    __u32 key = redirect_key;
    bump(S_VERDICT);
    return bpf_sk_redirect_hash(skb, &verdict_map, &key, BPF_F_INGRESS);
}

SEC("socket")
int udp_filter(struct __sk_buff *skb)
{
    bump(S_FILTER);
    if (filter_mode == 1)
        return 0;
    if (filter_mode == 2)
        return 8 + 4;
    return skb->len;
}

SEC("sk_reuseport")
int select_slot(struct sk_reuseport_md *reuse)
{
    __u32 key = reuseport_slot;
    bump(S_REUSEPORT);
    if (bpf_sk_select_reuseport(reuse, &reuseport_map, &key, 0))
        return SK_DROP;
    return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
