/* SPDX-License-Identifier: MIT */
/* libebpf_uprobe_target.so: the shared library of the uprobe test target (target_main.c). A plain function, a
 * function with two symbol versions, and a USDT probe with a semaphore. */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

__attribute__((used, section(".probes"))) unsigned short ebpf_target_lib_semaphore;

__attribute__((noinline)) int ebpf_target_lib_add(int a, int b) {
    if (ebpf_target_lib_semaphore) STAP_PROBE2(ebpf_target, lib, a, b);
    return a + b;
}

/* ebpf_target_versioned@EBPF_TARGET_1 returns x + 100, the default @@EBPF_TARGET_2 x + 200. */
__attribute__((noinline)) int ebpf_target_versioned_v1(int x) { return x + 100; }
__attribute__((noinline)) int ebpf_target_versioned_v2(int x) { return x + 200; }
__asm__(".symver ebpf_target_versioned_v1, ebpf_target_versioned@EBPF_TARGET_1");
__asm__(".symver ebpf_target_versioned_v2, ebpf_target_versioned@@EBPF_TARGET_2");
