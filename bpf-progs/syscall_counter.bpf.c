/* SPDX-License-Identifier: MIT */
/* The tracing example (docs/examples/syscall_counter.cpp, docs/tracing.md): counts one process's openat(2) calls,
 * either with a ksyscall program (a kprobe on the system call's kernel function) or, on kernels without kprobes,
 * with the syscalls/sys_enter_openat tracepoint. Both write the same global. */
#include "ebpf_test.h"

const volatile __u32 target_tgid = 0;

__u64 openat_calls = 0;

static __always_inline void count(void)
{
    if ((__u32)(bpf_get_current_pid_tgid() >> 32) == target_tgid)
        __sync_fetch_and_add(&openat_calls, 1);
}

SEC("ksyscall/openat")
int openat_kprobe(void *ctx)
{
    count();
    return 0;
}

SEC("tp/syscalls/sys_enter_openat")
int openat_tracepoint(void *ctx)
{
    count();
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
