/* SPDX-License-Identifier: MIT */
/* uprobe programs of every section family (tests/kernel/uprobe_test.cpp): they count hits of this process in the
 * array `uprobe_hits` and record the first argument, the return value and the attach cookie. Sections that name
 * their target attach to functions of the test binary itself through /proc/self/exe (auto-attach).
 * Built with -D__TARGET_ARCH_* (bpf_tracing.h reads arguments from struct pt_regs), like usdt_args.bpf.c. */
#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* Set by the test before load: only this process's hits count (0: every process). */
const volatile __u32 target_tgid = 0;

enum slot {
    S_ENTRY, S_RETURN, S_ARG, S_RET_VALUE, S_COOKIE,
    S_AUTO_ENTRY, S_AUTO_RETURN, S_SLEEPABLE,
    S_MULTI, S_MULTI_RETURN, S_MULTI_COOKIES, S_SESSION_ENTRY, S_SESSION_RETURN,
    S_COUNT = 16,
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, S_COUNT);
    __type(key, __u32);
    __type(value, __u64);
} uprobe_hits SEC(".maps");

extern bool bpf_session_is_return(void) __ksym __weak;

static __always_inline bool mine(void)
{
    return target_tgid == 0 || (__u32)(bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

static __always_inline void add(__u32 slot, __u64 n)
{
    __u64 *v = bpf_map_lookup_elem(&uprobe_hits, &slot);
    if (v)
        __sync_fetch_and_add(v, n);
}

static __always_inline void set(__u32 slot, __u64 value)
{
    __u64 *v = bpf_map_lookup_elem(&uprobe_hits, &slot);
    if (v)
        *v = value;
}

SEC("uprobe")
int BPF_KPROBE(on_entry, int x)
{
    if (mine()) {
        add(S_ENTRY, 1);
        set(S_ARG, (__u64)(__s64)x);
    }
    return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(on_return, int ret)
{
    if (mine()) {
        add(S_RETURN, 1);
        set(S_RET_VALUE, (__u64)(__s64)ret);
    }
    return 0;
}

/* bpf_get_attach_cookie() needs 5.15: a program of its own, so the others load on older kernels. */
SEC("uprobe")
int on_entry_cookie(struct pt_regs *ctx)
{
    if (mine()) {
        add(S_ENTRY, 1);
        set(S_COOKIE, bpf_get_attach_cookie(ctx));
    }
    return 0;
}

SEC("uprobe//proc/self/exe:ebpf_cxx_test_probe_target")
int auto_entry(struct pt_regs *ctx)
{
    if (mine())
        add(S_AUTO_ENTRY, 1);
    return 0;
}

SEC("uretprobe//proc/self/exe:ebpf_cxx_test_probe_target")
int auto_return(struct pt_regs *ctx)
{
    if (mine())
        add(S_AUTO_RETURN, 1);
    return 0;
}

SEC("uprobe.s//proc/self/exe:ebpf_cxx_test_probe_target")
int sleepable_entry(struct pt_regs *ctx)
{
    if (mine())
        add(S_SLEEPABLE, 1);
    return 0;
}

SEC("uprobe.multi//proc/self/exe:ebpf_cxx_uprobe_multi_*")
int multi_entry(struct pt_regs *ctx)
{
    if (mine())
        add(S_MULTI, 1);
    return 0;
}

SEC("uretprobe.multi//proc/self/exe:ebpf_cxx_uprobe_multi_*")
int multi_return(struct pt_regs *ctx)
{
    if (mine())
        add(S_MULTI_RETURN, 1);
    return 0;
}

SEC("uprobe.multi")
int multi_cookie(struct pt_regs *ctx)
{
    if (mine()) {
        add(S_MULTI, 1);
        add(S_MULTI_COOKIES, bpf_get_attach_cookie(ctx));
    }
    return 0;
}

SEC("uprobe.session//proc/self/exe:ebpf_cxx_uprobe_multi_*")
int session(struct pt_regs *ctx)
{
    if (!mine())
        return 0;
    if (bpf_session_is_return()) {
        add(S_SESSION_RETURN, 1);
    } else {
        add(S_SESSION_ENTRY, 1);
    }
    return 0; /* 0: run at return too */
}

char LICENSE[] SEC("license") = "GPL";
