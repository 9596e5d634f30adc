/* SPDX-License-Identifier: MIT */
/* Typed ksyms: per-CPU kernel variables found by name in vmlinux BTF (ld_imm64 with BPF_PSEUDO_BTF_ID). Strong, so
 * the object loads only where the kernel's BTF has them (pahole emits per-CPU variables since 1.18; Debian's 5.10
 * kernels have none): apart from externs.bpf.c so that its kconfig, untyped ksym and kfunc cases load there.
 * The program writes what it sees into a global variable (.bss), as externs.bpf.c's do. */
#include "ebpf_test.h"
#include "kernel_types.h"

extern const struct rq runqueues __ksym;
extern const int bpf_prog_active __ksym;

struct typed_ksym_out {
    __u32 cpu;     /* in: the CPU whose run queue to read */
    __s32 rq_cpu;  /* out: runqueues[cpu].cpu, or -1 */
    __s32 prog_active;
};
struct typed_ksym_out typed_ksym_out;

/* The kernel resolves typed ksyms through kallsyms as well, so data symbols like these need
 * CONFIG_KALLSYMS_ALL: without it BPF_PROG_LOAD fails with ENOENT ("failed to find the address"), for libbpf too. */
SEC("syscall")
int read_typed_ksyms(void *ctx)
{
    struct typed_ksym_out *out = &typed_ksym_out;
    struct rq *rq = bpf_per_cpu_ptr(&runqueues, out->cpu);
    out->rq_cpu = rq ? rq->cpu : -1;
    const int *active = bpf_this_cpu_ptr(&bpf_prog_active);
    out->prog_active = *active;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
