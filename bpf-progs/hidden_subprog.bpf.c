/* SPDX-License-Identifier: MIT */
/* Global subprograms with hidden visibility (__hidden, STV_HIDDEN), which libbpf treats as static: their BTF FUNC
 * linkage becomes static, so the verifier checks them in their caller's context. scale_into and add_into write
 * through a pointer argument without a NULL check (as usdt.bpf.h's bpf_usdt_arg does): checked on their own, as
 * global functions are, that pointer may be NULL and the store is rejected ("invalid mem access 'mem_or_null'");
 * checked with their caller, it points to the caller's stack and verifies. checked_add is an ordinary global
 * subprogram (it stays global and must check for NULL itself), and hidden_entry is a hidden entry program (entry
 * programs keep their linkage). */
#include "ebpf_test.h"

struct args {
    __u64 in;
    __u64 out;
};

/* Hidden global: verifies only in the caller's context. */
__hidden __noinline int scale_into(__u64 *out, __u64 x)
{
    *out = x * 3;
    return 0;
}

/* Weak and hidden, like the bpf_usdt_* helpers of libbpf's usdt.bpf.h. */
__weak __hidden __noinline int add_into(__u64 *acc, __u64 v)
{
    *acc += v;
    return 0;
}

/* Plain global: verified on its own, so the NULL check is needed. */
__noinline int checked_add(__u64 *acc, __u64 v)
{
    if (!acc)
        return -1;
    *acc += v;
    return 0;
}

SEC("syscall")
int hidden_calls(struct args *ctx)
{
    __u64 v = 0;
    int err = 0;

    err |= scale_into(&v, ctx->in); /* 3 * in */
    err |= add_into(&v, 5);         /* + 5 */
    err |= checked_add(&v, 100);    /* + 100 */
    ctx->out = v;
    return err;
}

__hidden SEC("syscall")
int hidden_entry(struct args *ctx)
{
    __u64 v = 1;

    add_into(&v, ctx->in);
    ctx->out = v; /* in + 1 */
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
