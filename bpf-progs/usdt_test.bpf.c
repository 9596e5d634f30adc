/* SPDX-License-Identifier: MIT */
/* USDT handlers written the libbpf way (<bpf/usdt.bpf.h>, BPF_USDT, bpf_usdt_arg), unmodified, for
 * tests/kernel/usdt_test.cpp: each records its hits, arguments, argument count and cookie in `usdt_vals`.
 * The probes are in the test binary (tests/support/usdt_probes.c) and in tests/uprobe/target_*.c. */
#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/usdt.bpf.h>

const volatile __u32 target_tgid = 0;

enum slot {
    V_HITS, V_A, V_B, V_C, V_D, V_ARG_CNT, V_COOKIE,
    V_DEREF_HITS, V_DEREF_X, V_DEREF_Y,
    V_CONST_HITS, V_CONST_K, V_CONST_M,
    V_GATED_HITS, V_GATED_V,
    V_SITES_HITS, V_SITES_SUM,
    V_LIB_HITS, V_LIB_A, V_LIB_B,
    V_MAIN_HITS, V_MAIN_X,
    V_COUNT = 32,
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, V_COUNT);
    __type(key, __u32);
    __type(value, __u64);
} usdt_vals SEC(".maps");

static __always_inline bool mine(void)
{
    return target_tgid == 0 || (__u32)(bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

static __always_inline void add(__u32 slot, __u64 n)
{
    __u64 *v = bpf_map_lookup_elem(&usdt_vals, &slot);
    if (v)
        __sync_fetch_and_add(v, n);
}

static __always_inline void set(__u32 slot, __u64 value)
{
    __u64 *v = bpf_map_lookup_elem(&usdt_vals, &slot);
    if (v)
        *v = value;
}

SEC("usdt")
int BPF_USDT(on_args, int a, long b, short c, unsigned char d)
{
    if (!mine())
        return 0;
    add(V_HITS, 1);
    set(V_A, (__u64)(long)a);
    set(V_B, (__u64)b);
    set(V_C, (__u64)(long)c);
    set(V_D, d);
    set(V_ARG_CNT, bpf_usdt_arg_cnt(ctx));
    set(V_COOKIE, bpf_usdt_cookie(ctx));
    return 0;
}

SEC("usdt")
int BPF_USDT(on_deref, int x, long y)
{
    if (!mine())
        return 0;
    add(V_DEREF_HITS, 1);
    set(V_DEREF_X, (__u64)(long)x);
    set(V_DEREF_Y, (__u64)y);
    return 0;
}

SEC("usdt")
int BPF_USDT(on_const, int k, int m)
{
    if (!mine())
        return 0;
    add(V_CONST_HITS, 1);
    set(V_CONST_K, (__u64)(long)k);
    set(V_CONST_M, (__u64)(long)m);
    return 0;
}

SEC("usdt")
int BPF_USDT(on_gated, int v)
{
    if (!mine())
        return 0;
    add(V_GATED_HITS, 1);
    set(V_GATED_V, (__u64)(long)v);
    return 0;
}

/* Auto-attached: every site of ebpf_test:sites in the test binary. */
SEC("usdt//proc/self/exe:ebpf_test:sites")
int BPF_USDT(on_sites, int which)
{
    if (!mine())
        return 0;
    add(V_SITES_HITS, 1);
    add(V_SITES_SUM, which);
    return 0;
}

SEC("usdt")
int BPF_USDT(on_lib, int a, int b)
{
    if (!mine())
        return 0;
    add(V_LIB_HITS, 1);
    set(V_LIB_A, (__u64)(long)a);
    set(V_LIB_B, (__u64)(long)b);
    return 0;
}

SEC("usdt")
int BPF_USDT(on_main, int x)
{
    if (!mine())
        return 0;
    add(V_MAIN_HITS, 1);
    set(V_MAIN_X, (__u64)(long)x);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
