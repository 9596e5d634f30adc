/* SPDX-License-Identifier: MIT */
/* The kprobe family, triggered by the test process's own system calls (tests/kernel/kprobe_test.cpp,
 * ksyscall_test.cpp, kprobe_multi_test.cpp): each program counts this process's hits in a global. No pt_regs
 * access, so one object serves every architecture. Programs using newer helpers or kfuncs (cookies 5.15,
 * bpf_session_is_return 6.10) are separate, so the others load on older kernels. */
#include "ebpf_test.h"

/* Set at load (LoadOptions::globals): only calls made by this process count. */
const volatile __u32 target_tgid = 0;

__u64 entries = 0;
__u64 returns = 0;
__u64 syscall_entries = 0;
__u64 syscall_returns = 0;
__u64 multi_entries = 0;
__u64 multi_returns = 0;
__u64 session_entries = 0;
__u64 session_returns = 0;
__u64 module_hits = 0;
__u64 cookie_sum = 0;
__u64 last_cookie = 0;

extern _Bool bpf_session_is_return(void) __ksym __weak;

static __always_inline int ours(void)
{
    return (__u32)(bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

SEC("kprobe/do_unlinkat")
int unlink_entry(void *ctx)
{
    if (ours())
        __sync_fetch_and_add(&entries, 1);
    return 0;
}

SEC("kretprobe/do_unlinkat")
int unlink_return(void *ctx)
{
    if (ours())
        __sync_fetch_and_add(&returns, 1);
    return 0;
}

/* No target in the section: attached by name, address or with a cookie. */
SEC("kprobe")
int probe_anywhere(void *ctx)
{
    if (ours())
        __sync_fetch_and_add(&entries, 1);
    return 0;
}

SEC("kprobe/do_unlinkat")
int unlink_cookie(void *ctx)
{
    if (ours())
        last_cookie = bpf_get_attach_cookie(ctx);
    return 0;
}

SEC("ksyscall/getppid")
int getppid_entry(void *ctx)
{
    if (ours())
        __sync_fetch_and_add(&syscall_entries, 1);
    return 0;
}

SEC("kretsyscall/getppid")
int getppid_return(void *ctx)
{
    if (ours())
        __sync_fetch_and_add(&syscall_returns, 1);
    return 0;
}

/* A pattern that matches do_unlinkat only. */
SEC("kprobe.multi/do_unlinka?")
int multi_entry(void *ctx)
{
    if (ours()) {
        __sync_fetch_and_add(&multi_entries, 1);
        __sync_fetch_and_add(&cookie_sum, bpf_get_attach_cookie(ctx));
    }
    return 0;
}

SEC("kretprobe.multi/do_unlinkat")
int multi_return(void *ctx)
{
    if (ours())
        __sync_fetch_and_add(&multi_returns, 1);
    return 0;
}

/* Runs at entry and, because it returns 0 there, at return. */
SEC("kprobe.session/do_unlinkat")
int session(void *ctx)
{
    if (!ours())
        return 0;
    if (bpf_session_is_return())
        __sync_fetch_and_add(&session_returns, 1);
    else
        __sync_fetch_and_add(&session_entries, 1);
    return 0;
}

/* A module function: creating a veth pair calls it. */
SEC("kprobe/veth:veth_newlink")
int veth_newlink_entry(void *ctx)
{
    if (ours())
        __sync_fetch_and_add(&module_hits, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
