/* SPDX-License-Identifier: MIT */
/* A syscall program run from user space with a context both sides agree on (tests/kernel/syscall_prog_test.cpp). */
#include "ebpf_test.h"

struct double_args {
    __u64 in;
    __u64 out;
};

__u64 runs = 0;

SEC("syscall")
int double_it(struct double_args *ctx)
{
    __sync_fetch_and_add(&runs, 1);
    ctx->out = ctx->in * 2;
    return 7;
}

char LICENSE[] SEC("license") = "GPL";
