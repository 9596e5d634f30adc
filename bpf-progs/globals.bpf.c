/* SPDX-License-Identifier: MIT */
/* Global data in every kind of section, read through relocated ld_imm64 (BPF_PSEUDO_MAP_VALUE), run with
 * BPF_PROG_TEST_RUN as a syscall program (or as a raw tracepoint program on kernels before 5.14: the tests' input is
 * a u64 of the context, which both may read, and the results go to .bss, since only a syscall program could write
 * them into the context). */
#include "ebpf_test.h"

struct args {
    __u64 in;
};

const volatile __u64 rodata_mult = 3;        /* .rodata: user space may set it before load */
__u64 data_add = 5;                          /* .data */
__u64 bss_total;                             /* .bss */
__u64 compute_out;                           /* .bss: compute's results */
__u64 compute_str_sum;
__u64 custom_add SEC(".data.custom") = 7;    /* .data.custom */
const volatile __u32 custom_ro SEC(".rodata.custom") = 100; /* .rodata.custom */
static volatile __u64 static_add = 11;       /* static: .data, not for user space */
__attribute__((visibility("hidden"))) __u64 hidden_add = 13;

SEC("syscall")
int compute(struct args *ctx)
{
    __u64 v = ctx->in * rodata_mult + data_add + custom_add + static_add + hidden_add + custom_ro;
    /* A string literal lands in .rodata.str1.1 and is reached through a section-relative relocation. */
    const char *s = "ebpf-cxx";
    __u64 sum = 0;
    for (int i = 0; i < 8; i++)
        sum += ((volatile const char *)s)[i];
    bss_total += v;
    compute_out = v;
    compute_str_sum = sum;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
