/* SPDX-License-Identifier: MIT */
/* The USDT probe with a semaphore (see uprobe_targets.h): a file of its own, since _SDT_HAS_SEMAPHORES gives
 * every probe of a file a semaphore. */
#include "uprobe_targets.h"

__attribute__((used, section(".probes"))) unsigned short ebpf_test_gated_semaphore;

#ifdef EBPF_TEST_HAVE_SDT
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
#endif

__attribute__((noinline)) int ebpf_cxx_usdt_gated(int v) {
    if (!ebpf_test_gated_semaphore) return 0;
#ifdef EBPF_TEST_HAVE_SDT
    STAP_PROBE1(ebpf_test, gated, v);
#endif
    return 1;
}
