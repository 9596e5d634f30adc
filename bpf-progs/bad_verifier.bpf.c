/* SPDX-License-Identifier: MIT */
/* Programs that compile but that the verifier must reject, to test how failures are reported. */
#include "ebpf_test.h"

SEC("socket")
int reads_uninit_reg(struct __sk_buff *skb)
{
    __u64 y;
    /* r6 is never written before this read: "R6 !read_ok" for every user, privileged or not. */
    asm volatile("%0 = r6" : "=r"(y));
    return (int)y;
}

SEC("?socket")
int good_one(struct __sk_buff *skb)
{
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
