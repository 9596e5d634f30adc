/* SPDX-License-Identifier: MIT */
/* A USDT handler written the libbpf way: <bpf/usdt.bpf.h> and BPF_USDT. Its argument fetchers (bpf_usdt_arg,
 * bpf_usdt_arg_cnt, bpf_usdt_cookie) are __weak __hidden global subprograms that verify only as static ones
 * (bpf_usdt_arg stores to *res with no NULL check), and it reads the libbpf kconfig extern LINUX_HAS_BPF_COOKIE
 * and the maps __bpf_usdt_specs / __bpf_usdt_ip_to_spec_id. Loaded, not attached (USDT attachment comes later).
 * Built only when the installed libbpf headers have usdt.bpf.h (bpf-progs/meson.build), with -D__TARGET_ARCH_*
 * for bpf_tracing.h. */
#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <asm/ptrace.h> /* struct pt_regs, as user space sees it */
#include <bpf/bpf_helpers.h>
#include <bpf/usdt.bpf.h>

__u64 usdt_sum;
__u64 usdt_cookie;

SEC("usdt")
int BPF_USDT(on_usdt, long a, int b)
{
    usdt_sum += a + b + bpf_usdt_arg_cnt(ctx);
    usdt_cookie = bpf_usdt_cookie(ctx);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
