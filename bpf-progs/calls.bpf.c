/* SPDX-License-Identifier: MIT */
/* BPF-to-BPF calls: global and static subprograms in .text, shared by two programs, a callback passed to
 * bpf_loop (ld_imm64 of a function), and a subprogram calling another. */
#include "ebpf_test.h"

struct args {
    __u64 in;
    __u64 out;
};

__u64 calls_seen;

static __noinline __u64 square(__u64 x)
{
    return x * x;
}

__noinline int add_square(int a, int b)
{
    calls_seen++;
    return a + (int)square(b);
}

struct loop_ctx {
    __u64 acc;
};

static int loop_step(__u32 index, void *data)
{
    struct loop_ctx *c = data;
    c->acc += index;
    return 0;
}

SEC("syscall")
int first(struct args *ctx)
{
    ctx->out = add_square((int)ctx->in, 3); /* in + 9 */
    return 0;
}

SEC("syscall")
int second(struct args *ctx)
{
    struct loop_ctx c = {.acc = 0};
    bpf_loop((__u32)ctx->in, loop_step, &c, 0);     /* sum of 0..in-1 */
    ctx->out = c.acc + square(2) + add_square(1, 1); /* + 4 + 2 */
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
