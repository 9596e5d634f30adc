/* SPDX-License-Identifier: MIT */
/* A strong .kconfig extern for an option that kernel configs list as "# CONFIG_KASAN is not set": ebpf-cxx reads
 * that line as n (0); libbpf ignores such lines, finds no value for a strong extern and refuses the object
 * (-ESRCH). Distribution kernels never enable KASAN, so this is where the two loaders differ in practice. */
#include "ebpf_test.h"

#include <stdbool.h>

extern bool CONFIG_KASAN __kconfig;

__u64 kasan = 42;

SEC("syscall")
int read_kasan(void *ctx)
{
    kasan = CONFIG_KASAN;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
