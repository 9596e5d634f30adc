/* SPDX-License-Identifier: MIT */
/* Tracing programs triggered by the test process's own system calls (tests/kernel/tracing_test.cpp, links). */
#include "ebpf_test.h"

/* Set at load (LoadOptions::globals): only calls made by this process count. */
const volatile __u32 target_tgid = 0;

__u64 raw_sys_enter_calls = 0;

static __always_inline int ours(void)
{
    return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

SEC("raw_tp/sys_enter")
int count_sys_enter(void *ctx)
{
    if (ours())
        __sync_fetch_and_add(&raw_sys_enter_calls, 1);
    return 0;
}

/* The same, with no target in its section: attached by name. */
SEC("raw_tp")
int count_sys_enter_unnamed(void *ctx)
{
    if (ours())
        __sync_fetch_and_add(&raw_sys_enter_calls, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
