/* SPDX-License-Identifier: MIT */
/* A TCP congestion control in BPF (tests/kernel/struct_ops_test.cpp, docs/struct-ops.md): Reno-like arithmetic of
 * its own (no kfuncs, so it loads on 5.10 too), with an optional cap on the congestion window, registered through
 * struct tcp_congestion_ops. The struct below is declared with only the members used: the loader matches them to
 * the kernel's struct by name. */
#include "ebpf_test.h"

struct sock;

struct tcp_sock {
    __u32 snd_cwnd;
    __u32 snd_cwnd_cnt;
    __u32 snd_ssthresh;
} __attribute__((preserve_access_index));

struct tcp_congestion_ops {
    __u32 (*ssthresh)(struct sock *sk);
    void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
    __u32 (*undo_cwnd)(struct sock *sk);
    void (*init)(struct sock *sk);
    char name[16];
};

enum { CC_INIT, CC_SSTHRESH, CC_CONG_AVOID, CC_UNDO, CC_CONG_AVOID_V2, CC_MAX };

__u64 cc_calls[CC_MAX] = {};
__u32 cwnd_cap = 0; /* 0: none; else cong_avoid never grows the window beyond it */

static __always_inline void count(int slot)
{
    if (slot >= 0 && slot < CC_MAX)
        __sync_fetch_and_add(&cc_calls[slot], 1);
}

static __always_inline void reno_grow(struct tcp_sock *tp, __u32 acked)
{
    __u32 cwnd = tp->snd_cwnd;

    if (cwnd < tp->snd_ssthresh) {
        cwnd += acked; /* slow start */
    } else {
        __u32 cnt = tp->snd_cwnd_cnt + acked; /* congestion avoidance: one segment per window */
        if (cnt >= cwnd) {
            cnt -= cwnd;
            cwnd++;
        }
        tp->snd_cwnd_cnt = cnt;
    }
    if (cwnd_cap && cwnd > cwnd_cap)
        cwnd = cwnd_cap;
    tp->snd_cwnd = cwnd;
}

SEC("struct_ops/cc_init")
void cc_init(unsigned long long *ctx)
{
    count(CC_INIT);
}

SEC("struct_ops/cc_ssthresh")
__u32 cc_ssthresh(unsigned long long *ctx)
{
    struct tcp_sock *tp = (struct tcp_sock *)ctx[0];
    __u32 half = tp->snd_cwnd >> 1;

    count(CC_SSTHRESH);
    return half > 2 ? half : 2;
}

SEC("struct_ops/cc_cong_avoid")
void cc_cong_avoid(unsigned long long *ctx)
{
    struct tcp_sock *tp = (struct tcp_sock *)ctx[0];

    count(CC_CONG_AVOID);
    reno_grow(tp, (__u32)ctx[2]);
}

/* The same algorithm counted apart: the version a link is updated to. */
SEC("struct_ops/cc_cong_avoid_v2")
void cc_cong_avoid_v2(unsigned long long *ctx)
{
    struct tcp_sock *tp = (struct tcp_sock *)ctx[0];

    count(CC_CONG_AVOID_V2);
    reno_grow(tp, (__u32)ctx[2]);
}

SEC("struct_ops/cc_undo_cwnd")
__u32 cc_undo_cwnd(unsigned long long *ctx)
{
    struct tcp_sock *tp = (struct tcp_sock *)ctx[0];

    count(CC_UNDO);
    return tp->snd_cwnd;
}

/* Registered with a bpf_link where the kernel has struct_ops links (6.4), by the map update before. */
SEC(".struct_ops.link")
struct tcp_congestion_ops ebpfcxx_cc = {
    .init = (void *)cc_init,
    .ssthresh = (void *)cc_ssthresh,
    .cong_avoid = (void *)cc_cong_avoid,
    .undo_cwnd = (void *)cc_undo_cwnd,
    .name = "ebpfcxx_cc",
};

/* The same name with another cong_avoid: what Link updates replace ebpfcxx_cc with. */
SEC(".struct_ops.link")
struct tcp_congestion_ops ebpfcxx_cc_v2 = {
    .init = (void *)cc_init,
    .ssthresh = (void *)cc_ssthresh,
    .cong_avoid = (void *)cc_cong_avoid_v2,
    .undo_cwnd = (void *)cc_undo_cwnd,
    .name = "ebpfcxx_cc",
};

/* Registered by the map update on every kernel (the pre-6.4 way). */
SEC(".struct_ops")
struct tcp_congestion_ops ebpfcxx_cc_legacy = {
    .init = (void *)cc_init,
    .ssthresh = (void *)cc_ssthresh,
    .cong_avoid = (void *)cc_cong_avoid,
    .undo_cwnd = (void *)cc_undo_cwnd,
    .name = "ebpfcxx_legacy",
};

/* A name the kernel always has: registering it fails with EEXIST. */
SEC(".struct_ops")
struct tcp_congestion_ops ebpfcxx_cc_taken = {
    .ssthresh = (void *)cc_ssthresh,
    .cong_avoid = (void *)cc_cong_avoid,
    .undo_cwnd = (void *)cc_undo_cwnd,
    .name = "reno",
};

char LICENSE[] SEC("license") = "GPL";
