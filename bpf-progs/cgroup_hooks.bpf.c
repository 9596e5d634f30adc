/* SPDX-License-Identifier: MIT */
/* Cgroup hooks observed through real system calls (tests/kernel/cgroup_hooks_test.cpp): socket creation and
 * release, bind and connect rewrites and refusals, get/setsockopt overrides, sysctl writes and device opens. What
 * each program does is steered by globals the test sets; every program counts its runs. */
#include "ebpf_test.h"

#include <bpf/bpf_endian.h>

enum {
    C_SOCK_CREATE,
    C_SOCK_RELEASE,
    C_POST_BIND4,
    C_BIND4,
    C_CONNECT4,
    C_CONNECT6,
    C_SENDMSG4,
    C_RECVMSG4,
    C_GETPEERNAME4,
    C_GETSOCKNAME4,
    C_GETSOCKOPT,
    C_SETSOCKOPT,
    C_SYSCTL,
    C_DEV,
    C_ORDER_A,
    C_ORDER_B,
    C_MAX,
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, C_MAX);
    __type(key, __u32);
    __type(value, __u64);
} hook_counts SEC(".maps");

/* The order in which the two ordering programs ran last: each shifts its own digit in. */
__u64 order_trace = 0;

__u16 bind_denied_port = 0;      /* host order: bind4 refuses it */
__u16 connect_from_port = 0;     /* host order: connect4/6 rewrite it ... */
__u16 connect_to_port = 0;       /* ... to this one */
__u16 getpeername_port = 0;      /* host order: getpeername4 reports this port instead */
__u32 sock_create_deny_type = 0; /* a SOCK_* type sock_create refuses (0: none) */
__u32 dev_denied_major = 0, dev_denied_minor = 0; /* a char device cgroup/dev refuses (0:0: none) */

static __always_inline void bump(__u32 slot)
{
    __u64 *v = bpf_map_lookup_elem(&hook_counts, &slot);
    if (v)
        __sync_fetch_and_add(v, 1);
}

SEC("cgroup/sock_create")
int sock_create(struct bpf_sock *sk)
{
    bump(C_SOCK_CREATE);
    if (sock_create_deny_type && sk->type == sock_create_deny_type)
        return 0;
    return 1;
}

SEC("cgroup/sock_release")
int sock_release(struct bpf_sock *sk)
{
    bump(C_SOCK_RELEASE);
    return 1;
}

SEC("cgroup/post_bind4")
int post_bind4(struct bpf_sock *sk)
{
    bump(C_POST_BIND4);
    return 1;
}

SEC("cgroup/bind4")
int bind4(struct bpf_sock_addr *ctx)
{
    bump(C_BIND4);
    if (bind_denied_port && ctx->user_port == bpf_htons(bind_denied_port))
        return 0;
    return 1;
}

SEC("cgroup/connect4")
int connect4(struct bpf_sock_addr *ctx)
{
    bump(C_CONNECT4);
    if (connect_from_port && ctx->user_port == bpf_htons(connect_from_port))
        ctx->user_port = bpf_htons(connect_to_port);
    return 1;
}

SEC("cgroup/connect6")
int connect6(struct bpf_sock_addr *ctx)
{
    bump(C_CONNECT6);
    if (connect_from_port && ctx->user_port == bpf_htons(connect_from_port))
        ctx->user_port = bpf_htons(connect_to_port);
    return 1;
}

SEC("cgroup/sendmsg4")
int sendmsg4(struct bpf_sock_addr *ctx)
{
    bump(C_SENDMSG4);
    if (connect_from_port && ctx->user_port == bpf_htons(connect_from_port))
        ctx->user_port = bpf_htons(connect_to_port);
    return 1;
}

SEC("cgroup/recvmsg4")
int recvmsg4(struct bpf_sock_addr *ctx)
{
    bump(C_RECVMSG4);
    return 1;
}

