/* SPDX-License-Identifier: MIT */
/* Externs the loader resolves against the running kernel: .kconfig values of every type, typed and untyped
 * __ksym variables, and kfunc calls (weak, so the object also loads on kernels that lack them, guarded by
 * bpf_ksym_exists). The programs copy what they see into global variables (.bss) for the test to read, and take
 * their inputs from there: their section says syscall, and where the kernel has no syscall programs (before 5.14)
 * the test loads them as raw tracepoint programs, whose test runs copy no context back (tests/support/runnable.hpp). */
#include "ebpf_test.h"
#include "kernel_types.h"

#include <stdbool.h>

/* .kconfig: filled by the loader from /proc/config.gz (or /boot/config-$(uname -r)). */
extern int CONFIG_HZ __kconfig;
extern bool CONFIG_BPF_SYSCALL __kconfig;
extern enum libbpf_tristate CONFIG_BPF_JIT __kconfig;
extern unsigned long long CONFIG_NR_CPUS __kconfig __weak;
extern const char CONFIG_LOCALVERSION[32] __kconfig __weak;
extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern bool LINUX_HAS_BPF_COOKIE __kconfig;
extern bool LINUX_HAS_SYSCALL_WRAPPER __kconfig;
/* Weak and absent from every kernel config: reads as 0 instead of failing the load. */
extern int CONFIG_EBPF_CXX_DOES_NOT_EXIST __kconfig __weak;
/* "# CONFIG_... is not set" where modules are built in (and "=y" elsewhere): 0 or 1, never a load failure. */
extern bool CONFIG_MODULES __kconfig __weak;

struct kconfig_out {
    __s64 hz;
    __u64 bpf_syscall, bpf_jit_tristate, nr_cpus, kernel_version, has_bpf_cookie, has_syscall_wrapper;
    __s64 missing;
    __u64 modules;
    char localversion[32];
};

struct kconfig_out kconfig_out;

SEC("syscall")
int read_kconfig(void *ctx)
{
    struct kconfig_out *out = &kconfig_out;
    out->hz = CONFIG_HZ;
    out->bpf_syscall = CONFIG_BPF_SYSCALL;
    out->bpf_jit_tristate = CONFIG_BPF_JIT;
    out->nr_cpus = CONFIG_NR_CPUS;
    out->kernel_version = LINUX_KERNEL_VERSION;
    out->has_bpf_cookie = LINUX_HAS_BPF_COOKIE;
    out->has_syscall_wrapper = LINUX_HAS_SYSCALL_WRAPPER;
    out->missing = CONFIG_EBPF_CXX_DOES_NOT_EXIST;
    out->modules = CONFIG_MODULES;
    __builtin_memcpy(out->localversion, CONFIG_LOCALVERSION, sizeof(out->localversion));
    return 0;
}

/* Typed ksyms (strong ones fail the whole load where the kernel's BTF lacks them, as 5.10 Debian kernels' lacks
 * per-CPU variables) are in externs_typed.bpf.c. Untyped ksym: an address from /proc/kallsyms (a function, since data symbols need CONFIG_KALLSYMS_ALL). */
extern const void schedule __ksym;
/* Absent weak ksyms resolve to 0. */
extern const void ebpf_cxx_no_such_symbol __ksym __weak;

struct untyped_ksym_out {
    __u64 schedule_addr;
    __u64 missing_addr;
};
struct untyped_ksym_out untyped_ksym_out;

SEC("syscall")
int read_untyped_ksyms(void *ctx)
{
    struct untyped_ksym_out *out = &untyped_ksym_out;
    out->schedule_addr = (__u64)&schedule;
    out->missing_addr = (__u64)&ebpf_cxx_no_such_symbol;
    return 0;
}

/* kfuncs (6.2+ for tasks, 6.3+ for cpumasks), weak so that older kernels load the object with the calls
 * poisoned; each call is guarded so a poisoned one is never reached. */
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym __weak;
extern void bpf_task_release(struct task_struct *p) __ksym __weak;
extern void bpf_rcu_read_lock(void) __ksym __weak;
extern void bpf_rcu_read_unlock(void) __ksym __weak;
extern struct bpf_cpumask *bpf_cpumask_create(void) __ksym __weak;
extern void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym __weak;
extern void bpf_cpumask_set_cpu(u32 cpu, struct bpf_cpumask *cpumask) __ksym __weak;
extern bool bpf_cpumask_test_cpu(u32 cpu, const struct cpumask *cpumask) __ksym __weak;
extern u32 bpf_cpumask_weight(const struct cpumask *cpumask) __ksym __weak;
/* No kernel has this one: the call below must be poisoned and skipped. */
extern void bpf_ebpf_cxx_no_such_kfunc(void) __ksym __weak;

struct kfunc_out {
    __s32 pid;       /* in: the task to look up */
    __s32 tgid;      /* out: its tgid via bpf_task_from_pid, or -1 */
    __u32 have_task_kfuncs, have_cpumask_kfuncs, have_missing_kfunc;
    __u32 cpumask_weight, cpumask_has_0, cpumask_has_1; /* CPU 0 always exists; only it is set */
    __u32 rcu_locked;
};
struct kfunc_out kfunc_out;

SEC("syscall")
int call_kfuncs(void *ctx)
{
    struct kfunc_out *out = &kfunc_out;
    out->tgid = -1;
    out->have_task_kfuncs = bpf_ksym_exists(bpf_task_from_pid) && bpf_ksym_exists(bpf_task_release);
    out->have_cpumask_kfuncs = bpf_ksym_exists(bpf_cpumask_create);
    out->have_missing_kfunc = bpf_ksym_exists(bpf_ebpf_cxx_no_such_kfunc);
    if (bpf_ksym_exists(bpf_ebpf_cxx_no_such_kfunc))
        bpf_ebpf_cxx_no_such_kfunc();
    /* Guard each call with bpf_ksym_exists() itself: the constant lets the verifier drop the dead call (a value
     * stored in memory and read back would be unknown to it, and the poisoned call would be rejected). */
    if (bpf_ksym_exists(bpf_task_from_pid) && bpf_ksym_exists(bpf_task_release)) {
        struct task_struct *t = bpf_task_from_pid(out->pid);
        if (t) {
            out->tgid = t->tgid;
            bpf_task_release(t);
        }
    }
    if (bpf_ksym_exists(bpf_rcu_read_lock)) {
        bpf_rcu_read_lock();
        out->rcu_locked = 1;
        bpf_rcu_read_unlock();
    }
    if (bpf_ksym_exists(bpf_cpumask_create)) {
        struct bpf_cpumask *m = bpf_cpumask_create();
        if (m) {
            bpf_cpumask_set_cpu(0, m);
            out->cpumask_weight = bpf_cpumask_weight((const struct cpumask *)m);
            out->cpumask_has_0 = bpf_cpumask_test_cpu(0, (const struct cpumask *)m);
            out->cpumask_has_1 = bpf_cpumask_test_cpu(1, (const struct cpumask *)m);
            bpf_cpumask_release(m);
        }
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
