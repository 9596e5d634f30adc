/* SPDX-License-Identifier: MIT */
/* A struct_ops variable with a member the kernel's struct tcp_congestion_ops does not have: the load must fail
 * naming it (tests/kernel/struct_ops_test.cpp). */
#include "ebpf_test.h"

struct sock;

struct tcp_congestion_ops {
    __u32 (*ssthresh)(struct sock *sk);
    void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
    __u32 (*undo_cwnd)(struct sock *sk);
    void (*no_such_member)(struct sock *sk);
    char name[16];
};

SEC("struct_ops/bad_ssthresh")
__u32 bad_ssthresh(unsigned long long *ctx)
{
    return 2;
}

SEC("struct_ops/bad_cong_avoid")
void bad_cong_avoid(unsigned long long *ctx)
{
}

SEC("struct_ops/bad_extra")
void bad_extra(unsigned long long *ctx)
{
}

SEC(".struct_ops")
struct tcp_congestion_ops ebpfcxx_bad = {
    .ssthresh = (void *)bad_ssthresh,
    .cong_avoid = (void *)bad_cong_avoid,
    .undo_cwnd = (void *)bad_ssthresh,
    .no_such_member = (void *)bad_extra,
    .name = "ebpfcxx_bad",
};

char LICENSE[] SEC("license") = "GPL";