SEC("cgroup/getpeername4")
int getpeername4(struct bpf_sock_addr *ctx)
{
    bump(C_GETPEERNAME4);
    if (getpeername_port)
        ctx->user_port = bpf_htons(getpeername_port);
    return 1;
}

SEC("cgroup/getsockname4")
int getsockname4(struct bpf_sock_addr *ctx)
{
    bump(C_GETSOCKNAME4);
    return 1;
}

#define SOL_IP 0
#define IP_TOS 1
#define PAGE_SIZE_MIN 4096

/* getsockopt(SOL_IP, IP_TOS) reports 0x28 whatever the socket has. */
SEC("cgroup/getsockopt")
int getsockopt_tos(struct bpf_sockopt *ctx)
{
    __u8 *optval = ctx->optval, *optval_end = ctx->optval_end;

    if (ctx->level != SOL_IP || ctx->optname != IP_TOS) {
        /* Not ours: leave it as the kernel made it (an optval larger than a page cannot be seen here). */
        if (ctx->optlen > PAGE_SIZE_MIN)
            ctx->optlen = 0;
        return 1;
    }
    bump(C_GETSOCKOPT);
    if (optval + 1 > optval_end)
        return 1;
    optval[0] = 0x28;
    ctx->optlen = 1;
    /* Two 4-byte context stores: the verifier refuses the 8-byte store clang would merge them into. */
    asm volatile("" ::: "memory");
    ctx->retval = 0;
    return 1;
}

/* setsockopt(SOL_IP, IP_TOS): 0x10 is stored as 0x20; 0xfc is refused (EPERM). */
SEC("cgroup/setsockopt")
int setsockopt_tos(struct bpf_sockopt *ctx)
{
    __u8 *optval = ctx->optval, *optval_end = ctx->optval_end;

    if (ctx->level != SOL_IP || ctx->optname != IP_TOS) {
        if (ctx->optlen > PAGE_SIZE_MIN)
            ctx->optlen = 0;
        return 1;
    }
    bump(C_SETSOCKOPT);
    if (optval + 1 > optval_end)
        return 1;
    if (optval[0] == 0xfc)
        return 0;
    if (optval[0] == 0x10)
        optval[0] = 0x20;
    return 1;
}

/* Writes to net/ipv4/ip_default_ttl are refused; everything else is allowed. */
SEC("cgroup/sysctl")
int sysctl_guard(struct bpf_sysctl *ctx)
{
    /* 23 characters and the NUL: three words, compared as words (a loop over characters is costly to verify). */
    union {
        char c[24];
        __u64 w[3];
    } name = {}, want = {.c = "net/ipv4/ip_default_ttl"};

    bump(C_SYSCTL);
    if (!ctx->write)
        return 1;
    if (bpf_sysctl_get_name(ctx, name.c, sizeof(name.c), 0) != sizeof(name.c) - 1)
        return 1;
    if (name.w[0] == want.w[0] && name.w[1] == want.w[1] && name.w[2] == want.w[2])
        return 0;
    return 1;
}

/* One character device (dev_denied_major:dev_denied_minor) may not be opened or created. */
SEC("cgroup/dev")
int dev_guard(struct bpf_cgroup_dev_ctx *ctx)
{
    __u32 type = ctx->access_type & 0xffff;

    bump(C_DEV);
    if (type == BPF_DEVCG_DEV_CHAR && (dev_denied_major || dev_denied_minor) && ctx->major == dev_denied_major &&
        ctx->minor == dev_denied_minor)
        return 0;
    return 1;
}

/* Two programs for the same hook whose run order the test controls (cgroup/getsockname4 is cheap to trigger). */
SEC("cgroup/getsockname4")
int order_a(struct bpf_sock_addr *ctx)
{
    bump(C_ORDER_A);
    order_trace = order_trace * 10 + 1;
    return 1;
}

SEC("cgroup/getsockname4")
int order_b(struct bpf_sock_addr *ctx)
{
    bump(C_ORDER_B);
    order_trace = order_trace * 10 + 2;
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
