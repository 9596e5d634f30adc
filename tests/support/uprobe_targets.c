/* SPDX-License-Identifier: MIT */
/* See uprobe_targets.h. Built with -O2, so the probes' arguments are registers, memory and constants as GCC
 * places them (and Clang in the static cross builds the VM tests run). */
#include "uprobe_targets.h"

#ifdef EBPF_TEST_HAVE_SDT
#include <sys/sdt.h>
#define PROBE1(n, a) STAP_PROBE1(ebpf_test, n, a)
#define PROBE2(n, a, b) STAP_PROBE2(ebpf_test, n, a, b)
#define PROBE4(n, a, b, c, d) STAP_PROBE4(ebpf_test, n, a, b, c, d)
int ebpf_cxx_usdt_available(void) { return 1; }
#else
#define PROBE1(n, a) ((void)(a))
#define PROBE2(n, a, b) ((void)(a), (void)(b))
#define PROBE4(n, a, b, c, d) ((void)(a), (void)(b), (void)(c), (void)(d))
int ebpf_cxx_usdt_available(void) { return 0; }
#endif

static volatile int sink;

__attribute__((noinline)) int ebpf_cxx_uprobe_multi_one(int x) { sink = x; return x + 1; }
__attribute__((noinline)) int ebpf_cxx_uprobe_multi_two(int x) { sink = x; return x + 2; }
__attribute__((noinline)) int ebpf_cxx_uprobe_multi_three(int x) { sink = x; return x + 3; }

__attribute__((noinline)) int ebpf_cxx_usdt_args(int a, long b, short c, unsigned char d) {
    PROBE4(args, a, b, c, d);
    return a + (int)b + c + d;
}

__attribute__((noinline)) long ebpf_cxx_usdt_deref(const struct ebpf_cxx_usdt_pair* p) {
    PROBE2(deref, p->x, p->y);
    return p->x + p->y;
}

__attribute__((noinline)) int ebpf_cxx_usdt_const(void) {
    PROBE2(konst, 42, -7);
    return sink;
}

static inline __attribute__((always_inline)) void site(int which) { PROBE1(sites, which); }

__attribute__((noinline)) int ebpf_cxx_usdt_sites(void) {
    site(1);
    sink = 0;
    site(2);
    return sink;
}
