/* SPDX-License-Identifier: MIT */
/* Functions and USDT probes of the kernel test binary itself, for uprobe and USDT tests (C, compiled with -O2
 * and <sys/sdt.h> by tests/uprobe/meson.build; without sdt.h the functions exist but have no probes). */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when the USDT probes below exist (built with <sys/sdt.h>). */
int ebpf_cxx_usdt_available(void);

/* uprobe.multi targets: ebpf_cxx_uprobe_multi_{one,two,three}(x) return x + 1, x + 2, x + 3. */
int ebpf_cxx_uprobe_multi_one(int x);
int ebpf_cxx_uprobe_multi_two(int x);
int ebpf_cxx_uprobe_multi_three(int x);

/* USDT probe ebpf_test:args(a, b, c, d), arguments in registers. */
int ebpf_cxx_usdt_args(int a, long b, short c, unsigned char d);
/* USDT probe ebpf_test:deref(p->x, p->y), arguments in memory addressed by a register. */
struct ebpf_cxx_usdt_pair {
    int x;
    long y;
};
long ebpf_cxx_usdt_deref(const struct ebpf_cxx_usdt_pair* p);
/* USDT probe ebpf_test:konst(42, -7): constants. */
int ebpf_cxx_usdt_const(void);
/* USDT probe ebpf_test:sites(which) expanded at two sites: the first fires with 1, the second with 2. */
int ebpf_cxx_usdt_sites(void);
/* USDT probe ebpf_test:sib(values[i]): an array element (scale-index-base addressing on x86 with GCC -O2). */
int ebpf_cxx_usdt_sib(const int* values, long i);

/* USDT probe ebpf_test:gated(v) with a semaphore: it fires only while something attached raises the
 * semaphore (the kernel does, through the uprobe's reference counter). Returns 1 when it fired. */
int ebpf_cxx_usdt_gated(int v);
extern unsigned short ebpf_test_gated_semaphore;

#ifdef __cplusplus
}
#endif
