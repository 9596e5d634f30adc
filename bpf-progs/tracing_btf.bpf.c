/* SPDX-License-Identifier: MIT */
/* BTF-attached tracing programs (tests/kernel/tracing_btf_test.cpp): fentry, fexit and fmod_ret on kernel functions
 * and on a BPF program's function, tp_btf. Trampoline programs run only where the kernel has BPF trampolines. */
#include "ebpf_test.h"

#include <bpf/bpf_tracing.h>

struct file;
struct pt_regs;

const volatile __u32 target_tgid = 0;
const volatile __s64 target_nr = -1; /* the system call tp_btf/sys_enter counts */

__u64 fentry_hits = 0;
__u64 fexit_hits = 0;
__s64 fexit_ret = 0;
__u64 tp_btf_hits = 0;
__u64 last_cookie = 0;
__u64 bpf_func_hits = 0;
__u32 deny_opens = 0; /* fmod_ret: while set, this process's opens fail with EPERM */
__u64 denied = 0;

static __always_inline int ours(void)
{
    return (__u32)(bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

SEC("fentry/do_unlinkat")
int BPF_PROG(unlink_fentry, int dfd, void *name)
{
    if (ours())
        __sync_fetch_and_add(&fentry_hits, 1);
    return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(unlink_fexit, int dfd, void *name, int ret)
{
    if (ours()) {
        __sync_fetch_and_add(&fexit_hits, 1);
        fexit_ret = ret;
    }
    return 0;
}

/* bpf_get_attach_cookie() in tracing programs needs 5.19: a program of its own. */
SEC("fentry/do_unlinkat")
int BPF_PROG(unlink_fentry_cookie, int dfd, void *name)
{
    if (ours())
        last_cookie = bpf_get_attach_cookie(ctx);
    return 0;
}

SEC("fmod_ret/security_file_open")
int BPF_PROG(deny_open, struct file *file, int ret)
{
    if (ret != 0 || !deny_opens || !ours())
        return ret;
    __sync_fetch_and_add(&denied, 1);
    return -1; /* -EPERM */
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_btf, struct pt_regs *regs, long id)
{
    if (ours() && id == target_nr)
        __sync_fetch_and_add(&tp_btf_hits, 1);
    return 0;
}

/* A raw tracepoint cookie reaches tp_btf programs from 6.10. */
SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_btf_cookie, struct pt_regs *regs, long id)
{
    if (ours() && id == target_nr)
        last_cookie = bpf_get_attach_cookie(ctx);
    return 0;
}

/* On a BPF program's function: the test sets the target (freplace_target.bpf.o's "decide") before load. */
SEC("fentry/decide")
int BPF_PROG(on_decide, struct __sk_buff *skb)
{
    __sync_fetch_and_add(&bpf_func_hits, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
