/* SPDX-License-Identifier: MIT */
/* The USDT probe ebpf_test:sib (see uprobe_targets.h): an element of a local array picked by a run-time index,
 * which GCC -O2 on x86 passes as a scale-index-base operand ("-4@-24(%rsp,%rax,4)"). The usdt.bpf.h layout
 * cannot express it: the tests check that attaching says so. */
#include "uprobe_targets.h"

#ifdef EBPF_TEST_HAVE_SDT
#include <sys/sdt.h>
#endif

__attribute__((noinline)) int ebpf_cxx_usdt_sib(const int* values, long i) {
    int local[4] = {values[0], values[1], values[2], 0};
#ifdef EBPF_TEST_HAVE_SDT
    STAP_PROBE1(ebpf_test, sib, local[i & 3]);
#endif
    return local[i & 3];
}
