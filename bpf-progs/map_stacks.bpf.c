/* SPDX-License-Identifier: MIT */
/* Records the kernel and user stacks of one thread's system call into a stack-trace map
 * (tests/kernel/map_types_test.cpp symbolises them). */
#include "ebpf_test.h"

struct {
    __uint(type, BPF_MAP_TYPE_STACK_TRACE);
    __uint(max_entries, 64);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, 32 * sizeof(__u64));
} stacks SEC(".maps");

/* User stacks in a map of their own: in one map a user stack whose hash takes the kernel stack's bucket would
 * replace it (BPF_F_REUSE_STACKID), and the test would read user addresses as kernel frames. */
struct {
    __uint(type, BPF_MAP_TYPE_STACK_TRACE);
    __uint(max_entries, 64);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, 32 * sizeof(__u64));
} ustacks SEC(".maps");

__u32 target_tid;  /* set by the test through a mapped global */
__u64 target_nr;   /* the system call to record */
__s64 kernel_stack = -1;
__s64 user_stack = -1;
__u64 hits;

SEC("raw_tp/sys_enter")
int record_stack(struct bpf_raw_tracepoint_args *ctx)
{
    if ((__u32)bpf_get_current_pid_tgid() != target_tid || ctx->args[1] != target_nr)
        return 0;
    kernel_stack = bpf_get_stackid(ctx, &stacks, BPF_F_REUSE_STACKID);
    user_stack = bpf_get_stackid(ctx, &ustacks, BPF_F_USER_STACK | BPF_F_REUSE_STACKID);
    hits += 1;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
