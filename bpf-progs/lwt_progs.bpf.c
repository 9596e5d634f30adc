/* SPDX-License-Identifier: MIT */
/* lwt programs on routes in a private network namespace (tests/kernel/lwt_test.cpp), and a lirc decoder that only
 * exists to be attached. */
#include "ebpf_test.h"

enum { L_IN, L_OUT, L_XMIT, L_SEG6LOCAL, L_MAX };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, L_MAX);
    __type(key, __u32);
    __type(value, __u64);
} lwt_counts SEC(".maps");

__u32 lwt_drop = 0; /* lwt_out drops what it sees when set */

static __always_inline void bump(__u32 slot)
{
    __u64 *v = bpf_map_lookup_elem(&lwt_counts, &slot);
    if (v)
        __sync_fetch_and_add(v, 1);
}

SEC("lwt_in")
int lwt_in_count(struct __sk_buff *skb)
{
    bump(L_IN);
    return BPF_OK;
}

SEC("lwt_out")
int lwt_out_count(struct __sk_buff *skb)
{
    bump(L_OUT);
    return lwt_drop ? BPF_DROP : BPF_OK;
}

SEC("lwt_xmit")
int lwt_xmit_count(struct __sk_buff *skb)
{
    bump(L_XMIT);
    return BPF_OK;
}

SEC("lwt_seg6local")
int seg6_count(struct __sk_buff *skb)
{
    bump(L_SEG6LOCAL);
    return BPF_OK;
}

char LICENSE[] SEC("license") = "GPL";
