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

__u64 getppid_calls = 0;
__u64 last_cookie = 0;

SEC("tp/syscalls/sys_enter_getppid")
int count_getppid(void *ctx)
{
    if (ours())
        __sync_fetch_and_add(&getppid_calls, 1);
    return 0;
}

/* bpf_get_attach_cookie() needs 5.15: a program of its own, so the others load on older kernels. */
SEC("tp/syscalls/sys_enter_getppid")
int cookie_getppid(void *ctx)
{
    if (ours())
        last_cookie = bpf_get_attach_cookie(ctx);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
